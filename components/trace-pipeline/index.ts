import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type * as k8s from "@pulumi/kubernetes";
import type { GrafanaDatasource } from "../lib/datasources";
import type { PlatformContext } from "../lib/platform";
import { TRACE_DEFAULTS, type TracePipelineArgs } from "./args";
import { COLLECTOR_HOST, otelEnv } from "./collector";
import { registerDocker } from "./docker";
import { JAEGER_HOST, JAEGER_QUERY_PORT } from "./jaeger";
import { collectorClusterHost, jaegerClusterHost, registerKubernetes } from "./kubernetes";
import { validateTracePipelineArgs } from "./validate";

export { TRACE_PIPELINE_IMAGES, TRACE_DEFAULTS, SAMPLING_MODES, type TracePipelineArgs, type SamplingArgs, type SamplingMode } from "./args";
export { collectorConfig, otelEnv } from "./collector";
export { jaegerConfig } from "./jaeger";
export { validateTracePipelineArgs, checkSampling, checkRetention } from "./validate";

/** Type token. Never change it (it is part of every child's URN). */
export const TRACE_PIPELINE_TYPE = "platform:tracing:TracePipeline";
export const JAEGER_DATASOURCE_UID = "jaeger";

/** Where services send spans: the collector's in-cluster or in-network host. */
export function collectorHost(ctx: PlatformContext, namespace: string = TRACE_DEFAULTS.namespace): string {
  return ctx.target === "kubernetes" ? collectorClusterHost(namespace) : COLLECTOR_HOST;
}

/** The OpenTelemetry SDK environment of one service (pure; known at plan time). */
export function serviceTraceEnv(service: string, ctx: PlatformContext, namespace?: string): Record<string, string> {
  return otelEnv(service, collectorHost(ctx, namespace), ctx.environment, ctx.namespace);
}

/** Grafana's Jaeger datasource (pure; known at plan time). */
export function traceDatasource(ctx: PlatformContext, namespace: string = TRACE_DEFAULTS.namespace): GrafanaDatasource {
  const host = ctx.target === "kubernetes" ? jaegerClusterHost(namespace) : JAEGER_HOST;
  return { name: "Jaeger", type: "jaeger", uid: JAEGER_DATASOURCE_UID, url: `http://${host}:${JAEGER_QUERY_PORT}` };
}

/**
 * Distributed tracing: an OpenTelemetry Collector (OTLP in, memory limiter, tail or probabilistic sampling,
 * batch) in front of Jaeger v2 (Badger storage with a TTL, UI and Grafana datasource). Services get
 * OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_SERVICE_NAME from the stack (`serviceTraceEnv`).
 *
 * @example
 * new TracePipeline("tracing", { sampling: { mode: "tail", percent: 10 }, services: ["api"] }, ctx);
 */
export class TracePipeline extends pulumi.ComponentResource {
  readonly namespace?: k8s.core.v1.Namespace;
  readonly collector?: k8s.apps.v1.Deployment;
  readonly collectorConfig?: k8s.core.v1.ConfigMap;
  readonly jaeger?: k8s.apps.v1.StatefulSet;
  readonly networkPolicies: k8s.networking.v1.NetworkPolicy[] = [];
  readonly collectorContainer?: docker.Container;
  readonly jaegerContainer?: docker.Container;

  constructor(name: string, args: TracePipelineArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    const resolved = validateTracePipelineArgs(name, args, ctx);
    super(TRACE_PIPELINE_TYPE, name, {}, opts);
    if (ctx.target === "kubernetes") {
      const k = registerKubernetes(this, name, ctx, resolved, args.transforms);
      this.namespace = k.namespace;
      this.collector = k.collector;
      this.collectorConfig = k.collectorConfig;
      this.jaeger = k.jaeger;
      this.networkPolicies.push(...k.networkPolicies);
    } else {
      const d = registerDocker(this, name, ctx, resolved, args.transforms);
      this.collectorContainer = d.collector;
      this.jaegerContainer = d.jaeger;
    }
    this.registerOutputs({});
  }
}
