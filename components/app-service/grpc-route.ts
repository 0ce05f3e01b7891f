/**
 * gRPC on the edge: an extra port that speaks gRPC (appProtocol `grpc` or `kubernetes.io/h2c`) may be routed from
 * the edge Gateway by a GRPCRoute, on the host of the service's HTTP route or on a host of its own. This file holds
 * what the component args, the config section and the edge plan share: the settings' schema, their resolution
 * (host, visibility, certificate, rate limit) and the Kubernetes manifests (GRPCRoute and its rate limit policy).
 *
 * Why these rules:
 * - The Gateway terminates TLS and speaks HTTP/2 to the pod (Envoy Gateway picks HTTP/2 upstream for every
 *   GRPCRoute backend), so the port must carry gRPC or h2c; clients reach the listener over TLS with ALPN h2.
 * - Envoy Gateway merges the HTTPRoute and GRPCRoute rules of one host into one route table ordered by path
 *   specificity; a GRPCRoute without method matches has no path match and sorts *below* the HTTP route's `/`
 *   prefix, so on a shared host it would never receive a call. A route sharing its host must therefore name its
 *   gRPC services (matched as the path prefix `/<service>/`), which outrank `/`. Gateway API's "cross serving"
 *   clause also lets an implementation accept only one of an HTTPRoute and a GRPCRoute on the same host; Envoy
 *   Gateway does not enforce it, but a host of its own keeps the route portable.
 * - No request buffer for gRPC (unlike the HTTP route's requestBuffer): buffering would hold client-streaming
 *   calls until the stream ends. The per-client rate limit counts calls, as it counts requests on HTTP.
 * - Docker target: the nginx edge (components/edge-proxy) serves the same routes with grpc_pass, one location per
 *   named service (`/<service>/`) or `/`; the same host rules apply.
 */

import { z } from "zod";
import { defaultTlsSecretName, gatewayFor, httpsListenerName, ROUTE_VISIBILITIES, type RouteVisibility } from "../lib/gateway";
import { hostname } from "../lib/validation";
import type { RateLimitSettings } from "./args";

/** appProtocol values of a port the Gateway may route gRPC to (Envoy Gateway speaks HTTP/2 to both). */
export const GRPC_APP_PROTOCOLS = ["grpc", "kubernetes.io/h2c"] as const;

export function isGrpcPort(port: { appProtocol?: string }): boolean {
  return (GRPC_APP_PROTOCOLS as readonly string[]).includes(port.appProtocol ?? "");
}

/** Fully-qualified gRPC service name, as Gateway API's GRPCMethodMatch.service accepts it (without a leading dot). */
const GRPC_SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
export const MAX_GRPC_SERVICES = 16;


/** Settings of the GRPCRoute of one extra port (component args; the config key `extraPorts[].route`). */
export interface GrpcRouteSettings {
  /** Host clients call. @default the service's `ingress.host` @example "grpc.example.com" */
  host?: string;
  /** `public` or `internal` Gateway. @default the service's `ingress.visibility`, else "public" */
  visibility?: RouteVisibility;
  /**
   * gRPC services routed (fully qualified, e.g. `payments.v1.PaymentService`); required when the host is also
   * served by an HTTP route. @default every call on the host
   */
  services?: string[];
  /** Per-client rate limit on calls; `false` turns it off. @default the service's `ingress.rateLimit`, else { rps: 10, burst: 20 } */
  rateLimit?: RateLimitSettings | false;
}

export const grpcRouteSchema = z
  .strictObject({
    host: hostname.optional().describe("Host gRPC clients call; a host of its own gets its own HTTPS listener and certificate on the Gateway. Default: the service's `ingress.host` (then `services` is required). Example: `grpc.example.com`"),
    visibility: z
      .enum(ROUTE_VISIBILITIES as [RouteVisibility, ...RouteVisibility[]], { message: `must be one of ${ROUTE_VISIBILITIES.join(", ")}` })
      .optional()
      .describe("public: internet-facing load balancer; internal: private load balancer reachable from the VPC only. A host is on one Gateway, so it must match the visibility of every other route on the same host. Default: the service's `ingress.visibility`, else `public`. Example: `internal`"),
    services: z
      .array(z.string().regex(GRPC_SERVICE, { message: "must be a fully-qualified gRPC service name like payments.v1.PaymentService" }).max(1024))
      .min(1, { message: "must list at least one gRPC service (leave the key out to route every call)" })
      .max(MAX_GRPC_SERVICES, { message: `must list at most ${MAX_GRPC_SERVICES} services` })
      .optional()
      .describe("gRPC services routed to this port, fully qualified (the request path is /<service>/<method>). Required when another route serves the same host (e.g. the service's own HTTP route): Envoy Gateway ranks routes by path, and only named services outrank the HTTP route's `/`. Default: every call on the host. Example: `[payments.v1.PaymentService]`"),
    rateLimit: z
      .union([
        z.literal(false),
        z.strictObject({
          rps: z.number().int().min(1, { message: "must be an integer of at least 1" }).describe("Sustained calls per second per client IP. Example: `50`"),
          burst: z.number().int().min(0, { message: "must be an integer of at least 0" }).describe("Extra calls a client may make at once. Example: `100`"),
        }),
      ])
      .optional()
      .describe("Per-client-IP limit on calls (a streaming call counts once); false turns it off. Default: the service's `ingress.rateLimit`, else `{rps: 10, burst: 20}`."),
  })
  .describe("Route gRPC calls from the edge Gateway to this port (a GRPCRoute; clients connect over TLS with HTTP/2). On Docker the nginx edge proxies the calls with grpc_pass (HTTP/2 to the container). Needs appProtocol `grpc` or `kubernetes.io/h2c`. `{}` takes the host, visibility and rate limit of the service's `ingress`. Default: not routed (reachable only from `allowedCallers`). Example: `{host: grpc.example.com}`");

/** A routed extra port with every default applied. */
export interface ResolvedGrpcRoute {
  /** Extra port name and number the route targets. */
  portName: string;
  port: number;
  host: string;
  visibility: RouteVisibility;
  /** Certificate Secret of the host's listener: the ingress's when the host is the ingress host. */
  tlsSecretName: string;
  /** gRPC services matched; empty = every call on the host. */
  services: string[];
  rateLimit?: { rps: number; burst: number };
}

interface RouteSource {
  name: string;
  port: number;
  route?: GrpcRouteSettings;
}

interface IngressSource {
  host: string;
  visibility?: RouteVisibility;
  tls?: { secretName?: string };
  rateLimit?: RateLimitSettings | false;
}

/**
 * Resolves the routes of a service's extra ports against its ingress. Pure and lenient: a route without a host (and
 * no ingress to take one from) is left out; validation reports it.
 */
export function resolveGrpcRoutes(extraPorts: ReadonlyArray<RouteSource>, ingress: IngressSource | undefined, defaultRateLimit: RateLimitSettings): ResolvedGrpcRoute[] {
  const out: ResolvedGrpcRoute[] = [];
  for (const e of extraPorts) {
    if (!e.route) continue;
    const host = e.route.host ?? ingress?.host;
    if (host === undefined) continue;
    const onIngressHost = ingress !== undefined && host === ingress.host;
    const rateLimit = e.route.rateLimit ?? ingress?.rateLimit ?? defaultRateLimit;
    out.push({
      portName: e.name,
      port: e.port,
      host,
      visibility: e.route.visibility ?? ingress?.visibility ?? "public",
      tlsSecretName: onIngressHost ? (ingress.tls?.secretName ?? defaultTlsSecretName(host)) : defaultTlsSecretName(host),
      services: [...(e.route.services ?? [])],
      ...(rateLimit ? { rateLimit: { ...rateLimit } } : {}),
    });
  }
  return out;
}

const GATEWAY_API = "gateway.networking.k8s.io";

/** Object name of the GRPCRoute (and its policy) of one port: `<service>-<port name>`. */
export function grpcRouteName(workload: string, portName: string): string {
  return `${workload}-${portName}`;
}

/**
 * The GRPCRoute of one port: bound to the HTTPS listener of its host on the Gateway of its visibility, matching the
 * named services (or every call), to the Service's port (Envoy Gateway speaks HTTP/2 to it).
 */
export function grpcRouteManifest(route: ResolvedGrpcRoute, workload: string, metadata: { namespace: string; labels: Record<string, string> }) {
  const gateway = gatewayFor(route.visibility);
  return {
    apiVersion: `${GATEWAY_API}/v1`,
    kind: "GRPCRoute",
    metadata: { name: grpcRouteName(workload, route.portName), namespace: metadata.namespace, labels: metadata.labels },
    spec: {
      parentRefs: [{ group: GATEWAY_API, kind: "Gateway", name: gateway.name, namespace: gateway.namespace, sectionName: httpsListenerName(route.host) }],
      hostnames: [route.host],
      rules: [{
        ...(route.services.length > 0 ? { matches: route.services.map((service) => ({ method: { type: "Exact", service } })) } : {}),
        backendRefs: [{ group: "", kind: "Service", name: workload, port: route.port }],
      }],
    },
  };
}
