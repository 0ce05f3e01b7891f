import type * as pulumi from "@pulumi/pulumi";
import type { Transforms } from "../lib/transform";

/**
 * One public path of one service, from the service's `ingress` settings, or one gRPC port of it (from
 * `extraPorts[].route`), proxied with grpc_pass over HTTP/2.
 */
export interface EdgeRouteArgs {
  /** Service name; also its network alias on the frontend network. */
  service: string;
  /**
   * gRPC route: the extra port's name and the gRPC services routed (locations `/<service>/`; none = every call on
   * the host, location `/`). `path` does not apply. @default an HTTP route
   */
  grpc?: { portName: string; services: string[] };
  /** Public hostname. @example "app.example.com" */
  host: string;
  /** Path prefix. @default "/" */
  path?: string;
  /** Port the service listens on inside its container. */
  port: number;
  /** Per-client rate limit; absent = none. @example { rps: 10, burst: 20 } */
  rateLimit?: { rps: number; burst: number };
  /** Response headers the edge sets (the security headers merged with the service's own). */
  headers: Record<string, string>;
}

/** A certificate and its private key (PEM, as Pulumi secrets) for the hosts it covers. */
export interface EdgeCertificateArgs {
  /** Hostnames the certificate covers; `*.example.com` covers one label below example.com. */
  hosts: string[];
  /** PEM certificate chain (leaf first). */
  certificate: pulumi.Input<string>;
  /** PEM private key. Reaches the container only as a file readable by nginx alone. */
  privateKey: pulumi.Input<string>;
}

export type EdgeProxyRole = "configVolume" | "container";

export interface EdgeProxyArgs {
  /** Routes; each host needs a certificate. */
  routes: EdgeRouteArgs[];
  /** Certificates, first match per host wins. */
  certificates: EdgeCertificateArgs[];
  /** Host port of plain HTTP (redirects only). @default 80 */
  httpPort?: number;
  /** Host port of HTTPS. @default 443 */
  httpsPort?: number;
  /** Host address both ports bind to. @default "0.0.0.0" */
  hostIp?: string;
  /** Largest request body accepted (nginx size). @default "10m" */
  maxBodySize?: string;
  /** nginx image, pinned. @default EDGE_IMAGE */
  image?: string;
  /** Per-child adjustments. */
  transforms?: Transforms<EdgeProxyRole>;
}

/** The official nginx image, pinned (Alpine: busybox wget for the healthcheck). */
export const EDGE_IMAGE = "nginx:1.28.0-alpine";

export const EDGE_DEFAULTS = { httpPort: 80, httpsPort: 443, hostIp: "0.0.0.0", maxBodySize: "10m" } as const;

/** nginx's uid/gid in the official image; the container runs as it, never as root. */
export const NGINX_UID = 101;

/** Ports nginx listens on inside the container (unprivileged, so no NET_BIND_SERVICE capability is needed). */
export const CONTAINER_PORTS = { http: 8080, https: 8443, health: 8081 } as const;
