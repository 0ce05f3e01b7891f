import type { DataStoreEgress } from "../lib/network-policy";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LIMITS } from "../lib/limits";
import type { SecretKeyRef, ServiceObjectives } from "../lib/contracts";
import { DEFAULT_RUN_AS_USER } from "../lib/k8s";
import type { PlatformContext } from "../lib/platform";
import type { Transforms } from "../lib/transform";
import {
  cpuMillis,
  cpuQuantity,
  dnsLabel,
  hostname,
  memoryBytes,
  memoryQuantity,
  parseOrThrow,
  percent,
  pinnedImage,
  port,
  Problems,
} from "../lib/validation";
import {
  APP_SERVICE_DEFAULTS as D,
  APP_SERVICE_KINDS,
  type AppServiceArgs,
  type AppServiceChildRole,
  type AppServiceKind,
  hasService,
  type ResourceSettings,
} from "./args";
import { defaultTlsSecretName, ROUTE_VISIBILITIES, type RouteVisibility } from "../lib/gateway";
import { MAX_RESPONSE_HEADERS } from "../lib/http-headers";
import { httpMetricsSchema, resolveHttpMetrics, type HttpMetrics } from "../lib/http-metrics";
import { headerNameProblem, headerValueProblem, responseHeaders } from "./ingress";
import { sharedEnvChecksum } from "./shared-env";
import { CRON_JOB_NAME_MAX, JOB_NAME_MAX, jobsSchema, type ResolvedJob, resolveJob } from "./jobs";
import { GRPC_APP_PROTOCOLS, grpcRouteSchema, isGrpcPort, type ResolvedGrpcRoute, resolveGrpcRoutes } from "./grpc-route";

// ---------------------------------------------------------------------------------------------
// Field schemas. Exported so the `services` config section validates the same fields the same way.
// ---------------------------------------------------------------------------------------------

const int = (min: number, what: string) =>
  z.number().int({ message: `must be an integer ${what}` }).min(min, { message: `must be an integer ${what}` });

const quantities = z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity });
export const resourcesSchema = z.strictObject({ requests: quantities, limits: quantities });

export const replicasSchema = int(1, "of at least 1")
  .max(LIMITS.replicas, { message: `must be at most ${LIMITS.replicas}` })
  .describe(
    `Fixed replica count (no autoscaling), 1 to ${LIMITS.replicas}. Singletons always run exactly 1; the Docker target runs 1. Default: profile (1).`,
  );

export const autoscalingSchema = z.strictObject({
  min: int(1, "of at least 1").describe("Minimum replicas; the PodDisruptionBudget is sized against it."),
  max: int(1, "of at least 1")
    .max(LIMITS.autoscalingMax, { message: `must be at most ${LIMITS.autoscalingMax}` })
    .describe(`Maximum replicas; at least \`min\`, at most ${LIMITS.autoscalingMax}.`),
  cpuPercent: percent.optional().describe("Target average CPU utilisation in percent of the request. Default: 70 when memoryPercent is not set either."),
  memoryPercent: percent.optional().describe("Target average memory utilisation in percent of the request. Default: none (prod profile: 80)."),
});

const httpPath = z.string().regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { message: "must be a URL path starting with '/'" });

export const healthSchema = z.strictObject({
  livenessPath: z
    .union([z.literal(false), httpPath], { message: "must be a URL path starting with '/' or false" })
    .optional()
    .describe("HTTP path of the liveness probe (and of the startup probe); failing it restarts the container. `false` turns HTTP liveness and the startup probe off (for a port that does not speak HTTP, e.g. gRPC only). Default: `/health` (every service with a port gets it).")
    .meta({ examples: ["/api/health"] }),
  readinessPath: z
    .union([z.literal(false), httpPath], { message: "must be a URL path starting with '/' or false" })
    .optional()
    .describe("HTTP path of the readiness probe (web/api only); failing it takes the pod out of the Service. `false` turns readiness off: the pod then receives traffic as soon as it runs. Default: `/health/ready` for web and api."),
  startup: z
    .union([
      z.literal(false),
      z.strictObject({
        periodSeconds: int(1, "of at least 1").optional().describe("Seconds between startup checks. Default: 5."),
        failureThreshold: int(1, "of at least 1").optional().describe("Failed checks tolerated before a restart (budget = period x threshold). Default: 30."),
      }),
    ])
    .optional()
    .describe("Startup probe on the liveness path, giving slow starts time before liveness applies; `false` disables it. Default: `{periodSeconds: 5, failureThreshold: 30}`."),
  livenessCommand: z
    .array(z.string().min(1))
    .min(1)
    .max(20)
    .optional()
    .describe("Liveness as a command run in the container (exit 0 = alive), for workers without a port; replaces livenessPath. Example: `[/app/healthcheck]`"),
  heartbeat: z
    .strictObject({
      file: z.string().regex(/^\/[A-Za-z0-9._/-]+$/, { message: "must be an absolute file path like /tmp/heartbeat" }).describe("File the worker touches while it makes progress. Example: `/tmp/heartbeat`"),
      maxAgeSeconds: int(10, "of at least 10").max(86400, { message: "must be at most 86400" }).describe("Oldest the file may get before the container is restarted (10 to 86400). Example: 120"),
    })
    .optional()
    .describe("Liveness from a heartbeat file the worker touches (checked with sh, date and stat in the image); for workers without a port. Replaces livenessPath. Example: `{file: /tmp/heartbeat, maxAgeSeconds: 120}`"),
  dockerTest: z
    .array(z.string())
    .min(2, { message: "must be a Docker CMD array like [\"CMD\", \"/app/healthcheck\"]" })
    .optional()
    .describe("Docker target: healthcheck command in Docker's CMD form. The default curls the readiness (or liveness) path and needs curl in the image. Default: `[CMD, curl, -fsS, http://localhost:<port><path>]`. Example: `[CMD, /app/healthcheck]`"),
}).describe("Probes (HTTP probes need a `port`). Override a path, or set it to `false` to turn that probe off. Default: every service with a port gets liveness `/health` with a startup probe on the same path `{periodSeconds: 5, failureThreshold: 30}`, web and api also readiness `/health/ready`; a service without a port gets no probe. Example: `{livenessPath: /livez, readinessPath: false}`");

/** Byte quantity in the form Envoy Gateway's requestBuffer.limit accepts (whole numbers, binary or decimal suffix). */
const bodySize = z.string().regex(/^[1-9][0-9]*([EPTGMK]i|[EPTGMk])?$/, { message: "must be a size like 512Ki, 1Mi or 10M (whole number, optional suffix)" });

export const ingressSchema = z.strictObject({
  host: hostname.describe("Host name clients use; one HTTPS listener and certificate per host on the edge Gateway. Required. Example: `app.example.com`"),
  path: httpPath.optional().describe("Path prefix routed to the service. Default: `/`. Example: `/api`"),
  visibility: z
    .enum(ROUTE_VISIBILITIES as [RouteVisibility, ...RouteVisibility[]], { message: `must be one of ${ROUTE_VISIBILITIES.join(", ")}` })
    .optional()
    .describe("public: internet-facing load balancer; internal: private load balancer reachable from the VPC only (admin UIs). Default: `public`. Example: `internal`"),
  tls: z
    .strictObject({
      clusterIssuer: dnsLabel.optional().describe("cert-manager ClusterIssuer; on the platform edge it must be the edge's issuer (certificates are issued per Gateway). Default: the edge's issuer (letsencrypt-staging outside prod, letsencrypt-prod in prod)."),
      secretName: dnsLabel.optional().describe("Secret in the gateway namespace holding the host's certificate; changing it re-issues the certificate. Default: `<host with dots as dashes>-tls`. Example: `app-example-com-tls`"),
    })
    .optional()
    .describe("TLS (always on) through cert-manager's Gateway integration. Default: `{}`."),
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        rps: int(1, "of at least 1").describe("Sustained requests per second per client IP. Default: `10`."),
        burst: int(0, "of at least 0").describe("Extra requests a client may send at once. Default: `20`."),
      }),
    ])
    .optional()
    .describe("Per-client-IP rate limit (GreenLink nginx playbook); false turns it off. Default: `{rps: 10, burst: 20}`."),
  maxRequestBodySize: bodySize.optional().describe("Largest request body accepted; larger requests get HTTP 413. Default: `1Mi`. Example: `10Mi`"),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe("Extra response headers merged over the security headers (same name overrides). Hop-by-hop/framing headers are refused; at most 16 in total. Default: `{}`. Example: `{Content-Security-Policy: \"default-src 'self'\"}`"),
}).describe("Exposure through the edge Gateway: an HTTPRoute with TLS, security headers, per-client rate limit and request size limit. Required for web, optional for api.");

/** Names the component gives its own ports; an extra port must not take them. */
export const RESERVED_PORT_NAMES = ["http", "metrics"] as const;
export const MAX_EXTRA_PORTS = 5;

/** An IANA service name as Kubernetes port names require (not one of the component's own). */
const portName = z
  .string()
  .regex(/^(?=.{1,15}$)(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "must be an IANA service name: 1-15 lowercase letters, digits and single '-', starting and ending with a letter or digit" })
  .refine((n) => /[a-z]/.test(n), { message: "must contain at least one letter" })
  .refine((n) => !(RESERVED_PORT_NAMES as readonly string[]).includes(n), { message: `must not be ${RESERVED_PORT_NAMES.join(" or ")} (the service's own ports)` });

const METRICS_PORT_MESSAGE = "must be a port number (1-65535) or the name of an extra port (like admin)";

export const metricsSchema = z
  .strictObject({
    port: z
      .union([port, z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, { message: METRICS_PORT_MESSAGE })], { message: METRICS_PORT_MESSAGE })
      .optional()
      .describe("Port serving Prometheus metrics: a number (a separate `metrics` port unless it is `port`), or the name of an extra port that serves them, so the ServiceMonitor/scrape config targets it (not a gRPC port: Prometheus scrapes over HTTP/1.1). Default: the service `port`. Example: `9100` or `admin`"),
    path: httpPath.optional().describe("Metrics path. Default: `/metrics`."),
  })
  .describe("Prometheus metrics: a ServiceMonitor/PodMonitor on Kubernetes, a scrape target on Docker.");

export const objectivesSchema = z.strictObject({
  availabilityPercent: percent
    .lt(100, { message: "must be below 100 (a 100% objective leaves no error budget)" })
    .optional()
    .describe("Share of requests that must not fail (5xx). Example: `99.9`"),
  latency: z
    .strictObject({
      thresholdSeconds: z.number().gt(0, { message: "must be a positive number of seconds" }).describe("Latency a request must beat. Example: `1`"),
      percent: percent.lt(100, { message: "must be below 100 (a 100% objective leaves no error budget)" }).describe("Share of requests that must beat it. Example: `95`"),
    })
    .optional()
    .describe("Latency objective."),
}).describe("Service level objectives the AlertingStack turns into multi-window burn-rate alerts. Needs `metrics`; web/api only.");

export const networkPolicySchema = z.strictObject({
  ingressControllerNamespace: dnsLabel.optional().describe("Namespace of the edge proxies, admitted to services with an ingress. Default: `envoy-gateway-system`."),
  monitoringNamespace: dnsLabel.optional().describe("Namespace Prometheus runs in, admitted to the metrics port. Default: `monitoring`."),
  egress: z
    .array(
      z.strictObject({
        // A pattern rather than z.cidrv4(): the generated JSON Schema must stay readable by every editor validator.
        cidr: z
          .string()
          .regex(/^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/, { message: "must be an IPv4 CIDR like 203.0.113.0/24" })
          .describe("Destination range. Example: `203.0.113.0/24`"),
        ports: z.array(port).min(1).max(20).describe("TCP ports. Example: `[443]`"),
      }),
    )
    .max(50)
    .optional()
    .describe("Destinations outside the cluster the pods may call (external APIs); everything not listed is denied. DNS, other pods of the namespace (subject to their allowedCallers) and the connected data stores are always allowed. Default: none. Example: `[{cidr: 0.0.0.0/0, ports: [443]}]`"),
}).describe("Namespaces the deny-by-default NetworkPolicy admits traffic from.");

export const extraPortsSchema = z
  .array(
    z.strictObject({
      name: portName.describe("Port name on the container and the Service. Example: `grpc`"),
      port: port.describe("Container port, also the Service port; must differ from `port`, `metrics.port` and the other extra ports. Example: 9090"),
      appProtocol: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[-a-zA-Z0-9_.]+)?$/, { message: "must be a protocol name like grpc or a prefixed one like kubernetes.io/h2c" })
        .max(63)
        .optional()
        .describe("`appProtocol` of the Service port, a hint for meshes and proxies; `grpc` or `kubernetes.io/h2c` lets `route` expose the port on the edge. Default: none. Example: `kubernetes.io/h2c`"),
      route: grpcRouteSchema.optional(),
    }),
  )
  .max(MAX_EXTRA_PORTS, { message: `must list at most ${MAX_EXTRA_PORTS} ports` })
  .describe(
    "Further named ports besides `port` (web/api only), e.g. gRPC: a container port, the same port on the Service, and NetworkPolicy ingress from `allowedCallers`. Probes stay on `port`; `route` puts a gRPC port on the edge Gateway (the gateway namespace is then admitted to it), and `metrics.port` may name an extra port to scrape it. On Docker the port is reachable on the service's networks and never published. Default: none. Example: `[{name: grpc, port: 9090, appProtocol: kubernetes.io/h2c, route: {host: grpc.example.com}}]`",
  );

export const dockerSchema = z.strictObject({
  hostPort: port.optional().describe("Host port the service port is published on (web/api only). Default: the service `port`."),
  hostIp: z
    .ipv4({ message: "must be an IPv4 address such as 127.0.0.1" })
    .optional()
    .describe("Host address the port binds to; anything but 127.0.0.1 only for ports 80/443. Default: `127.0.0.1`."),
}).describe("Docker target settings.");

/** Service names become Kubernetes object names with suffixes up to 17 characters (`-security-headers`). */
export const serviceNameSchema = dnsLabel
  .max(46, { message: "must be at most 46 characters (it prefixes Kubernetes object names)" })
  .describe("Service name (DNS label); prefixes its Kubernetes objects and Docker container. Caution: renaming replaces them.");

/**
 * Optional settings the component args and the `services` config section validate identically: probes,
 * ingress, metrics, callers, objectives and the availability/identity switches.
 */
export const workloadFieldSchemas = {
  extraPorts: extraPortsSchema.optional(),
  jobs: jobsSchema.optional(),
  health: healthSchema.optional(),
  ingress: ingressSchema.optional(),
  metrics: metricsSchema.optional(),
  httpMetrics: httpMetricsSchema.optional(),
  allowedCallers: z
    .array(dnsLabel)
    .optional()
    .describe("Services whose pods may connect to this one (the NetworkPolicy is deny-by-default); web/api only. Default: `[]`."),
  objectives: objectivesSchema.optional(),
  podDisruptionBudget: z
    .boolean()
    .optional()
    .describe("PodDisruptionBudget with maxUnavailable 1; needs at least 2 replicas. Default: profile (prod: on when the minimum is at least 2)."),
  zoneSpread: z.boolean().optional().describe("Spread replicas across zones and nodes. Default: profile (prod: on, never for singletons)."),
  serviceAccountToken: z.boolean().optional().describe("Mount a Kubernetes service-account token (only for services that call the Kubernetes API). Default: false."),
};

const inputValue = z.custom<pulumi.Input<string>>((v) => v !== undefined && v !== null, { message: "must be a string or a Pulumi output" });

const argsSchema = z.strictObject({
  kind: z.enum(APP_SERVICE_KINDS as [AppServiceKind, ...AppServiceKind[]], { message: `must be one of ${APP_SERVICE_KINDS.join(", ")}` }),
  image: pinnedImage,
  port: port.optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), inputValue).optional(),
  secretEnv: z.record(z.string(), inputValue).optional(),
  secretRefs: z.record(z.string(), z.strictObject({ name: inputValue, key: z.string().min(1) })).optional(),
  sharedEnv: z.strictObject({ configMap: inputValue, values: z.record(z.string(), z.string()) }).optional(),
  resources: resourcesSchema.optional(),
  replicas: replicasSchema.optional(),
  autoscaling: autoscalingSchema.optional(),
  ...workloadFieldSchemas,
  runAsUser: int(1, "UID of at least 1 (0 is root)").optional(),
  // Component args also take the data stores (filled in by the stacks from `connections`, not a config key).
  networkPolicy: networkPolicySchema
    .extend({
      dataStores: z
        .array(z.strictObject({ cidrs: z.array(z.cidrv4()).optional(), port: z.union([port, z.custom<pulumi.Output<number>>((v) => pulumi.Output.isInstance(v))]) }))
        .optional(),
    })
    .optional(),
  docker: dockerSchema.optional(),
  transforms: z.record(z.string(), z.custom((v) => typeof v === "function", { message: "must be a function" })).optional(),
});

// ---------------------------------------------------------------------------------------------
// Resolved args: every default applied, every cross-field rule checked. Builders take only this.
// ---------------------------------------------------------------------------------------------

export interface ResolvedProbes {
  port?: number;
  livenessPath?: string;
  readinessPath?: string;
  startup?: { periodSeconds: number; failureThreshold: number };
  dockerTest?: string[];
  /** Exec liveness (health.livenessCommand or the heartbeat check); used with or without a port. */
  livenessCommand?: string[];
}

/** Exec command checking that `file` was modified within `maxAgeSeconds` (needs sh, date and stat). */
export function heartbeatCommand(file: string, maxAgeSeconds: number): string[] {
  return ["sh", "-c", `test $(( $(date +%s) - $(stat -c %Y "$0") )) -lt ${maxAgeSeconds}`, file];
}

/**
 * Advice about probes that is valid but risky. Identical liveness and readiness checks are allowed (a frontend
 * without dependencies often has one health endpoint) but warned about: when the shared check fails because a
 * dependency is down, liveness restarts every pod at once instead of readiness taking them out of rotation.
 */
export function probeWarnings(name: string, args: Pick<AppServiceArgs, "health">): string[] {
  const h = args.health;
  if (typeof h?.livenessPath === "string" && h.livenessPath === h.readinessPath) {
    return [
      `AppService "${name}": health.livenessPath and health.readinessPath are both "${h.livenessPath}". If that check fails because a ` +
        "dependency is down, every pod is restarted at once instead of being taken out of rotation; keep liveness to the " +
        "process itself (e.g. /health) and put dependency checks in readiness (e.g. /health/ready).",
    ];
  }
  return [];
}

export interface ResolvedIngress {
  host: string;
  path: string;
  visibility: RouteVisibility;
  clusterIssuer: string;
  /** Certificate Secret in the gateway namespace. */
  tlsSecretName: string;
  rateLimit?: { rps: number; burst: number };
  maxRequestBodySize: string;
  /** Security headers merged with the user's extra headers. */
  headers: Record<string, string>;
}

export interface ResolvedAppServiceArgs {
  name: string;
  kind: AppServiceKind;
  image: string;
  port?: number;
  /** One-off Jobs and CronJobs (Kubernetes). */
  jobs: ResolvedJob[];
  /** Further named ports (web/api), validated against port and metrics.port. */
  extraPorts: Array<{ name: string; port: number; appProtocol?: string }>;
  command?: string[];
  args?: string[];
  env: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, pulumi.Input<string>>;
  secretRefs: Record<string, SecretKeyRef>;
  /** Shared environment, with the checksum of its values. */
  sharedEnv?: { configMap: pulumi.Input<string>; values: Record<string, string>; checksum: string };
  resources: ResourceSettings;
  /** Fixed replicas; undefined when autoscaling. */
  replicas?: number;
  autoscaling?: { min: number; max: number; cpuPercent?: number; memoryPercent?: number };
  probes: ResolvedProbes;
  ingress?: ResolvedIngress;
  /** Where Prometheus scrapes: the port number and the name of the container/Service port carrying it. */
  metrics?: { port: number; path: string; portName: string };
  /** GRPCRoutes on the edge, one per extra port with a `route`. */
  grpcRoutes: ResolvedGrpcRoute[];
  /** HTTP series names the service's alerts and dashboard read (defaults filled in). */
  httpMetrics: HttpMetrics;
  allowedCallers: string[];
  objectives?: ServiceObjectives;
  podDisruptionBudget: boolean;
  zoneSpread: boolean;
  serviceAccountToken: boolean;
  runAsUser: number;
  networkPolicy: {
    ingressControllerNamespace: string;
    monitoringNamespace: string;
    dataStores: DataStoreEgress[];
    egress: Array<{ cidr: string; ports: number[] }>;
  };
  docker: { hostPort?: number; hostIp: string };
  transforms?: Transforms<AppServiceChildRole>;
}

export interface ValidateOptions {
  /** Error header, e.g. `stack config`. @default `AppService "<name>" args` */
  source?: string;
  /** Key path prefix, e.g. `platform:services[1]`. @default "" */
  prefix?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Validates AppService args against the platform context and returns them with defaults applied. Throws one
 * ValidationError naming each bad key path, the bad value and what is allowed. Pure: registers nothing.
 */
export function validateAppServiceArgs(
  name: string,
  input: AppServiceArgs,
  ctx: Pick<PlatformContext, "target" | "namespace" | "dockerNetworks">,
  options: ValidateOptions = {},
): ResolvedAppServiceArgs {
  const source = options.source ?? `AppService "${name}" args`;
  const prefix = options.prefix ?? "";
  const nameProblems = new Problems(source, prefix);
  const contextProblems = new Problems(source, "platform context");
  const nameCheck = serviceNameSchema.safeParse(name);
  if (!nameCheck.success) nameProblems.add("name", name, nameCheck.error.issues[0].message);
  nameProblems.throwIfAny();

  // The context comes from stacks/, not from the user's args: report it under its own name.
  if (ctx.target === "docker" && !ctx.dockerNetworks) {
    contextProblems.add("dockerNetworks", undefined, "is required on the docker target (services attach to the frontend/backend networks)");
    contextProblems.throwIfAny();
  }

  const args = parseOrThrow(argsSchema, input, source, prefix) as AppServiceArgs;
  const p = new Problems(source, prefix);
  const kind = args.kind;
  const service = hasService(kind);

  // Environment: valid names, each name defined once across plain, secret and referenced values.
  const seen = new Map<string, string>();
  for (const [field, record] of [
    ["env", args.env],
    ["secretEnv", args.secretEnv],
    ["secretRefs", args.secretRefs],
  ] as const) {
    for (const envName of Object.keys(record ?? {})) {
      if (!ENV_NAME.test(envName)) p.add([field, envName], envName, "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      const previous = seen.get(envName);
      if (previous) p.add([field, envName], envName, `is already defined in ${previous}; define each variable once`);
      else seen.set(envName, field);
    }
  }

  for (const envName of Object.keys(args.sharedEnv?.values ?? {})) {
    if (!ENV_NAME.test(envName)) p.add(["sharedEnv", "values", envName], envName, "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  }

  if (service && args.port === undefined) p.add("port", args.port, `is required for kind ${kind} (the Service and probes target it)`);

  // Replicas and scaling.
  if (args.replicas !== undefined && args.autoscaling) {
    p.add("autoscaling", args.autoscaling, "cannot be combined with replicas: set either a fixed replica count or autoscaling");
  }
  if (kind === "singleton") {
    if (args.autoscaling) p.add("autoscaling", args.autoscaling, "is not allowed for kind singleton (it runs exactly one replica)");
    if (args.replicas !== undefined && args.replicas !== 1) p.add("replicas", args.replicas, "must be 1 for kind singleton");
    if (args.podDisruptionBudget) p.add("podDisruptionBudget", true, "is not allowed for kind singleton (one replica cannot keep one available during a drain)");
  }
  if (args.autoscaling) {
    const a = args.autoscaling;
    if (a.min > a.max) p.add(["autoscaling", "min"], a.min, `must be at most autoscaling.max (${a.max})`);
  }
  const minReplicas = args.autoscaling?.min ?? args.replicas ?? 1;
  if (args.podDisruptionBudget && kind !== "singleton" && minReplicas < 2) {
    p.add("podDisruptionBudget", true, `needs at least 2 replicas (minimum is ${minReplicas}); with one replica it would block node drains`);
  }

  // Resources: requests must fit inside limits, or the scheduler promises more than the kernel allows.
  const resources = args.resources ?? structuredClone(D.resources) as ResourceSettings;
  if (cpuMillis(resources.requests.cpu) > cpuMillis(resources.limits.cpu)) {
    p.add(["resources", "requests", "cpu"], resources.requests.cpu, `must not exceed limits.cpu (${resources.limits.cpu})`);
  }
  if (memoryBytes(resources.requests.memory) > memoryBytes(resources.limits.memory)) {
    p.add(["resources", "requests", "memory"], resources.requests.memory, `must not exceed limits.memory (${resources.limits.memory})`);
  }

  // Probes need a port; readiness only matters where a Service routes traffic.
  const health = args.health ?? {};
  const execLiveness = health.livenessCommand !== undefined || health.heartbeat !== undefined;
  // `false` paths and `startup: false` only switch defaults off; they never need a port.
  const httpHealth = typeof health.livenessPath === "string" || typeof health.readinessPath === "string" || (health.startup !== undefined && health.startup !== false);
  const onlyOptOuts = Object.values(health).every((v) => v === false || v === undefined);
  if (args.health && args.port === undefined && httpHealth) {
    p.add("health", args.health, "HTTP probes need a port; set port, or use health.livenessCommand or health.heartbeat for a worker without one");
  } else if (args.health && args.port === undefined && !execLiveness && !onlyOptOuts && !(ctx.target === "docker" && health.dockerTest)) {
    p.add("health", args.health, "needs a port to probe; set port, or use health.livenessCommand / health.heartbeat (or health.dockerTest on the docker target)");
  }
  if (health.livenessCommand && health.heartbeat) {
    p.add(["health", "heartbeat"], health.heartbeat, "cannot be combined with health.livenessCommand; choose one liveness check");
  }
  if (execLiveness && typeof health.livenessPath === "string") {
    p.add(["health", "livenessPath"], health.livenessPath, "cannot be combined with health.livenessCommand or health.heartbeat; choose one liveness check");
  }
  if (health.livenessPath === false && health.startup !== undefined && health.startup !== false) {
    p.add(["health", "startup"], health.startup, "runs on the liveness path, which health.livenessPath: false turns off; remove startup or set a livenessPath");
  }
  if (typeof health.readinessPath === "string" && !service) p.add(["health", "readinessPath"], health.readinessPath, `is only used by kinds with a Service (web, api), not ${kind}`);

  // Ingress.
  if (kind === "web" && !args.ingress) p.add("ingress", undefined, "is required for kind web (it is served through the edge Gateway)");
  if (args.ingress && !service) p.add("ingress", args.ingress, `is only allowed for kinds web and api, not ${kind}`);
  const rateLimit = args.ingress?.rateLimit === false ? undefined : (args.ingress?.rateLimit ?? { ...D.rateLimit });
  const headers = responseHeaders(args.ingress?.headers);
  if (Object.keys(headers).length > MAX_RESPONSE_HEADERS) {
    p.add(["ingress", "headers"], Object.keys(args.ingress?.headers ?? {}), `together with the security headers makes ${Object.keys(headers).length} response headers; a route sets at most ${MAX_RESPONSE_HEADERS}`);
  }
  for (const [header, value] of Object.entries(args.ingress?.headers ?? {})) {
    const nameProblem = headerNameProblem(header);
    if (nameProblem) p.add(["ingress", "headers", header], header, nameProblem);
    const valueProblem = headerValueProblem(value);
    if (valueProblem) p.add(["ingress", "headers", header], value, valueProblem);
  }

  // Metrics and objectives. metrics.port is a number, or the name of the extra port that serves them.
  const extraPorts = args.extraPorts ?? [];
  const metricsRef = args.metrics ? (args.metrics.port ?? args.port) : undefined;
  const metricsExtra = typeof metricsRef === "string" ? extraPorts.find((e) => e.name === metricsRef) : undefined;
  const metricsPort = typeof metricsRef === "string" ? metricsExtra?.port : metricsRef;
  if (args.metrics && metricsRef === undefined) p.add(["metrics", "port"], undefined, "is required when the service has no port");
  if (typeof metricsRef === "string" && !metricsExtra) {
    p.add(["metrics", "port"], metricsRef, `must be a port number or the name of one of the service's extraPorts (known: ${extraPorts.map((e) => e.name).join(", ") || "none"})`);
  }
  if (metricsExtra && isGrpcPort(metricsExtra)) {
    p.add(["metrics", "port"], metricsRef, `names extra port ${metricsExtra.name}, which speaks ${metricsExtra.appProtocol}; Prometheus scrapes over HTTP/1.1, so serve metrics on the HTTP port or a port of their own`);
  }
  if (args.objectives && !args.metrics) p.add("objectives", args.objectives, "need metrics (the SLO alerts are computed from the service's HTTP metrics)");
  if (args.objectives && !service) p.add("objectives", args.objectives, `are only meaningful for HTTP kinds (web, api), not ${kind}`);

  // Extra ports: only where a Service carries them, each name and number once, never a port the service already uses.
  if (extraPorts.length > 0 && !service) p.add("extraPorts", extraPorts.map((e) => e.name), `are only allowed for kinds with a Service (web, api), not ${kind}`);
  const usedPorts = new Map<number, string>();
  if (args.port !== undefined) usedPorts.set(args.port, "port");
  // A metrics port named after an extra port is that port, not a second one.
  if (typeof metricsRef === "number" && metricsRef !== args.port) usedPorts.set(metricsRef, "metrics.port");
  const usedNames = new Set<string>();
  extraPorts.forEach((e, i) => {
    if (usedNames.has(e.name)) p.add(["extraPorts", i, "name"], e.name, "is already the name of another extra port; names must be unique");
    usedNames.add(e.name);
    const owner = usedPorts.get(e.port);
    const hint = owner === "metrics.port" ? ` (to scrape this port, set metrics.port to its name: ${e.name})` : "";
    if (owner) p.add(["extraPorts", i, "port"], e.port, `is already used by ${owner}; each port number once${hint}`);
    else usedPorts.set(e.port, `extraPorts[${i}]`);
  });

  // gRPC routes on the edge: only to ports that speak HTTP/2, each with a host, one Gateway per host, and a host
  // shared with another route only when the route names its services (see ./grpc-route.ts).
  const rateLimitDefault = { ...D.rateLimit };
  const grpcRoutes = resolveGrpcRoutes(extraPorts, args.ingress, rateLimitDefault);
  extraPorts.forEach((e, i) => {
    if (!e.route) return;
    const at = ["extraPorts", i, "route"];
    if (!isGrpcPort(e)) {
      p.add([...at], e.route, `needs appProtocol ${GRPC_APP_PROTOCOLS.join(" or ")} on this port (the Gateway speaks HTTP/2 to it); got appProtocol ${e.appProtocol ?? "none"}`);
    }
    if (e.route.host === undefined && !args.ingress) {
      p.add([...at, "host"], undefined, "is required when the service has no ingress (the route takes the ingress host by default)");
    }
    const r = grpcRoutes.find((g) => g.portName === e.name);
    if (!r) return;
    if (args.ingress && r.host === args.ingress.host) {
      const ingressVisibility = args.ingress.visibility ?? D.visibility;
      if (r.visibility !== ingressVisibility) {
        p.add([...at, "visibility"], r.visibility, `must match ingress.visibility (${ingressVisibility}): the route shares host ${r.host}, and a host is on one Gateway`);
      }
      if (r.services.length === 0) {
        p.add([...at, "services"], undefined, `must name the gRPC services routed (e.g. [payments.v1.PaymentService]) because the route shares host ${r.host} with ingress; or give the route a host of its own (route.host)`);
      }
    }
    grpcRoutes.forEach((other) => {
      if (other.portName === r.portName || other.host !== r.host || grpcRoutes.indexOf(other) > grpcRoutes.indexOf(r)) return;
      if (r.services.length === 0 || other.services.length === 0) {
        p.add([...at, "services"], r.services, `must name the gRPC services routed: extra port ${other.portName} is routed on the same host ${r.host}, and two routes without services cannot be told apart`);
      }
      const twice = r.services.filter((svc) => other.services.includes(svc));
      if (twice.length > 0) p.add([...at, "services"], twice, `are already routed to extra port ${other.portName} on host ${r.host}; route each service to one port`);
      if (other.visibility !== r.visibility) p.add([...at, "visibility"], r.visibility, `must match the route of extra port ${other.portName} (${other.visibility}) on the same host ${r.host}`);
    });
  });

  // Jobs: unique names, object names that fit, `when` only for one-off jobs; Kubernetes only.
  const jobs = (args.jobs ?? []).map((j) => resolveJob(name, args.image, j));
  const jobNames = new Set<string>();
  (args.jobs ?? []).forEach((j, i) => {
    if (jobNames.has(j.name)) p.add(["jobs", i, "name"], j.name, "is already the name of another job of this service; names must be unique");
    jobNames.add(j.name);
    if (j.schedule !== undefined && j.when !== undefined) p.add(["jobs", i, "when"], j.when, "only applies to one-off jobs; a job with a schedule is a CronJob");
    const max = j.schedule !== undefined ? CRON_JOB_NAME_MAX : JOB_NAME_MAX;
    if (jobs[i].objectName.length > max) {
      p.add(["jobs", i, "name"], j.name, `makes the ${j.schedule !== undefined ? "CronJob" : "Job"} name "${jobs[i].objectName}" ${jobs[i].objectName.length} characters; at most ${max}: shorten the job or service name`);
    }
  });
  if (ctx.target === "docker" && jobs.length > 0) {
    p.add("jobs", jobs.map((j) => j.name), "are not supported on the docker target (no Job scheduler); run migrations from the service's entrypoint, or deploy with target kubernetes");
  }

  if (args.allowedCallers?.includes(name)) p.add("allowedCallers", name, "must not list the service itself");
  if (args.allowedCallers && !service) p.add("allowedCallers", args.allowedCallers, `is only meaningful for kinds with a Service (web, api), not ${kind}`);

  // Target-specific rules.
  const docker = { hostIp: args.docker?.hostIp ?? D.hostIp, hostPort: args.docker?.hostPort };
  if (ctx.target === "docker") {
    if (args.autoscaling) p.add("autoscaling", args.autoscaling, "is not supported on the docker target (one container per service); remove it, or deploy with target kubernetes");
    if ((args.replicas ?? 1) > 1) p.add("replicas", args.replicas, "must be 1 on the docker target (one container per service); remove it, or deploy with target kubernetes");
    if (args.secretRefs && Object.keys(args.secretRefs).length > 0) {
      p.add("secretRefs", Object.keys(args.secretRefs), "reference Kubernetes Secrets and are not available on the docker target; pass the values in secretEnv");
    }
    const publishedPort = docker.hostPort ?? args.port;
    if (docker.hostIp !== "127.0.0.1" && !(publishedPort === 80 || publishedPort === 443)) {
      p.add(["docker", "hostIp"], docker.hostIp, "must be 127.0.0.1 unless the published port is 80 or 443 (only the load balancer faces the world)");
    }
  }

  p.throwIfAny();

  const livenessCommand = health.livenessCommand ?? (health.heartbeat ? heartbeatCommand(health.heartbeat.file, health.heartbeat.maxAgeSeconds) : undefined);
  // `false` turns a default probe off; undefined takes the default.
  const readinessPath = service && health.readinessPath !== false ? (health.readinessPath ?? D.readinessPath) : undefined;
  const livenessPath = health.livenessPath === false ? undefined : (health.livenessPath ?? D.livenessPath);
  const startup = health.startup === false || livenessPath === undefined ? undefined : { ...D.startup, ...(health.startup ?? {}) };
  const probes: ResolvedProbes =
    args.port === undefined
      ? { dockerTest: health.dockerTest, livenessCommand }
      : livenessCommand
        ? { port: args.port, readinessPath, dockerTest: health.dockerTest, livenessCommand }
        : { port: args.port, livenessPath, readinessPath, startup, dockerTest: health.dockerTest };

  return {
    name,
    kind,
    image: args.image,
    port: args.port,
    extraPorts: extraPorts.map(({ route: _route, ...e }) => ({ ...e })),
    jobs,
    command: args.command,
    args: args.args,
    env: { ...(args.env ?? {}) },
    secretEnv: { ...(args.secretEnv ?? {}) },
    secretRefs: { ...(args.secretRefs ?? {}) },
    ...(args.sharedEnv
      ? { sharedEnv: { configMap: args.sharedEnv.configMap, values: { ...args.sharedEnv.values }, checksum: sharedEnvChecksum(args.sharedEnv.values) } }
      : {}),
    resources,
    replicas: args.autoscaling ? undefined : kind === "singleton" ? 1 : (args.replicas ?? 1),
    autoscaling: args.autoscaling
      ? {
          min: args.autoscaling.min,
          max: args.autoscaling.max,
          cpuPercent: args.autoscaling.cpuPercent ?? (args.autoscaling.memoryPercent === undefined ? D.cpuPercent : undefined),
          memoryPercent: args.autoscaling.memoryPercent,
        }
      : undefined,
    probes,
    ingress: args.ingress
      ? {
          host: args.ingress.host,
          path: args.ingress.path ?? "/",
          visibility: args.ingress.visibility ?? D.visibility,
          clusterIssuer: args.ingress.tls?.clusterIssuer ?? D.clusterIssuer,
          tlsSecretName: args.ingress.tls?.secretName ?? defaultTlsSecretName(args.ingress.host),
          rateLimit,
          maxRequestBodySize: args.ingress.maxRequestBodySize ?? D.maxRequestBodySize,
          headers,
        }
      : undefined,
    metrics:
      args.metrics && metricsPort !== undefined
        ? { port: metricsPort, path: args.metrics.path ?? D.metricsPath, portName: metricsExtra?.name ?? (metricsPort === args.port ? "http" : "metrics") }
        : undefined,
    grpcRoutes,
    httpMetrics: resolveHttpMetrics(args.httpMetrics),
    allowedCallers: [...(args.allowedCallers ?? [])],
    objectives: args.objectives,
    podDisruptionBudget: args.podDisruptionBudget ?? false,
    zoneSpread: args.zoneSpread ?? false,
    serviceAccountToken: args.serviceAccountToken ?? false,
    runAsUser: args.runAsUser ?? DEFAULT_RUN_AS_USER,
    networkPolicy: {
      ingressControllerNamespace: args.networkPolicy?.ingressControllerNamespace ?? D.ingressControllerNamespace,
      monitoringNamespace: args.networkPolicy?.monitoringNamespace ?? D.monitoringNamespace,
      dataStores: [...(args.networkPolicy?.dataStores ?? [])],
      egress: [...(args.networkPolicy?.egress ?? [])],
    },
    docker,
    transforms: args.transforms,
  };
}
