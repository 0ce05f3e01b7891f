import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { hardenedContainerBase } from "../lib/docker-container";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import type { LogPipelineRole } from "./args";
import { FLUENT_BIT_CONFIG_FILE, FLUENT_BIT_STATE_DIR, fluentBitConfig, MASKING_SCRIPT_FILE } from "./fluent-bit";
import { LOKI_CONFIG_FILE, LOKI_DATA_DIR, lokiConfig } from "./loki";
import { maskingScript } from "./masking";
import { LOKI_HOST, LOKI_PORT, resolveSink, SINK_PASSWORD_ENV } from "./sink";
import type { ResolvedLogPipeline } from "./validate";

/** Where the engine keeps the json-file logs of its containers (every platform container logs json-file). */
export const DOCKER_CONTAINER_LOGS = "/var/lib/docker/containers";

/**
 * Docker target: a Fluent Bit container tailing the engine's json-file logs (read-only mount) and, for the
 * default sink, a Loki container on the backend network. No published ports: Grafana reaches Loki on the network.
 */
export function registerDocker(
  parent: pulumi.ComponentResource,
  name: string,
  ctx: PlatformContext,
  r: ResolvedLogPipeline,
  sinkPassword: pulumi.Input<string> | undefined,
  t: Transforms<LogPipelineRole> | undefined,
) {
  const opts = { parent, ...providerFor(ctx, "docker") };
  const backend = ctx.dockerNetworks!.backend;
  const sink = resolveSink(r.sink, LOKI_HOST, ctx.project);

  let loki: docker.Container | undefined;
  if (sink.installed) {
    const lokiData = new docker.Volume(`${name}-loki-data`, applyTransform(t, "lokiData", {}), opts);
    loki = new docker.Container(
      `${name}-loki`,
      applyTransform(t, "loki", {
        image: r.images.loki,
        user: "10001:10001",
        command: [`-config.file=${LOKI_CONFIG_FILE}`, "-target=all"],
        networksAdvanced: [{ name: backend, aliases: [LOKI_HOST] }],
        volumes: [{ volumeName: lokiData.name, containerPath: LOKI_DATA_DIR }],
        uploads: [{ file: LOKI_CONFIG_FILE, content: stringify(lokiConfig({ retentionHours: r.retentionDays * 24 })) }],
        healthcheck: { tests: ["CMD", "wget", "-q", "--spider", `http://localhost:${LOKI_PORT}/ready`], interval: "30s", timeout: "5s", retries: 3 },
        ...hardenedContainerBase(512),
      } satisfies docker.ContainerArgs),
      opts,
    );
  }

  const state = new docker.Volume(`${name}-fluent-bit-state`, applyTransform(t, "fluentBitState", {}), opts);
  const fluentBit = new docker.Container(
    `${name}-fluent-bit`,
    applyTransform(t, "fluentBit", {
      image: r.images.fluentBit,
      // The engine's log files are root-owned (0640): read them as root, with no capabilities and no escalation.
      user: "0:0",
      command: ["/fluent-bit/bin/fluent-bit", "-c", FLUENT_BIT_CONFIG_FILE],
      networksAdvanced: [{ name: backend, aliases: ["fluent-bit"] }],
      volumes: [
        { hostPath: DOCKER_CONTAINER_LOGS, containerPath: DOCKER_CONTAINER_LOGS, readOnly: true },
        { volumeName: state.name, containerPath: FLUENT_BIT_STATE_DIR },
      ],
      envs: sinkPassword !== undefined ? [pulumi.secret(pulumi.interpolate`${SINK_PASSWORD_ENV}=${sinkPassword}`)] : [],
      uploads: [
        { file: FLUENT_BIT_CONFIG_FILE, content: stringify(fluentBitConfig({ target: "docker", environment: ctx.environment, sink }), { lineWidth: 0 }) },
        { file: MASKING_SCRIPT_FILE, content: maskingScript(r.masking) },
      ],
      healthcheck: { tests: ["CMD", "/fluent-bit/bin/fluent-bit", "--version"], interval: "60s", timeout: "5s", retries: 3 },
      ...hardenedContainerBase(256),
    } satisfies docker.ContainerArgs),
    { ...opts, dependsOn: loki ? [loki] : [] },
  );
  return { loki, fluentBit, sink };
}
