import { imagePinProblem, Problems } from "../lib/validation";
import type { PlatformContext } from "../lib/platform";
import { SAMPLING_MODES, TRACE_DEFAULTS, TRACE_PIPELINE_IMAGES, type SamplingMode, type TracePipelineArgs } from "./args";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Spans are for recent incidents; a year of Badger data on one volume is a mistake, not a plan. */
export const MAX_RETENTION_HOURS = 24 * 90;

export interface ResolvedTracePipeline {
  sampling: { mode: SamplingMode; percent: number; latencyThresholdMs: number };
  retentionHours: number;
  storageSize: string;
  replicas: number;
  namespace: string;
  monitoringNamespace: string;
  services: string[];
  images: typeof TRACE_PIPELINE_IMAGES;
}

/** Checks the sampling settings (shared with the stack section). */
export function checkSampling(sampling: TracePipelineArgs["sampling"], replicas: number | undefined, problems: Problems, path: ReadonlyArray<PropertyKey> = ["sampling"]): void {
  if (sampling?.mode !== undefined && !SAMPLING_MODES.includes(sampling.mode)) {
    problems.add([...path, "mode"], sampling.mode, `must be one of ${SAMPLING_MODES.join(", ")}`);
  }
  if (sampling?.percent !== undefined && !(typeof sampling.percent === "number" && sampling.percent > 0 && sampling.percent <= 100)) {
    problems.add([...path, "percent"], sampling.percent, "must be a percentage greater than 0 and at most 100");
  }
  if (sampling?.latencyThresholdMs !== undefined) {
    if (!Number.isInteger(sampling.latencyThresholdMs) || sampling.latencyThresholdMs < 1 || sampling.latencyThresholdMs > 600000) {
      problems.add([...path, "latencyThresholdMs"], sampling.latencyThresholdMs, "must be a whole number of milliseconds from 1 to 600000");
    } else if (sampling.mode === "probabilistic") {
      problems.add([...path, "latencyThresholdMs"], sampling.latencyThresholdMs, "applies to tail sampling only (probabilistic sampling decides by trace id alone)");
    }
  }
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1 || replicas > 10)) {
    problems.add(["replicas"], replicas, "must be a whole number from 1 to 10");
  } else if (replicas !== undefined && replicas > 1 && (sampling?.mode ?? "tail") === "tail") {
    problems.add(["replicas"], replicas, "must be 1 with tail sampling: every span of a trace has to reach the same collector; use sampling.mode probabilistic to scale out");
  }
}

export function checkRetention(hours: number | undefined, problems: Problems): void {
  if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > MAX_RETENTION_HOURS)) {
    problems.add(["retentionHours"], hours, `must be a whole number of hours from 1 to ${MAX_RETENTION_HOURS}`);
  }
}

export function validateTracePipelineArgs(name: string, args: TracePipelineArgs, ctx: PlatformContext): ResolvedTracePipeline {
  const problems = new Problems(`TracePipeline "${name}" args`);
  checkSampling(args.sampling, args.replicas, problems);
  checkRetention(args.retentionHours, problems);
  if (args.storageSize !== undefined && !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/.test(args.storageSize)) problems.add(["storageSize"], args.storageSize, "must be a volume size like 10Gi");
  for (const key of ["namespace", "monitoringNamespace"] as const) {
    const v = args[key];
    if (v !== undefined && !DNS_LABEL.test(v)) problems.add([key], v, "must be a namespace name (DNS label)");
  }
  if (args.namespace !== undefined && args.namespace === ctx.namespace) {
    problems.add(["namespace"], args.namespace, "must differ from the workload namespace (the collector's policies admit that namespace as a whole)");
  }
  (args.services ?? []).forEach((s, i) => {
    if (!DNS_LABEL.test(s)) problems.add(["services", i], s, "must be a service name (DNS label)");
  });
  for (const [role, image] of Object.entries(args.images ?? {})) {
    const problem = imagePinProblem(image as string);
    if (problem) problems.add(["images", role], image, problem);
  }
  problems.throwIfAny();
  return {
    sampling: {
      mode: args.sampling?.mode ?? "tail",
      percent: args.sampling?.percent ?? TRACE_DEFAULTS.percent,
      latencyThresholdMs: args.sampling?.latencyThresholdMs ?? TRACE_DEFAULTS.latencyThresholdMs,
    },
    retentionHours: args.retentionHours ?? TRACE_DEFAULTS.retentionHours,
    storageSize: args.storageSize ?? TRACE_DEFAULTS.storageSize,
    replicas: args.replicas ?? TRACE_DEFAULTS.replicas,
    namespace: args.namespace ?? TRACE_DEFAULTS.namespace,
    monitoringNamespace: args.monitoringNamespace ?? TRACE_DEFAULTS.monitoringNamespace,
    services: args.services ?? [],
    images: { ...TRACE_PIPELINE_IMAGES, ...(args.images ?? {}) },
  };
}
