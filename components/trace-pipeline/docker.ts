import * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { hardenedContainerBase } from "../lib/docker-container";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import type { TracePipelineRole } from "./args";
import { COLLECTOR_CONFIG_FILE, COLLECTOR_HOST, collectorConfig } from "./collector";
import { JAEGER_CONFIG_FILE, JAEGER_DATA_DIR, JAEGER_HOST, JAEGER_OTLP_PORT, jaegerConfig } from "./jaeger";
import type { ResolvedTracePipeline } from "./validate";

/**
 * Docker target: the collector on both tier networks (web and API containers on the frontend send spans too) and
 * Jaeger on the backend only. Non-root, read-only root filesystems, no published ports: Grafana reaches Jaeger
 * on the backend network.
 */
export function registerDocker(
  parent: pulumi.ComponentResource,
  name: string,
  ctx: PlatformContext,
  r: ResolvedTracePipeline,
  t: Transforms<TracePipelineRole> | undefined,
) {
  const opts = { parent, ...providerFor(ctx, "docker") };
  const networks = ctx.dockerNetworks!;
  const data = new docker.Volume(`${name}-jaeger-data`, applyTransform(t, "jaegerData", {}), opts);
  const jaeger = new docker.Container(
    `${name}-jaeger`,
    applyTransform(t, "jaeger", {
      image: r.images.jaeger,
      user: "10001:10001",
      command: [`--config=${JAEGER_CONFIG_FILE}`],
      networksAdvanced: [{ name: networks.backend, aliases: [JAEGER_HOST] }],
      volumes: [{ volumeName: data.name, containerPath: JAEGER_DATA_DIR }],
      uploads: [{ file: JAEGER_CONFIG_FILE, content: stringify(jaegerConfig({ retentionHours: r.retentionHours })) }],
      ...hardenedContainerBase(1024),
    } satisfies docker.ContainerArgs),
    opts,
  );
  const collector = new docker.Container(
    `${name}-collector`,
    applyTransform(t, "collector", {
      image: r.images.collector,
      user: "10001:10001",
      command: [`--config=${COLLECTOR_CONFIG_FILE}`],
      envs: ["GOMEMLIMIT=400MiB"],
      networksAdvanced: [
        { name: networks.frontend, aliases: [COLLECTOR_HOST] },
        { name: networks.backend, aliases: [COLLECTOR_HOST] },
      ],
      uploads: [{ file: COLLECTOR_CONFIG_FILE, content: stringify(collectorConfig({ sampling: r.sampling, jaegerEndpoint: `${JAEGER_HOST}:${JAEGER_OTLP_PORT}` })) }],
      ...hardenedContainerBase(512),
    } satisfies docker.ContainerArgs),
    { ...opts, dependsOn: [jaeger] },
  );
  return { jaeger, collector };
}
