import { LIMITS } from "../lib/limits";
import { imagePinProblem, Problems } from "../lib/validation";
import type { PlatformContext } from "../lib/platform";
import { LOG_DEFAULTS, LOG_PIPELINE_IMAGES, type LogPipelineArgs } from "./args";
import { DEFAULT_MASKED_KEYS, luaPatternProblem, type MaskingSpec } from "./masking";
import { SINK_TYPES, type LogSink } from "./sink";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/;

/** Args with defaults applied, as the builders take them. */
export interface ResolvedLogPipeline {
  sink: LogSink;
  masking: MaskingSpec;
  retentionDays: number;
  storageSize: string;
  namespace: string;
  monitoringNamespace: string;
  images: typeof LOG_PIPELINE_IMAGES;
}

/** Checks the sink settings, reporting at `path` (relative to the caller's prefix). */
export function checkSink(sink: LogSink | undefined, hasPassword: boolean, problems: Problems, path: ReadonlyArray<PropertyKey> = ["sink"]): void {
  if (sink === undefined) return;
  if (!SINK_TYPES.includes(sink.type)) {
    problems.add([...path, "type"], sink.type, `must be one of ${SINK_TYPES.join(", ")}`);
    return;
  }
  if (sink.url === undefined) {
    if (sink.type !== "loki") problems.add([...path, "url"], undefined, `is required for ${sink.type}: this module installs only Loki; give the https URL of your cluster`);
  } else {
    let url: URL | undefined;
    try {
      url = new URL(sink.url);
    } catch {
      problems.add([...path, "url"], sink.url, "must be an absolute https URL like https://logs.example.com:9200");
    }
    if (url) {
      // Never echo credentials pasted into the URL.
      const shown = url.username !== "" || url.password !== "" ? `${url.protocol}//<credentials>@${url.host}${url.pathname}` : sink.url;
      if (url.protocol !== "https:") problems.add([...path, "url"], shown, "must use https: logs leave the cluster encrypted");
      if (shown !== sink.url) problems.add([...path, "url"], shown, "must not carry credentials: set user and the password secret instead");
      if (url.search !== "" || url.hash !== "") problems.add([...path, "url"], shown, "must not have a query or fragment");
    }
  }
  if (sink.user !== undefined && !hasPassword) problems.add([...path, "user"], sink.user, "needs the password secret too (passwordSecret)");
  if (sink.user === undefined && hasPassword) problems.add([...path, "user"], undefined, "is required when a password secret is given");
  if (sink.user !== undefined && sink.url === undefined) problems.add([...path, "user"], sink.user, "applies to an external sink (url) only; the installed Loki is reached inside the cluster");
  if (sink.indexPrefix !== undefined) {
    if (sink.type === "loki") problems.add([...path, "indexPrefix"], sink.indexPrefix, "applies to elasticsearch and opensearch only");
    else if (!/^[a-z0-9][a-z0-9_-]{0,99}$/.test(sink.indexPrefix)) {
      problems.add([...path, "indexPrefix"], sink.indexPrefix, "must be a lowercase index name prefix (letters, digits, '-', '_'), at most 100 characters");
    }
  }
  if (sink.tenant !== undefined) {
    if (sink.type !== "loki" || sink.url === undefined) problems.add([...path, "tenant"], sink.tenant, "applies to an external Loki (type loki with url) only");
    else if (!/^[A-Za-z0-9_.-]{1,150}$/.test(sink.tenant)) problems.add([...path, "tenant"], sink.tenant, "must be a Loki tenant id (letters, digits, '-', '_', '.')");
  }
}

/** Checks the masking settings. */
export function checkMasking(masking: LogPipelineArgs["masking"], problems: Problems, path: ReadonlyArray<PropertyKey> = ["masking"]): void {
  (masking?.keys ?? []).forEach((k, i) => {
    if (typeof k !== "string" || !/^[A-Za-z0-9_.-]{2,64}$/.test(k)) {
      problems.add([...path, "keys", i], k, "must be a field name fragment of 2-64 letters, digits, '_', '-' or '.'");
    }
  });
  (masking?.patterns ?? []).forEach((p, i) => {
    const problem = typeof p === "string" ? luaPatternProblem(p) : "must be a Lua pattern string";
    if (problem) problems.add([...path, "patterns", i], p, problem);
  });
}

/** Validates the args (every problem at once, with key paths) and applies the defaults. Pure. */
export function validateLogPipelineArgs(name: string, args: LogPipelineArgs, ctx: PlatformContext): ResolvedLogPipeline {
  const problems = new Problems(`LogPipeline "${name}" args`);
  checkSink(args.sink, args.sinkPassword !== undefined, problems);
  checkMasking(args.masking, problems);
  const installed = args.sink?.url === undefined;
  if (args.retentionDays !== undefined) {
    if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1 || args.retentionDays > LIMITS.retentionDays) {
      problems.add(["retentionDays"], args.retentionDays, `must be a whole number of days from 1 to ${LIMITS.retentionDays}`);
    } else if (!installed) {
      problems.add(["retentionDays"], args.retentionDays, "applies to the Loki this module installs; an external sink keeps logs by its own policy (ILM, retention_period)");
    }
  }
  if (args.storageSize !== undefined && !MEMORY.test(args.storageSize)) problems.add(["storageSize"], args.storageSize, "must be a volume size like 10Gi");
  for (const key of ["namespace", "monitoringNamespace"] as const) {
    const v = args[key];
    if (v !== undefined && !DNS_LABEL.test(v)) problems.add([key], v, "must be a namespace name (DNS label)");
  }
  if (args.namespace !== undefined && args.namespace === ctx.namespace) {
    problems.add(["namespace"], args.namespace, "must differ from the workload namespace: Fluent Bit mounts host logs, which the workload namespace's restricted Pod Security forbids");
  }
  const images = { ...LOG_PIPELINE_IMAGES, ...(args.images ?? {}) };
  for (const [role, image] of Object.entries(args.images ?? {})) {
    const problem = imagePinProblem(image as string);
    if (problem) problems.add(["images", role], image, problem);
  }
  problems.throwIfAny();
  return {
    sink: args.sink ?? { type: "loki" },
    masking: {
      keys: [...DEFAULT_MASKED_KEYS, ...(args.masking?.keys ?? [])],
      patterns: args.masking?.patterns ?? [],
      cardNumbers: args.masking?.cardNumbers ?? true,
    },
    retentionDays: args.retentionDays ?? LOG_DEFAULTS.retentionDays,
    storageSize: args.storageSize ?? LOG_DEFAULTS.storageSize,
    namespace: args.namespace ?? LOG_DEFAULTS.namespace,
    monitoringNamespace: args.monitoringNamespace ?? LOG_DEFAULTS.monitoringNamespace,
    images,
  };
}
