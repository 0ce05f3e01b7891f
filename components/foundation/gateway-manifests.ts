/**
 * Pure builders for the Gateway API edge: the GatewayClass, one EnvoyProxy + Gateway per visibility (public,
 * internal), the HTTP->HTTPS redirect route, the client-facing traffic policy and the data-plane PodMonitor.
 * Fields follow the pinned Envoy Gateway (gateway.envoyproxy.io/v1alpha1) and Gateway API
 * (gateway.networking.k8s.io/v1) CRDs; the integration tier validates every object against those CRDs.
 */

import {
  GATEWAY_CLASS, GATEWAY_NAMES, GATEWAY_NAMESPACE, HTTP_LISTENER, httpsListenerName,
  type EdgeHost, type RouteVisibility,
} from "../lib/gateway";

export type EdgeCloud = "aws" | "alicloud" | "none";

export interface K8sManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

const GATEWAY_API = "gateway.networking.k8s.io";
const ENVOY_API = "gateway.envoyproxy.io/v1alpha1";
/** Envoy Gateway's controller name (the chart's `config.envoyGateway.gateway.controllerName`). */
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
/** Labels Envoy Gateway puts on every proxy pod (internal/infrastructure/kubernetes/proxy EnvoyAppLabel). */
export const ENVOY_PROXY_POD_LABELS = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
} as const;
/** Label naming the Gateway a proxy pod serves. */
export const OWNING_GATEWAY_LABEL = "gateway.envoyproxy.io/owning-gateway-name";

/** Proxy container resources: requests count against the node capacity check (see stacks/capacity.ts). */
export const ENVOY_PROXY_RESOURCES = { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } as const;

/**
 * The seeds' nginx front end (GreenLink): client_header_timeout 15 s, keepalive_timeout 60 s, TLS 1.2+, and
 * worker_connections 51200 as the per-listener connection ceiling.
 */
export const CLIENT_LIMITS = { headersTimeout: "15s", idleTimeout: "60s", connectionLimit: 51200, minTlsVersion: "1.2" } as const;

/**
 * Load balancer Service annotations per cloud and visibility.
 * - AWS: a Network Load Balancer provisioned by the AWS Load Balancer Controller (IP targets, so traffic goes
 *   straight to the proxy pods), proxy protocol v2 so Envoy sees the client address, cross-zone on.
 * - Alibaba Cloud: a CLB (SLB) from the cloud controller manager, internet or intranet; with
 *   externalTrafficPolicy Local the client address reaches the pod unchanged.
 */
export function loadBalancerAnnotations(cloud: EdgeCloud, visibility: RouteVisibility): Record<string, string> {
  switch (cloud) {
    case "aws":
      return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": visibility === "public" ? "internet-facing" : "internal",
        "service.beta.kubernetes.io/aws-load-balancer-proxy-protocol": "*",
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
      };
    case "alicloud":
      return {
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": visibility === "public" ? "internet" : "intranet",
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-instance-charge-type": "PayByCLCU",
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-flag": "on",
      };
    default:
      return {};
  }
}

export interface EdgeGatewayInput {
  cloud: EdgeCloud;
  visibility: RouteVisibility;
  /** Proxy replicas of this Gateway. */
  replicas: number;
  /** HTTPS hosts this Gateway serves (one listener and certificate each). */
  hosts: EdgeHost[];
  /** Namespace whose HTTPRoutes may attach to the HTTPS listeners (the workload namespace). */
  routeNamespace: string;
  /** cert-manager ClusterIssuer for the listeners' certificates. */
  clusterIssuer: string;
  /** CIDRs allowed to reach an internal load balancer (the VPC). Public ones are open to the world on 80/443. */
  internalSourceRanges?: string[];
  /** A CDN sits in front: the client address is the last X-Forwarded-For hop it appends. */
  behindCdn: boolean;
}

export function envoyProxyName(visibility: RouteVisibility): string {
  return `${GATEWAY_NAMES[visibility]}-proxy`;
}

/** The GatewayClass every edge Gateway uses. */
export function gatewayClassManifest(): K8sManifest {
  return {
    apiVersion: `${GATEWAY_API}/v1`,
    kind: "GatewayClass",
    metadata: { name: GATEWAY_CLASS },
    spec: { controllerName: ENVOY_GATEWAY_CONTROLLER, description: "Envoy Gateway managed by platform-stacks" },
  };
}

/**
 * Data-plane settings of one Gateway: replicas, bounded resources, zone spread, a PDB and the load balancer
 * Service. Only the listener ports (80 and 443) become Service ports, so the load balancer opens nothing else.
 */
export function envoyProxyManifest(input: EdgeGatewayInput): K8sManifest {
  const name = GATEWAY_NAMES[input.visibility];
  const exposed = input.cloud !== "none" || input.visibility === "public";
  const service: Record<string, unknown> = exposed
    ? {
        type: "LoadBalancer",
        // Keeps the client address (no SNAT to a node) and avoids a second hop through another node.
        externalTrafficPolicy: "Local",
        annotations: loadBalancerAnnotations(input.cloud, input.visibility),
        ...(input.cloud === "aws" ? { loadBalancerClass: "service.k8s.aws/nlb" } : {}),
        ...(input.visibility === "internal" && input.internalSourceRanges?.length ? { loadBalancerSourceRanges: [...input.internalSourceRanges] } : {}),
      }
    : // An existing cluster on an unknown cloud has no internal load balancer flavour: reach it in-cluster or
      // put your own load balancer in front.
      { type: "ClusterIP" };
  return {
    apiVersion: ENVOY_API,
    kind: "EnvoyProxy",
    metadata: { name: envoyProxyName(input.visibility), namespace: GATEWAY_NAMESPACE },
    spec: {
      provider: {
        type: "Kubernetes",
        kubernetes: {
          envoyDeployment: {
            replicas: input.replicas,
            container: { resources: structuredClone(ENVOY_PROXY_RESOURCES) },
            pod: {
              topologySpreadConstraints: [{
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { ...ENVOY_PROXY_POD_LABELS, [OWNING_GATEWAY_LABEL]: name } },
              }],
            },
          },
          envoyService: service,
          ...(input.replicas > 1 ? { envoyPDB: { minAvailable: 1 } } : {}),
        },
      },
      telemetry: { metrics: { prometheus: {} } },
    },
  };
}

/**
 * One Gateway: a plain-HTTP listener that only redirects (routes from its own namespace: the redirect and
 * cert-manager's ACME challenge routes), and one HTTPS listener per host with the certificate cert-manager
 * issues for it (the `cert-manager.io/cluster-issuer` annotation turns on cert-manager's Gateway integration).
 * A host serving gRPC also admits GRPCRoutes; the plain-HTTP listener never does.
 */
export function gatewayManifest(input: EdgeGatewayInput): K8sManifest {
  const routeNamespaces = { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": input.routeNamespace } } };
  return {
    apiVersion: `${GATEWAY_API}/v1`,
    kind: "Gateway",
    metadata: {
      name: GATEWAY_NAMES[input.visibility],
      namespace: GATEWAY_NAMESPACE,
      annotations: { "cert-manager.io/cluster-issuer": input.clusterIssuer },
    },
    spec: {
      gatewayClassName: GATEWAY_CLASS,
      infrastructure: { parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: envoyProxyName(input.visibility) } },
      listeners: [
        { name: HTTP_LISTENER, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] } },
        ...input.hosts.map((h) => ({
          name: httpsListenerName(h.host),
          protocol: "HTTPS",
          port: 443,
          hostname: h.host,
          tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: h.tlsSecretName }] },
          // GRPCRoutes only where a service routes gRPC to this host (Envoy Gateway offers ALPN h2 on HTTPS listeners).
          allowedRoutes: { namespaces: routeNamespaces, kinds: [{ kind: "HTTPRoute" }, ...(h.grpc ? [{ kind: "GRPCRoute" }] : [])] },
        })),
      ],
    },
  };
}

/** Redirects every plain-HTTP request to HTTPS (ACME challenge routes win by their exact path). */
export function httpsRedirectRouteManifest(visibility: RouteVisibility): K8sManifest {
  return {
    apiVersion: `${GATEWAY_API}/v1`,
    kind: "HTTPRoute",
    metadata: { name: `${GATEWAY_NAMES[visibility]}-https-redirect`, namespace: GATEWAY_NAMESPACE },
    spec: {
      parentRefs: [{ group: GATEWAY_API, kind: "Gateway", name: GATEWAY_NAMES[visibility], sectionName: HTTP_LISTENER }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}

/**
 * How the proxies treat clients: where the client address comes from (so per-client rate limits count users,
 * not load balancer nodes or CDN edges), header/idle timeouts, a connection ceiling and TLS 1.2+.
 *
 * - AWS: the NLB speaks proxy protocol v2, so the connection's source is the client (or the CDN edge).
 * - Alibaba Cloud / existing clusters: externalTrafficPolicy Local keeps the client address on the packet.
 * - Without a CDN nothing in X-Forwarded-For is trusted, so a client cannot pick its own rate-limit bucket.
 * - Behind a CDN, the CDN appends the viewer's address to X-Forwarded-For: trusting exactly one hop makes that
 *   rightmost entry the client address (entries a client forges further left are ignored).
 */
export function clientTrafficPolicyManifest(input: EdgeGatewayInput): K8sManifest {
  return {
    apiVersion: ENVOY_API,
    kind: "ClientTrafficPolicy",
    metadata: { name: `${GATEWAY_NAMES[input.visibility]}-clients`, namespace: GATEWAY_NAMESPACE },
    spec: {
      targetRefs: [{ group: GATEWAY_API, kind: "Gateway", name: GATEWAY_NAMES[input.visibility] }],
      ...(input.cloud === "aws" ? { proxyProtocol: {} } : {}),
      // Without a CDN the connection source already is the client (Envoy's default); X-Forwarded-For is not trusted.
      ...(input.behindCdn && input.visibility === "public" ? { clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } } } : {}),
      timeout: { http: { requestHeadersReceivedTimeout: CLIENT_LIMITS.headersTimeout, idleTimeout: CLIENT_LIMITS.idleTimeout } },
      connection: { connectionLimit: { value: CLIENT_LIMITS.connectionLimit } },
      tls: { minVersion: CLIENT_LIMITS.minTlsVersion },
    },
  };
}

/**
 * Scrapes every Envoy proxy's `/stats/prometheus` (port `metrics`, 19001): per-listener downstream status
 * classes and per-route upstream status/latency, which the edge alerts use.
 */
export function envoyPodMonitorManifest(monitoringLabels: Record<string, string>): K8sManifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "envoy-proxies", namespace: GATEWAY_NAMESPACE, labels: { ...monitoringLabels } },
    spec: {
      selector: { matchLabels: { ...ENVOY_PROXY_POD_LABELS } },
      namespaceSelector: { matchNames: [GATEWAY_NAMESPACE] },
      podMetricsEndpoints: [{
        port: "metrics",
        path: "/stats/prometheus",
        interval: "30s",
        scheme: "http",
        relabelings: [
          { action: "replace", targetLabel: "job", replacement: "envoy-gateway-proxy" },
          { action: "replace", sourceLabels: [`__meta_kubernetes_pod_label_${OWNING_GATEWAY_LABEL.replace(/[./-]/g, "_")}`], targetLabel: "gateway" },
        ],
      }],
    },
  };
}
