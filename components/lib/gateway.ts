/**
 * The Gateway API edge as the rest of the library sees it: which Gateway a route attaches to and where the
 * proxies run. The edge (components/foundation) creates these Gateways; AppService only references them, so both
 * import the names from here and cannot drift apart.
 */

/** Who can reach a route: `public` (internet-facing load balancer) or `internal` (private load balancer, VPC only). */
export type RouteVisibility = "public" | "internal";
export const ROUTE_VISIBILITIES: readonly RouteVisibility[] = ["public", "internal"];

/**
 * Namespace of the Envoy Gateway controller, the Gateways, their certificates and the Envoy proxy pods
 * (Envoy Gateway runs the data plane in its own namespace). AppService NetworkPolicies admit traffic from it.
 */
export const GATEWAY_NAMESPACE = "envoy-gateway-system";

/** GatewayClass the edge installs (Envoy Gateway's controller). */
export const GATEWAY_CLASS = "envoy";

/** Gateway name per visibility. */
export const GATEWAY_NAMES: Record<RouteVisibility, string> = { public: "public", internal: "internal" };

/** Listener names on each Gateway: the plain-HTTP one only redirects (and serves ACME HTTP-01 challenges). */
export const HTTP_LISTENER = "http";

/** HTTPS listener name for a host (listener names follow the host-name grammar, so the host itself fits). */
export function httpsListenerName(host: string): string {
  return `https-${host}`;
}

export interface GatewayRef {
  name: string;
  namespace: string;
}

/** The Gateway routes of a visibility attach to. */
export function gatewayFor(visibility: RouteVisibility): GatewayRef {
  return { name: GATEWAY_NAMES[visibility], namespace: GATEWAY_NAMESPACE };
}

/**
 * Secret (in the gateway namespace) cert-manager writes a host's certificate to, unless the route names one:
 * derived from the host so that services sharing a host share one certificate.
 */
export function defaultTlsSecretName(host: string): string {
  return `${host.replace(/\./g, "-")}-tls`;
}

/** One HTTPS host the edge must serve, collected from the services' `ingress` settings. */
export interface EdgeHost {
  host: string;
  visibility: RouteVisibility;
  /** Certificate Secret in the gateway namespace. */
  tlsSecretName: string;
  /** A GRPCRoute is served on this host: its listener admits GRPCRoutes besides HTTPRoutes. @default false */
  grpc?: boolean;
}

/**
 * How long a gRPC stream may go without a message either way before the edge (Envoy Gateway, or nginx on Docker)
 * resets it. gRPC routes have no whole-call timeout: Envoy's 15 s route default would cut every server-streaming
 * call, and clients set their own deadlines; this idle bound replaces it.
 */
export const GRPC_STREAM_IDLE_SECONDS = 300;

/** A Gateway has at most 64 listeners (CRD limit); one is the HTTP redirect listener. */
export const MAX_HTTPS_LISTENERS = 63;
