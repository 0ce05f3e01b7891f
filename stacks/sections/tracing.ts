import { z } from "zod";
import { SAMPLING_MODES, serviceTraceEnv, traceDatasource, TracePipeline, type SamplingMode, type TracePipelineArgs } from "../../components/trace-pipeline";
import { checkRetention, checkSampling, MAX_RETENTION_HOURS } from "../../components/trace-pipeline/validate";
import type { GrafanaDatasource } from "../../components/lib/datasources";
import { dnsLabel, parseOrThrow, Problems } from "../../components/lib/validation";
import { CONFIG_NAMESPACE } from "../config";
import type { ServicesPlan } from "./services";
import type { SectionContext } from "./types";

/**
 * The `platform:tracing` config section: the trace pipeline (components/trace-pipeline/).
 *
 *   tracing:
 *     enabled: true
 *     sampling: { mode: tail, percent: 10, latencyThresholdMs: 300 }
 *
 * Off unless `enabled`. When on, every service gets OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and OTEL_TRACES_EXPORTER (its own `env` wins), and on Kubernetes
 * egress to the collector.
 */
export const SECTION_KEY = "tracing";
const PREFIX = `${CONFIG_NAMESPACE}:${SECTION_KEY}`;
const SOURCE = "stack config";

export const schema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Run an OpenTelemetry Collector and Jaeger, and give every service the OTLP endpoint in its env. Default: false. Example: true"),
    sampling: z
      .strictObject({
        mode: z
          .enum(SAMPLING_MODES as [string, ...string[]], { message: `must be one of ${SAMPLING_MODES.join(", ")}` })
          .optional()
          .describe("`tail`: per whole trace, keeping every trace with an error or slower than latencyThresholdMs plus `percent` of the rest (one collector replica); `probabilistic`: `percent` of traces by trace id. Default: tail."),
        percent: z.number().optional().describe("Share of ordinary traces kept, greater than 0 and at most 100. Default: dev 100, staging 50, prod 10. Example: 25"),
        latencyThresholdMs: z.number().optional().describe("tail: traces slower than this many milliseconds are always kept (1 to 600000). Default: 500. Example: 300"),
      })
      .default({})
      .describe("Sampling at the collector. Default: tail sampling at the profile's percent."),
    retentionHours: z.number().optional().describe(`Hours Jaeger keeps spans, 1 to ${MAX_RETENTION_HOURS}. Default: dev 24, staging 72, prod 168. Example: 48`),
    storageSize: z.string().optional().describe("Jaeger's volume (Kubernetes). Default: 10Gi. Example: 20Gi"),
    replicas: z.number().optional().describe("Collector replicas (Kubernetes), 1 to 10; more than 1 needs sampling.mode probabilistic. Default: 1."),
    namespace: dnsLabel.optional().describe("Kubernetes namespace of the collector and Jaeger (restricted Pod Security). Default: `tracing`."),
  })
  .default({ enabled: false, sampling: {} })
  .describe("Distributed tracing (OpenTelemetry Collector to Jaeger v2).");

export type TracingConfig = z.output<typeof schema>;

export function parseTracing(raw: unknown): TracingConfig {
  return parseOrThrow(schema, raw, SOURCE, PREFIX);
}

export interface TracingPlan {
  enabled: boolean;
  args: TracePipelineArgs;
  datasource?: GrafanaDatasource;
}

/** Pure: checks the section and fills in the profile defaults; `services` are the planned services' names. */
export function planTracing(parsed: TracingConfig, sctx: SectionContext, services: ReadonlyArray<string>, monitoringNamespace = "monitoring"): TracingPlan {
  if (!parsed.enabled) return { enabled: false, args: {} };
  const problems = new Problems(SOURCE, PREFIX);
  const sampling = { ...parsed.sampling, mode: parsed.sampling.mode as SamplingMode | undefined };
  checkSampling(sampling, parsed.replicas, problems);
  checkRetention(parsed.retentionHours, problems);
  const kubernetesOnly = (["storageSize", "replicas"] as const).filter((k) => parsed[k] !== undefined);
  if (sctx.platform.target !== "kubernetes") {
    for (const k of kubernetesOnly) problems.add([k], parsed[k], "applies to the kubernetes target only (Docker runs one collector and keeps Jaeger's data in a volume)");
  }
  if (parsed.storageSize !== undefined && !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/.test(parsed.storageSize)) problems.add(["storageSize"], parsed.storageSize, "must be a volume size like 10Gi");
  if (parsed.namespace !== undefined && parsed.namespace === sctx.platform.namespace) {
    problems.add(["namespace"], parsed.namespace, "must differ from the workload namespace");
  }
  problems.throwIfAny();
  const args: TracePipelineArgs = {
    sampling: { ...sampling, percent: sampling.percent ?? sctx.profile.tracing.samplingPercent },
    retentionHours: parsed.retentionHours ?? sctx.profile.tracing.retentionHours,
    ...(parsed.storageSize ? { storageSize: parsed.storageSize } : {}),
    ...(parsed.replicas !== undefined ? { replicas: parsed.replicas } : {}),
    ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
    monitoringNamespace,
    services: [...services],
  };
  return { enabled: true, args, datasource: traceDatasource(sctx.platform, parsed.namespace) };
}

/** Every service gets the OpenTelemetry SDK environment; a variable the service sets itself wins. Pure. */
export function withTraceEnv(services: ServicesPlan, plan: TracingPlan, sctx: SectionContext): ServicesPlan {
  if (!plan.enabled) return services;
  return services.map((svc) => ({
    ...svc,
    args: { ...svc.args, env: { ...serviceTraceEnv(svc.name, sctx.platform, plan.args.namespace), ...(svc.args.env ?? {}) } },
  }));
}

export function buildTracing(plan: TracingPlan, sctx: SectionContext): TracePipeline | undefined {
  if (!plan.enabled) return undefined;
  return new TracePipeline("tracing", plan.args, sctx.platform);
}
