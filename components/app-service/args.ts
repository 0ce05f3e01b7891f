import type { HttpMetrics } from "../lib/http-metrics";
import { type DataStoreEgress, DEFAULT_MONITORING_NAMESPACE } from "../lib/network-policy";
import type * as pulumi from "@pulumi/pulumi";
import type { SecretKeyRef, ServiceObjectives } from "../lib/contracts";
import { GATEWAY_NAMESPACE, type RouteVisibility } from "../lib/gateway";
import { DEFAULT_MAX_REQUEST_BODY_SIZE } from "./ingress";
import type { Transforms } from "../lib/transform";
import type { JobSettings } from "./jobs";
import type { GrpcRouteSettings } from "./grpc-route";

/**
 * What a service is, which decides the objects it gets:
 * - `web`: HTTP behind the edge Gateway (Service + HTTPRoute required)
 * - `api`: HTTP reached by other services, optionally through the edge Gateway
 * - `worker`: background process, no Service; scaled like any stateless workload
 * - `singleton`: exactly one replica, `Recreate` strategy, no HPA (event listeners that must not run twice)
 */
export type AppServiceKind = "web" | "api" | "worker" | "singleton";
export const APP_SERVICE_KINDS: readonly AppServiceKind[] = ["web", "api", "worker", "singleton"];

/** Kinds that get a Kubernetes Service (and may be called by other services). */
export function hasService(kind: AppServiceKind): boolean {
  return kind === "web" || kind === "api";
}

/** Child roles that accept a transform (see `AppServiceArgs.transforms`). */
export type AppServiceChildRole =
  | "serviceAccount"
  | "secret"
  | "deployment"
  | "service"
  | "httpRoute"
  | "grpcRoute"
  | "backendTrafficPolicy"
  | "hpa"
  | "pdb"
  | "networkPolicy"
  | "serviceMonitor"
  | "podMonitor"
  | "job"
  | "cronJob"
  | "image"
  | "container";

export interface ResourceQuantities {
  /** CPU quantity, e.g. `250m`. */
  cpu: string;
  /** Memory quantity, e.g. `512Mi`. */
  memory: string;
}

export interface ResourceSettings {
  requests: ResourceQuantities;
  limits: ResourceQuantities;
}

export interface AutoscalingSettings {
  /** Minimum replicas (the PodDisruptionBudget is sized against it). */
  min: number;
  /** Maximum replicas; must be >= `min`. */
  max: number;
  /** Target average CPU utilisation in percent of the request. @default 70 */
  cpuPercent?: number;
  /** Target average memory utilisation in percent of the request. @default 80 */
  memoryPercent?: number;
}

export interface StartupProbeSettings {
  /** Seconds between startup checks. @default 5 */
  periodSeconds?: number;
  /** Failed checks tolerated before the container is restarted (budget = period x threshold). @default 30 */
  failureThreshold?: number;
}

export interface HealthSettings {
  /** Exec liveness command (exit 0 = alive), e.g. for workers without a port; replaces livenessPath. */
  livenessCommand?: string[];
  /** Liveness from a heartbeat file the process touches; restarted when older than maxAgeSeconds. Replaces livenessPath. */
  heartbeat?: { file: string; maxAgeSeconds: number };
  /**
   * Liveness path; a failing liveness probe restarts the container. `false` turns HTTP liveness (and the startup
   * probe, which runs on this path) off, e.g. for a port that does not speak HTTP. @default "/health"
   */
  livenessPath?: string | false;
  /**
   * Readiness path (web/api only); a failing readiness probe takes the pod out of the Service. `false` turns it off
   * (the pod receives traffic as soon as it runs). @default "/health/ready"
   */
  readinessPath?: string | false;
  /** Startup probe on the liveness path, giving slow starts time before liveness applies. `false` disables it. @default { periodSeconds: 5, failureThreshold: 30 } */
  startup?: StartupProbeSettings | false;
  /**
   * Docker target: healthcheck command in Docker's `CMD` form. The default curls the readiness (or liveness) path,
   * which needs `curl` in the image; give your own command when it has none.
   * @default ["CMD", "curl", "-fsS", "http://localhost:<port><path>"]
   * @example ["CMD", "/app/healthcheck"]
   */
  dockerTest?: string[];
}

export interface RateLimitSettings {
  /** Sustained requests per second per client IP (nginx `limit_req rate`). @default 10 */
  rps: number;
  /** Extra requests a client may send at once (nginx `burst ... nodelay`). @default 20 */
  burst: number;
}

/**
 * How the service is exposed at the edge. On Kubernetes this becomes an HTTPRoute on the edge Gateway with a
 * BackendTrafficPolicy (rate limit, request size); the name `ingress` is kept so existing stacks keep working.
 */
export interface IngressSettings {
  /**
   * Host name clients use.
   * @example "app.example.com"
   */
  host: string;
  /**
   * `public` (internet-facing load balancer) or `internal` (private load balancer reachable from the VPC only,
   * for admin UIs). @default "public"
   */
  visibility?: RouteVisibility;
  /** Path prefix routed to the service. @default "/" */
  path?: string;
  /**
   * TLS via cert-manager's Gateway integration. TLS is always on; the certificate is issued per Gateway listener,
   * so services sharing a host share it.
   */
  tls?: {
    /** cert-manager ClusterIssuer; on the platform edge it must be the edge's issuer (one per Gateway). @default "letsencrypt-prod" */
    clusterIssuer?: string;
    /**
     * Secret (in the gateway namespace) the host's certificate is written to. Caution: changing it re-issues the
     * certificate. @default "<host with dots as dashes>-tls"
     */
    secretName?: string;
  };
  /** Per-client rate limit; `false` turns it off. @default { rps: 10, burst: 20 } (GreenLink nginx playbook) */
  rateLimit?: RateLimitSettings | false;
  /** Largest request body accepted; bigger requests get HTTP 413. @default "1Mi" (nginx's client_max_body_size) @example "10Mi" */
  maxRequestBodySize?: string;
  /**
   * Extra response headers, merged over the security headers (same name overrides the default). Hop-by-hop and
   * framing headers (Connection, Content-Length, ...) are refused; at most 16 headers in total.
   * @example { "Content-Security-Policy": "default-src 'self'" }
   */
  headers?: Record<string, string>;
}

export interface MetricsSettings {
  /**
   * Port serving Prometheus metrics: a number (a `metrics` port of its own unless it is `port`), or the name of an
   * extra port that serves them (never a gRPC one: Prometheus scrapes over HTTP/1.1). @default the service `port`
   * @example 9100
   * @example "admin"
   */
  port?: number | string;
  /** Metrics path. @default "/metrics" */
  path?: string;
}

/**
 * A further port of the container besides `port`, e.g. gRPC next to HTTP. It gets a named container port, the
 * same port on the Service and the NetworkPolicy admits the service's `allowedCallers` to it. The probes stay on
 * `port`; `route` exposes a gRPC port on the edge (see ./grpc-route.ts), and `metrics.port` may name the port to
 * scrape it. On Docker the port is reachable on the service's networks and never published.
 */
export interface ExtraPortSettings {
  /** Port name (IANA service name: 1-15 lowercase letters, digits and single '-'; not `http` or `metrics`). @example "grpc" */
  name: string;
  /** Container port, also the Service port. Must differ from `port` and `metrics.port`. @example 9090 */
  port: number;
  /** Application protocol of the Service port (`appProtocol`), e.g. `kubernetes.io/h2c` for plain-text gRPC. @example "kubernetes.io/h2c" */
  appProtocol?: string;
  /** GRPCRoute from the edge Gateway to this port (appProtocol `grpc` or `kubernetes.io/h2c` only). @default not routed */
  route?: GrpcRouteSettings;
}

export interface SharedEnvSettings {
  /** Name of the ConfigMap holding the values (Kubernetes); an Output orders the pods after it. @example "shared-env" */
  configMap: pulumi.Input<string>;
  /** The values themselves: the checksum annotation is computed from them, and Docker sets them as env. */
  values: Record<string, string>;
}

export interface NetworkPolicySettings {
  /** Namespace of the edge proxies (allowed to reach web/api pods with an `ingress`). @default "envoy-gateway-system" */
  ingressControllerNamespace?: string;
  /** Namespace Prometheus runs in (allowed to reach the metrics port). @default "monitoring" */
  monitoringNamespace?: string;
  /**
   * Data stores the pods connect to (egress on the store's port to the network's CIDRs). The stacks fill this in
   * from `connections`. @default []
   */
  dataStores?: DataStoreEgress[];
  /** Other destinations outside the cluster (external APIs), by CIDR and TCP ports. Everything else is denied. @default [] */
  egress?: Array<{ cidr: string; ports: number[] }>;
}

export interface DockerSettings {
  /** Host port the service port is published on (web/api only). @default the service `port` */
  hostPort?: number;
  /**
   * Host address the port binds to. Only loopback by default; `0.0.0.0` is accepted only for ports 80/443.
   * @default "127.0.0.1"
   */
  hostIp?: string;
}

/**
 * Arguments of an AppService. Plain values decide which objects exist; env values may be Outputs.
 */
export interface AppServiceArgs {
  /** Kind of workload. Caution: changing it adds or removes the Service, HTTPRoute and HPA. */
  kind: AppServiceKind;
  /**
   * Container image pinned by tag or digest (`latest` and untagged images are refused).
   * @example "registry.example.com/paimon/api:1.4.2"
   */
  image: string;
  /** Port the container listens on. Required for web and api. @example 8000 */
  port?: number;
  /** Overrides the image entrypoint. @example ["python", "-m", "worker"] */
  command?: string[];
  /** Arguments to the entrypoint. @example ["--worker=rebalance"] */
  args?: string[];
  /** Plain environment variables. Never put secrets here: use `secretEnv` or `secretRefs`. */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Secret environment values. Stored only as Pulumi secrets: in a Kubernetes Secret, or as secret Docker env.
   * @example { API_KEY: config.requireSecret("apiKey") }
   */
  secretEnv?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables read from keys of existing Kubernetes Secrets (e.g. a database password).
   * Kubernetes target only.
   */
  secretRefs?: Record<string, SecretKeyRef>;
  /**
   * The stack's shared environment (see ./shared-env.ts): on Kubernetes the pod reads the ConfigMap through
   * `envFrom` and carries the values' checksum as an annotation, so a change rolls the pods; on Docker the values
   * join the container env. The service's own env, secretEnv and secretRefs win over a shared variable.
   */
  sharedEnv?: SharedEnvSettings;
  /** Requests and limits. @default requests 250m/512Mi, limits 500m/1Gi (Paimon API playbook) */
  resources?: ResourceSettings;
  /** Fixed replica count (no autoscaling). Singletons always run exactly 1. @default 1 */
  replicas?: number;
  /** Horizontal autoscaling (not for singletons). When set, the Deployment has no fixed `replicas`. */
  autoscaling?: AutoscalingSettings;
  /**
   * One-off Jobs (migrations; by default the Deployment waits for them) and CronJobs (with `schedule`), run with the
   * service's image, env, secrets and security context. Kubernetes target only. @default []
   */
  jobs?: JobSettings[];
  /** Further named ports (web/api only), e.g. gRPC beside HTTP. @default [] */
  extraPorts?: ExtraPortSettings[];
  /** Probe settings. Probes need a `port`. */
  health?: HealthSettings;
  /** Exposure through the edge Gateway (HTTPRoute). Required for web, optional for api. */
  ingress?: IngressSettings;
  /** Prometheus metrics; declaring them adds a ServiceMonitor/PodMonitor and exposes `monitoredService`. */
  metrics?: MetricsSettings;
  /**
   * Names of the HTTP series the service exports (request counter, duration histogram, status label) and the
   * latency quantile its alerts use; read by the AlertingStack's RED and SLO rules. Web and api only.
   * @default DEFAULT_HTTP_METRICS (http_requests_total{status}, http_request_duration_seconds, P95)
   * @example { requestsTotal: "paimon_http_requests_total", durationHistogram: "paimon_http_request_duration_seconds", latencyQuantile: 0.99 }
   */
  httpMetrics?: Partial<HttpMetrics>;
  /** Names of other services (in the namespace) allowed to call this one. @default [] */
  allowedCallers?: string[];
  /** Service level objectives the AlertingStack turns into burn-rate alerts. Requires `metrics`. */
  objectives?: ServiceObjectives;
  /** Add a PodDisruptionBudget (maxUnavailable 1); needs at least 2 replicas. @default false */
  podDisruptionBudget?: boolean;
  /** Spread replicas across zones and nodes. @default false */
  zoneSpread?: boolean;
  /** Mount a Kubernetes service-account token (only for services that call the Kubernetes API). @default false */
  serviceAccountToken?: boolean;
  /** UID/GID the container runs as. @default 10001 */
  runAsUser?: number;
  /** Namespaces the NetworkPolicy admits traffic from. */
  networkPolicy?: NetworkPolicySettings;
  /** Docker target settings. */
  docker?: DockerSettings;
  /** Per-child adjustments for settings the component does not model. Keys are child roles. */
  transforms?: Transforms<AppServiceChildRole>;
}

/** Defaults the component applies when args leave a setting out. Stacks override them from the profile. */
export const APP_SERVICE_DEFAULTS = {
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  livenessPath: "/health",
  readinessPath: "/health/ready",
  startup: { periodSeconds: 5, failureThreshold: 30 },
  rateLimit: { rps: 10, burst: 20 },
  clusterIssuer: "letsencrypt-prod",
  cpuPercent: 70,
  memoryPercent: 80,
  metricsPath: "/metrics",
  ingressControllerNamespace: GATEWAY_NAMESPACE,
  visibility: "public",
  maxRequestBodySize: DEFAULT_MAX_REQUEST_BODY_SIZE,
  monitoringNamespace: DEFAULT_MONITORING_NAMESPACE,
  hostIp: "127.0.0.1",
} as const;
