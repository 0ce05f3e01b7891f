import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import type { GrafanaDatasource } from "../lib/datasources";
import type { PlatformContext } from "../lib/platform";
import type { LogPipelineArgs } from "./args";
import { registerDocker } from "./docker";
import { lokiClusterHost, registerKubernetes } from "./kubernetes";
import { LOKI_HOST, LOKI_PORT, type ResolvedSink } from "./sink";
import { validateLogPipelineArgs } from "./validate";

export { LOG_PIPELINE_IMAGES, LOG_DEFAULTS, type LogPipelineArgs, type LogPipelineImages, type MaskingArgs } from "./args";
export { DEFAULT_MASKED_KEYS, maskingScript, MASK_FUNCTION } from "./masking";
export { SINK_TYPES, type LogSink, type SinkType } from "./sink";
export { validateLogPipelineArgs, checkMasking, checkSink } from "./validate";

/** Type token. Never change it (it is part of every child's URN). */
export const LOG_PIPELINE_TYPE = "platform:logging:LogPipeline";

/** Grafana uid of the Loki datasource. */
export const LOKI_DATASOURCE_UID = "loki";

/**
 * The Grafana datasource of the installed Loki (pure; undefined for an external sink, whose own UI or Grafana
 * the user already has). Known at plan time, so the AlertingStack can provision it.
 */
export function logDatasource(args: LogPipelineArgs, ctx: PlatformContext): GrafanaDatasource | undefined {
  if (args.sink?.url !== undefined) return undefined;
  const host = ctx.target === "kubernetes" ? lokiClusterHost(args.namespace ?? "logging") : LOKI_HOST;
  return {
    name: "Loki",
    type: "loki",
    uid: LOKI_DATASOURCE_UID,
    url: `http://${host}:${LOKI_PORT}`,
    // trace_id in a JSON log line links to the trace in the Jaeger datasource (when tracing is on).
    jsonData: { maxLines: 1000, derivedFields: [{ name: "trace_id", matcherRegex: '"trace_id":"(\\w+)"', datasourceUid: "jaeger", url: "$${__value.raw}" }] },
  };
}

/**
 * Log shipping with secret masking: a Fluent Bit DaemonSet (Kubernetes) or container (Docker) that reads the
 * container logs, parses JSON lines, adds pod metadata, masks secret-looking values (./masking.ts) and ships to
 * Loki (installed here by default, retention per environment) or an external Elasticsearch/OpenSearch.
 *
 * @example
 * new LogPipeline("logging", { sink: { type: "elasticsearch", url: "https://es.example.com:9200", user: "shipper" },
 *   sinkPassword: cfg.requireSecret("esPassword"), masking: { keys: ["id_card"] } }, ctx);
 */
export class LogPipeline extends pulumi.ComponentResource {
  readonly sink: ResolvedSink;
  readonly namespace?: k8s.core.v1.Namespace;
  readonly daemonSet?: k8s.apps.v1.DaemonSet;
  readonly config?: k8s.core.v1.ConfigMap;
  readonly networkPolicies: k8s.networking.v1.NetworkPolicy[] = [];
  readonly sinkSecret?: k8s.core.v1.Secret;
  readonly loki?: k8s.apps.v1.StatefulSet;
  readonly lokiService?: k8s.core.v1.Service;
  readonly fluentBitContainer?: docker.Container;
  readonly lokiContainer?: docker.Container;

  constructor(name: string, args: LogPipelineArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    const resolved = validateLogPipelineArgs(name, args, ctx);
    super(LOG_PIPELINE_TYPE, name, {}, opts);
    if (ctx.target === "kubernetes") {
      const k = registerKubernetes(this, name, ctx, resolved, args.sinkPassword, args.transforms);
      this.sink = k.sink;
      this.namespace = k.namespace;
      this.daemonSet = k.daemonSet;
      this.config = k.config;
      this.networkPolicies.push(...k.networkPolicies);
      this.sinkSecret = k.sinkSecret;
      this.loki = k.loki;
      this.lokiService = k.lokiService;
    } else {
      const d = registerDocker(this, name, ctx, resolved, args.sinkPassword, args.transforms);
      this.sink = d.sink;
      this.fluentBitContainer = d.fluentBit;
      this.lokiContainer = d.loki;
    }
    this.registerOutputs({});
  }
}
