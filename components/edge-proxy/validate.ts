import { hostname, imagePinProblem, port, Problems } from "../lib/validation";
import { CONTAINER_PORTS, EDGE_DEFAULTS, EDGE_IMAGE, type EdgeProxyArgs } from "./args";
import type { EdgeSite } from "./nginx-conf";

/** Where the config and certificates live inside the container (a volume: the root filesystem is read-only). */
export const CONFIG_DIR = "/etc/nginx/platform";

export interface ResolvedEdgeProxy {
  httpPort: number;
  httpsPort: number;
  hostIp: string;
  maxBodySize: string;
  image: string;
  /** Sites with their certificate file paths (index into args.certificates by `certificateIndex`). */
  sites: Array<EdgeSite & { certificateIndex: number }>;
}

const SIZE = /^\d+[kKmMgG]?$/;

/** True when `pattern` (a hostname or `*.domain`) covers `host`. */
export function certificateCovers(pattern: string, host: string): boolean {
  if (!pattern.startsWith("*.")) return pattern === host;
  const domain = pattern.slice(2);
  const dot = host.indexOf(".");
  return dot > 0 && host.slice(dot + 1) === domain;
}

export interface EdgeValidateOptions {
  source?: string;
  prefix?: string;
}

/**
 * Validates EdgeProxy args and groups the routes into sites. Throws one ValidationError naming every bad key
 * path, value and what is allowed. Pure: registers nothing.
 */
export function validateEdgeProxyArgs(name: string, args: EdgeProxyArgs, options: EdgeValidateOptions = {}): ResolvedEdgeProxy {
  const p = new Problems(options.source ?? `EdgeProxy "${name}" args`, options.prefix ?? "");
  const httpPort = args.httpPort ?? EDGE_DEFAULTS.httpPort;
  const httpsPort = args.httpsPort ?? EDGE_DEFAULTS.httpsPort;
  for (const [key, value] of [["httpPort", httpPort], ["httpsPort", httpsPort]] as const) {
    if (!port.safeParse(value).success) p.add(key, value, "must be an integer port between 1 and 65535");
  }
  if (httpPort === httpsPort) p.add("httpsPort", httpsPort, `must differ from httpPort (${httpPort})`);
  const hostIp = args.hostIp ?? EDGE_DEFAULTS.hostIp;
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(hostIp)) p.add("hostIp", hostIp, "must be an IPv4 address such as 0.0.0.0 or 127.0.0.1");
  const maxBodySize = args.maxBodySize ?? EDGE_DEFAULTS.maxBodySize;
  if (!SIZE.test(maxBodySize)) p.add("maxBodySize", maxBodySize, 'must be an nginx size like "10m", "512k" or "1g"');
  const image = args.image ?? EDGE_IMAGE;
  const pin = imagePinProblem(image);
  if (pin) p.add("image", image, pin);

  if (args.routes.length === 0) p.add("routes", args.routes, "must list at least one route (an edge with nothing behind it serves no one)");
  args.certificates.forEach((c, i) => {
    if (c.hosts.length === 0) p.add(["certificates", i, "hosts"], c.hosts, "must name at least one host");
    c.hosts.forEach((h, j) => {
      if (!hostname.safeParse(h).success) p.add(["certificates", i, "hosts", j], h, "must be a hostname like app.example.com or a wildcard like *.example.com");
    });
  });

  const sites = new Map<string, ResolvedEdgeProxy["sites"][number]>();
  const claimed = new Map<string, string>();
  args.routes.forEach((route, i) => {
    // A gRPC route claims `/<service>/` per gRPC service (or `/` for every call); an HTTP route its path prefix.
    const paths = route.grpc ? (route.grpc.services.length > 0 ? route.grpc.services.map((s) => `/${s}/`) : ["/"]) : [route.path ?? "/"];
    for (const path of paths) {
      const key = `${route.host}${path.replace(/\/+$/, "") || "/"}`;
      const previous = claimed.get(key);
      if (previous) p.add(["routes", i], `${route.host}${path}`, `is already routed to ${previous}; each host and path may go to one service`);
      claimed.set(key, route.grpc ? `service ${route.service} (gRPC port ${route.grpc.portName})` : `service ${route.service}`);
    }
    if (!port.safeParse(route.port).success) p.add(["routes", i, "port"], route.port, "must be an integer port between 1 and 65535");
    let site = sites.get(route.host);
    if (!site) {
      const certificateIndex = args.certificates.findIndex((c) => c.hosts.some((h) => certificateCovers(h, route.host)));
      if (certificateIndex < 0) {
        p.add(["routes", i, "host"], route.host, "is covered by no certificate; add it (or a matching *.domain wildcard) to the hosts of one");
        return;
      }
      site = {
        host: route.host,
        certificateIndex,
        certificateFile: `${CONFIG_DIR}/tls/${certificateIndex}.crt`,
        keyFile: `${CONFIG_DIR}/tls/${certificateIndex}.key`,
        locations: [],
      };
      sites.set(route.host, site);
    }
    for (const path of paths) {
      site.locations.push({
        service: route.service,
        ...(route.grpc ? { grpcPort: route.grpc.portName } : {}),
        path,
        upstream: `${route.service}:${route.port}`,
        rateLimit: route.rateLimit,
        headers: route.grpc ? {} : { ...route.headers },
      });
    }
  });
  p.throwIfAny();
  return { httpPort, httpsPort, hostIp, maxBodySize, image, sites: [...sites.values()] };
}

/** The nginx.conf input for a resolved edge (container-internal ports, Docker DNS). */
export function containerConfigInput(r: ResolvedEdgeProxy) {
  return {
    listen: { ...CONTAINER_PORTS },
    publicHttpsPort: r.httpsPort,
    maxBodySize: r.maxBodySize,
    tempDir: "/tmp",
    sites: r.sites.map(({ certificateIndex: _i, ...site }) => site),
  };
}
