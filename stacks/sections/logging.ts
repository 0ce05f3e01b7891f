import { z } from "zod";
import { LogPipeline, logDatasource, SINK_TYPES, type LogPipelineArgs, type LogSink, type SinkType } from "../../components/log-pipeline";
import { checkMasking, checkSink } from "../../components/log-pipeline/validate";
import { DEFAULT_MASKED_KEYS } from "../../components/log-pipeline/masking";
import { LIMITS } from "../../components/lib/limits";
import type { GrafanaDatasource } from "../../components/lib/datasources";
import { dnsLabel, parseOrThrow, Problems, secretConfigKeyName } from "../../components/lib/validation";
import { CONFIG_NAMESPACE } from "../config";
import type { RequiredSecret, SectionContext } from "./types";

/**
 * The `platform:logging` config section: the log pipeline (components/log-pipeline/).
 *
 *   logging:
 *     enabled: true
 *     sink: { type: elasticsearch, url: "https://es.example.com:9200", user: shipper, passwordSecret: esPassword, indexPrefix: potato-chat }
 *     masking: { keys: [id_card, phone], patterns: ["sk_live_%w+"] }
 *
 * Off unless `enabled`. Without a sink URL a Loki is installed and wired into Grafana; retention follows the profile.
 */
export const SECTION_KEY = "logging";
const PREFIX = `${CONFIG_NAMESPACE}:${SECTION_KEY}`;
const SOURCE = "stack config";
const configKey = secretConfigKeyName("esPassword");

export const schema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Ship container logs (Fluent Bit on every node, or a container on Docker) with secret masking. Default: false. Example: true"),
    sink: z
      .strictObject({
        type: z
          .enum(SINK_TYPES as [string, ...string[]], { message: `must be one of ${SINK_TYPES.join(", ")}` })
          .default("loki")
          .describe("Log store: `loki` (installed here unless url is set, and added to Grafana), `elasticsearch` or `opensearch` (external, url required). Default: loki."),
        url: z.string().optional().describe("https URL of an external sink, without credentials. Default: none (a Loki is installed). Example: `https://es.example.com:9200`"),
        user: z.string().optional().describe("Basic-auth user of the external sink; needs passwordSecret. Example: `shipper`"),
        passwordSecret: configKey.optional().describe("Name of the secret config key holding the sink user's password; it reaches Fluent Bit only as a Secret-backed env var. Example: `esPassword`"),
        indexPrefix: z.string().optional().describe("elasticsearch/opensearch: index prefix, indices are `<prefix>-YYYY.MM.DD`. Default: the project name. Example: `potato-chat`"),
        tenant: z.string().optional().describe("External multi-tenant Loki: tenant id (X-Scope-OrgID). Example: `platform`"),
      })
      .default({ type: "loki" })
      .describe("Where logs go. Default: `{type: loki}`, a Loki installed by the module."),
    masking: z
      .strictObject({
        keys: z
          .array(z.string())
          .default([])
          .describe(`Field-name fragments whose values are masked, in addition to the built-in ${DEFAULT_MASKED_KEYS.join(", ")} (case and '_', '-', '.' ignored). Default: []. Example: [id_card, phone]`),
        patterns: z
          .array(z.string())
          .default([])
          .describe("Extra Lua patterns (Fluent Bit's Lua filter); every match inside a string value becomes `***`. Must not match the empty string. Default: []. Example: [\"sk_live_%w+\"]"),
        cardNumbers: z.boolean().default(true).describe("Mask card numbers (13-19 digits passing the Luhn check), keeping the last four. Default: true."),
      })
      .default({ keys: [], patterns: [], cardNumbers: true })
      .describe("Secret masking applied on the node, before logs leave it. Passwords, tokens, API keys, Authorization headers, cookies and card numbers are always masked."),
    retentionDays: z
      .number()
      .optional()
      .describe(`Days the installed Loki keeps logs, 1 to ${LIMITS.retentionDays}; only with the installed Loki (an external sink keeps logs by its own policy). Default: dev 3, staging 7, prod 30. Example: 14`),
    storageSize: z.string().optional().describe("Volume of the installed Loki (Kubernetes). Default: 10Gi. Example: 50Gi"),
    namespace: dnsLabel.optional().describe("Kubernetes namespace of Fluent Bit and Loki (privileged Pod Security: Fluent Bit mounts host logs read-only). Default: `logging`."),
  })
  .default({ enabled: false, sink: { type: "loki" }, masking: { keys: [], patterns: [], cardNumbers: true } })
  .describe("Log shipping with secret masking (Fluent Bit to Loki, Elasticsearch or OpenSearch).");

export type LoggingConfig = z.output<typeof schema>;

export function parseLogging(raw: unknown): LoggingConfig {
  return parseOrThrow(schema, raw, SOURCE, PREFIX);
}

export function loggingRequiredSecrets(parsed: LoggingConfig): RequiredSecret[] {
  return parsed.enabled && parsed.sink.passwordSecret ? [{ key: parsed.sink.passwordSecret, usedBy: `${PREFIX}.sink.passwordSecret` }] : [];
}

export interface LoggingPlan {
  enabled: boolean;
  args: Omit<LogPipelineArgs, "sinkPassword">;
  passwordKey?: string;
  /** Grafana datasource of the installed Loki (for the AlertingStack). */
  datasource?: GrafanaDatasource;
}

/** Pure: checks the section and fills in the profile defaults. */
export function planLogging(parsed: LoggingConfig, sctx: SectionContext, monitoringNamespace = "monitoring"): LoggingPlan {
  if (!parsed.enabled) return { enabled: false, args: {} };
  const problems = new Problems(SOURCE, PREFIX);
  const { passwordSecret, ...sink } = parsed.sink;
  const logSink: LogSink = { ...sink, type: sink.type as SinkType };
  checkSink(logSink, passwordSecret !== undefined, problems);
  checkMasking(parsed.masking, problems);
  const installed = sink.url === undefined;
  if (parsed.retentionDays !== undefined) {
    if (!Number.isInteger(parsed.retentionDays) || parsed.retentionDays < 1 || parsed.retentionDays > LIMITS.retentionDays) {
      problems.add(["retentionDays"], parsed.retentionDays, `must be a whole number of days from 1 to ${LIMITS.retentionDays}`);
    } else if (!installed) {
      problems.add(["retentionDays"], parsed.retentionDays, "applies to the installed Loki only; an external sink keeps logs by its own policy (ILM, retention_period)");
    }
  }
  if (parsed.storageSize !== undefined) {
    if (!/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/.test(parsed.storageSize)) problems.add(["storageSize"], parsed.storageSize, "must be a volume size like 10Gi");
    else if (sctx.platform.target !== "kubernetes") problems.add(["storageSize"], parsed.storageSize, "applies to the kubernetes target only (Docker keeps Loki's data in a volume)");
  }
  if (parsed.namespace !== undefined && parsed.namespace === sctx.platform.namespace) {
    problems.add(["namespace"], parsed.namespace, "must differ from the workload namespace: Fluent Bit mounts host logs, which its restricted Pod Security forbids");
  }
  problems.throwIfAny();
  const args: LoggingPlan["args"] = {
    sink: logSink,
    masking: parsed.masking,
    ...(installed ? { retentionDays: parsed.retentionDays ?? sctx.profile.logging.retentionDays } : {}),
    ...(parsed.storageSize ? { storageSize: parsed.storageSize } : {}),
    ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
    monitoringNamespace,
  };
  return { enabled: true, args, ...(passwordSecret ? { passwordKey: passwordSecret } : {}), datasource: logDatasource(args, sctx.platform) };
}

export function buildLogging(plan: LoggingPlan, sctx: SectionContext): LogPipeline | undefined {
  if (!plan.enabled) return undefined;
  return new LogPipeline("logging", { ...plan.args, ...(plan.passwordKey ? { sinkPassword: sctx.secrets.get(plan.passwordKey) } : {}) }, sctx.platform);
}
