import { z } from "zod";
import { type AppService, type ResolvedGrpcRoute, resolveGrpcRoutes } from "../../components/app-service";
import { EDGE_DEFAULTS, EDGE_IMAGE, EdgeProxy, type EdgeRouteArgs, validateEdgeProxyArgs } from "../../components/edge-proxy";
import type { HostPortClaim } from "../../components/lib/host-ports";
import { hostname, keyPath, parseOrThrow, pinnedImage, port, Problems, secretConfigKeyName, ValidationError } from "../../components/lib/validation";
import { CONFIG_NAMESPACE } from "../config";
import type { ServicesPlan } from "./services";
import type { RequiredSecret, SectionContext } from "./types";

/**
 * The `platform:dockerEdge` config section: the edge proxy (nginx) of the Docker target. Which hosts and paths it
 * serves, with which rate limits and headers, comes from the services' `ingress` settings, exactly as on
 * Kubernetes; this section only holds what Docker needs on top: the TLS certificates (as secrets) and the ports.
 *
 *   dockerEdge:
 *     certificates:
 *       - { hosts: [app.example.com, api.example.com], certificateSecret: edgeTlsCertificate, keySecret: edgeTlsKey }
 *     httpPort: 80
 *     httpsPort: 443
 *
 * TLS: a provided certificate and key (e.g. issued by your CA or by certbot/acme.sh outside the stack), read
 * only as Pulumi secrets and delivered to nginx as files. ACME inside the stack is not offered on Docker: an
 * HTTP-01 companion needs the engine socket or a writable, shared webroot, which the hardened container has not.
 */
export const SECTION_KEY = "dockerEdge";
const PREFIX = `${CONFIG_NAMESPACE}:${SECTION_KEY}`;
const SOURCE = "stack config";

const configKey = secretConfigKeyName("edgeTlsCertificate");

const certificateSchema = z.strictObject({
  hosts: z.array(hostname).min(1, { message: "must name at least one host" })
    .describe("Hostnames the certificate covers; *.example.com covers one label below example.com. Example: [app.example.com, api.example.com]"),
  certificateSecret: configKey.describe("Secret config key holding the PEM certificate chain, leaf first. Example: edgeTlsCertificate"),
  keySecret: configKey.describe("Secret config key holding the PEM private key. Example: edgeTlsKey"),
});

export const schema = z
  .strictObject({
    certificates: z.array(certificateSchema).default([])
      .describe("TLS certificates of the edge; every ingress and gRPC route host must be covered by one (first match wins). Default: []. Example: [{ hosts: [app.example.com], certificateSecret: edgeTlsCertificate, keySecret: edgeTlsKey }]"),
    httpPort: port.optional().describe("Host port of plain HTTP, which only redirects to HTTPS. Default: 80. Example: 8080"),
    httpsPort: port.optional().describe("Host port of HTTPS. Default: 443. Example: 8443"),
    hostIp: z.ipv4({ message: "must be an IPv4 address such as 0.0.0.0" }).optional()
      .describe("Host address the edge binds to. Default: 127.0.0.1 in dev, 0.0.0.0 otherwise (the edge is the only container that faces the world). Example: 0.0.0.0"),
    maxBodySize: z.string().regex(/^\d+[kKmMgG]?$/, { message: 'must be an nginx size like "10m", "512k" or "1g"' }).optional()
      .describe("Largest request body accepted; larger requests get 413. Default: 10m. Example: 50m"),
    image: pinnedImage.optional().describe(`nginx image, pinned by tag or digest. Default: ${EDGE_IMAGE}. Example: nginx:1.28.0-alpine`),
  })
  .optional()
  .describe("Docker target only: the edge proxy (nginx) in front of every service with an ingress. Hosts, paths, rate limits and headers come from services[].ingress. Default: none (required as soon as a service has an ingress on Docker).");

export type DockerEdgeConfig = z.output<typeof schema>;

export function parseDockerEdge(raw: unknown): DockerEdgeConfig {
  return parseOrThrow(schema, raw, SOURCE, PREFIX);
}

export function dockerEdgeRequiredSecrets(parsed: DockerEdgeConfig): RequiredSecret[] {
  return (parsed?.certificates ?? []).flatMap((c, i) => [
    { key: c.certificateSecret, usedBy: keyPath(PREFIX, ["certificates", i, "certificateSecret"]) },
    { key: c.keySecret, usedBy: keyPath(PREFIX, ["certificates", i, "keySecret"]) },
  ]);
}

/** The planned edge, or undefined when no service has an ingress (or the target is Kubernetes). */
export interface DockerEdgePlan {
  httpPort: number;
  httpsPort: number;
  hostIp: string;
  maxBodySize: string;
  image: string;
  certificates: Array<{ hosts: string[]; certificateSecret: string; keySecret: string }>;
  /** Services routed through the edge (by ingress or a gRPC route), in config order. */
  services: string[];
  /** The edge's host ports, for the port plan. */
  hostPorts: HostPortClaim[];
}

/**
 * Pure: checks the section against the target and the services' ingress and gRPC route settings (every host
 * covered by a certificate, no host+path twice) and returns the plan. Throws one ValidationError with key paths.
 */
export function planDockerEdge(parsed: DockerEdgeConfig, sctx: SectionContext, services: ServicesPlan): DockerEdgePlan | undefined {
  const p = new Problems(SOURCE, PREFIX);
  // Every route the edge serves, with the config key that declares it (for messages): ingresses, then gRPC routes.
  const declared = services.flatMap((s, i) => routesFromConfig(s, i));
  // Services the edge proxies to (an ingress, a gRPC route or both), in config order.
  const ingressIndex = services.map((s, i) => ({ s, i })).filter(({ i }) => declared.some((d) => d.index === i));
  if (sctx.platform.target !== "docker") {
    if (parsed !== undefined) p.add([], parsed, "applies to the docker target only (on Kubernetes the foundation's edge serves the ingresses)");
    p.throwIfAny();
    return undefined;
  }
  if (ingressIndex.length === 0) return undefined;
  const certificates = parsed?.certificates ?? [];
  if (certificates.length === 0) {
    const hosts = [...new Set(declared.map((d) => d.route.host))];
    p.add("certificates", certificates,
      `must cover the ingress hosts of the docker edge (${hosts.join(", ")}): add { hosts: [...], certificateSecret, keySecret } naming secrets that hold the PEM certificate and key`);
    p.throwIfAny();
  }
  const plan: DockerEdgePlan = {
    httpPort: parsed?.httpPort ?? EDGE_DEFAULTS.httpPort,
    httpsPort: parsed?.httpsPort ?? EDGE_DEFAULTS.httpsPort,
    hostIp: parsed?.hostIp ?? (sctx.platform.environment === "dev" ? "127.0.0.1" : EDGE_DEFAULTS.hostIp),
    maxBodySize: parsed?.maxBodySize ?? EDGE_DEFAULTS.maxBodySize,
    image: parsed?.image ?? EDGE_IMAGE,
    certificates: certificates.map((c) => ({ ...c, hosts: [...c.hosts] })),
    services: ingressIndex.map(({ s }) => s.name),
    hostPorts: [],
  };
  // Route problems are reported against the key that declares the route.
  const routes = declared.map((d) => d.route);
  try {
    validateEdgeProxyArgs("edge", {
      ...plan,
      routes,
      certificates: plan.certificates.map((c) => ({ hosts: c.hosts, certificate: "<secret>", privateKey: "<secret>" })),
    }, { source: SOURCE, prefix: PREFIX });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(SOURCE, e.problems.map((line) => line.replace(/^platform:dockerEdge\.routes\[(\d+)\]/, (_m, r) => declared[Number(r)].key)));
  }
  plan.hostPorts = [
    { claimant: `${PREFIX}.httpPort`, what: "edge proxy HTTP", ip: plan.hostIp, port: plan.httpPort },
    { claimant: `${PREFIX}.httpsPort`, what: "edge proxy HTTPS", ip: plan.hostIp, port: plan.httpsPort },
  ];
  return plan;
}

/**
 * The routes of one service from its config-level args (its ingress, then each gRPC route), with the key path that
 * declares each; the build uses the component's resolved settings instead.
 */
function routesFromConfig(s: ServicesPlan[number], index: number): Array<{ index: number; key: string; route: EdgeRouteArgs }> {
  const args = s.args;
  const out: Array<{ index: number; key: string; route: EdgeRouteArgs }> = [];
  const at = (...path: PropertyKey[]) => keyPath(`${CONFIG_NAMESPACE}:services`, [index, ...path]);
  if (args.ingress) {
    out.push({ index, key: at("ingress"), route: { service: s.name, host: args.ingress.host, path: args.ingress.path ?? "/", port: args.port ?? 0, headers: {} } });
  }
  const ports = args.extraPorts ?? [];
  for (const g of resolveGrpcRoutes(ports, args.ingress, { rps: 1, burst: 0 })) {
    const j = ports.findIndex((e) => e.name === g.portName);
    out.push({ index, key: at("extraPorts", j, "route"), route: grpcEdgeRoute(s.name, g) });
  }
  return out;
}

/** The edge route of one resolved gRPC route. */
function grpcEdgeRoute(service: string, g: ResolvedGrpcRoute): EdgeRouteArgs {
  return { service, host: g.host, port: g.port, rateLimit: g.rateLimit, headers: {}, grpc: { portName: g.portName, services: [...g.services] } };
}

/** Registers the edge in front of the built services (after them: nginx proxies to their network aliases). */
export function buildDockerEdge(plan: DockerEdgePlan | undefined, sctx: SectionContext, services: Record<string, AppService>): EdgeProxy | undefined {
  if (!plan) return undefined;
  const routes: EdgeRouteArgs[] = plan.services.flatMap((name) => {
    const s = services[name].settings;
    const ingress = s.ingress;
    return [
      ...(ingress ? [{ service: name, host: ingress.host, path: ingress.path, port: s.port!, rateLimit: ingress.rateLimit, headers: ingress.headers }] : []),
      ...s.grpcRoutes.map((g) => grpcEdgeRoute(name, g)),
    ];
  });
  return new EdgeProxy("edge", {
    routes,
    certificates: plan.certificates.map((c) => ({ hosts: c.hosts, certificate: sctx.secrets.get(c.certificateSecret), privateKey: sctx.secrets.get(c.keySecret) })),
    httpPort: plan.httpPort,
    httpsPort: plan.httpsPort,
    hostIp: plan.hostIp,
    maxBodySize: plan.maxBodySize,
    image: plan.image,
  }, sctx.platform, { dependsOn: plan.services.map((n) => services[n].docker!.container) });
}

export const plan = planDockerEdge;
export const build = buildDockerEdge;
