import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ScrapeTarget } from "../lib/monitoring";
import { type DockerNetworks, type PlatformContext, providerFor } from "../lib/platform";
import { cpuMillis, memoryBytes } from "../lib/validation";
import { applyTransform } from "../lib/transform";
import type { AppServiceKind } from "./args";
import type { ResolvedAppServiceArgs } from "./validate";

/**
 * Tiers a kind joins on the local Docker target: the web tier faces the frontend network only, APIs bridge both,
 * background processes sit on the backend with the data stores.
 */
export function dockerNetworksFor(kind: AppServiceKind, networks: DockerNetworks): pulumi.Input<string>[] {
  switch (kind) {
    case "web":
      return [networks.frontend];
    case "api":
      return [networks.frontend, networks.backend];
    case "worker":
    case "singleton":
      return [networks.backend];
  }
}

/** Docker counts memory in MB. */
function megabytes(quantity: string): number {
  return Math.ceil(memoryBytes(quantity) / 2 ** 20);
}

/** Healthcheck: the given command, else curl on the readiness (or liveness) path; none without either. */
function healthcheck(r: ResolvedAppServiceArgs): docker.types.input.ContainerHealthcheck | undefined {
  const path = r.probes.readinessPath ?? r.probes.livenessPath;
  const tests =
    r.probes.dockerTest ??
    (r.probes.livenessCommand ? ["CMD", ...r.probes.livenessCommand] : undefined) ??
    (r.probes.port !== undefined && path ? ["CMD", "curl", "-fsS", `http://localhost:${r.probes.port}${path}`] : undefined);
  if (!tests) return undefined;
  // Interval, timeout, retries and start period from the GreenLink Dockerfiles' HEALTHCHECK.
  return { tests, interval: "30s", timeout: "3s", retries: 3, startPeriod: "5s" };
}

/**
 * `KEY=value` entries. When any secret value is present the whole list is a Pulumi secret, so the plaintext never
 * reaches state, previews or logs (the Docker API takes one env list).
 */
function envs(r: ResolvedAppServiceArgs): pulumi.Input<pulumi.Input<string>[]> {
  // Shared variables the service does not set itself (its own value wins, as with envFrom on Kubernetes). A changed
  // value changes the env list, which replaces the container: the Docker equivalent of rolling the pods.
  const shared = Object.entries(r.sharedEnv?.values ?? {})
    .filter(([k]) => !(k in r.env) && !(k in r.secretEnv))
    .map(([k, v]) => `${k}=${v}`);
  const plain = [...shared, ...Object.entries(r.env).map(([k, v]) => pulumi.interpolate`${k}=${v}`)];
  const secrets = Object.entries(r.secretEnv).map(([k, v]) => pulumi.secret(pulumi.interpolate`${k}=${v}`));
  const all = [...plain, ...secrets];
  return secrets.length > 0 ? pulumi.secret(pulumi.all(all)) : all;
}

/** Container args for one service on the Docker target. Pure: registers nothing. */
export function dockerContainerArgs(r: ResolvedAppServiceArgs, ctx: PlatformContext, imageId: pulumi.Input<string>): docker.ContainerArgs {
  const networks = dockerNetworksFor(r.kind, ctx.dockerNetworks!);
  const publishes = (r.kind === "web" || r.kind === "api") && r.port !== undefined;
  const check = healthcheck(r);
  return {
    image: imageId,
    ...(r.command ? { entrypoints: r.command } : {}),
    ...(r.args ? { command: r.args } : {}),
    envs: envs(r),
    user: `${r.runAsUser}:${r.runAsUser}`,
    readOnly: true,
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    securityOpts: ["no-new-privileges:true"],
    capabilities: { drops: ["ALL"] },
    memory: megabytes(r.resources.limits.memory),
    memoryReservation: megabytes(r.resources.requests.memory),
    cpus: String(cpuMillis(r.resources.limits.cpu) / 1000),
    restart: "unless-stopped",
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
    ...(check ? { healthcheck: check } : {}),
    // Other containers reach the service by its name on every network it joins.
    networksAdvanced: networks.map((name) => ({ name, aliases: [r.name] })),
    ...(publishes ? { ports: [{ internal: r.port!, external: r.docker.hostPort ?? r.port!, ip: r.docker.hostIp, protocol: "tcp" }] } : {}),
    labels: [
      { label: "app.kubernetes.io/name", value: r.name },
      { label: "app.kubernetes.io/component", value: r.kind },
      { label: "app.kubernetes.io/part-of", value: ctx.project },
      { label: "environment", value: ctx.environment },
    ],
  };
}

/** Static scrape target for the Docker target, where Prometheus has no service discovery. */
export function dockerScrapeTarget(r: ResolvedAppServiceArgs): ScrapeTarget | undefined {
  if (!r.metrics) return undefined;
  return { job: r.name, targets: [`${r.name}:${r.metrics.port}`], metricsPath: r.metrics.path, labels: { service: r.name } };
}

export interface DockerChildren {
  image: docker.RemoteImage;
  container: docker.Container;
}

export function registerDocker(parent: pulumi.Resource, r: ResolvedAppServiceArgs, ctx: PlatformContext): DockerChildren {
  const opts = { parent, ...providerFor(ctx, "docker") };
  const image = new docker.RemoteImage(
    `${r.name}-image`,
    applyTransform(r.transforms, "image", { name: r.image, keepLocally: true } as docker.RemoteImageArgs),
    opts,
  );
  const container = new docker.Container(
    `${r.name}-container`,
    applyTransform(r.transforms, "container", dockerContainerArgs(r, ctx, image.imageId)),
    opts,
  );
  return { image, container };
}
