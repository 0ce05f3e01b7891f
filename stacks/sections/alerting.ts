import { z } from "zod";
import { AlertingStack, builtInAlertFamilies, builtInAlertNames, type AlertingStackArgs } from "../../components/alerting-stack";
import type { Receiver } from "../../components/alerting-stack/receivers";
import { RECEIVER_TYPES } from "../../components/alerting-stack/receivers";
import type { AlertRoutes } from "../../components/alerting-stack/routes";
import type { CustomRule } from "../../components/alerting-stack/rules/custom";
import { checkAlertingSpec } from "../../components/alerting-stack/validate";
import type { MonitoredService } from "../../components/lib/contracts";
import type { MonitoringBundle } from "../../components/lib/monitoring";
import { parseOrThrow, Problems } from "../../components/lib/validation";
import { CONFIG_NAMESPACE } from "../config";
import type { RequiredSecret, SectionContext } from "./types";

/**
 * The `platform:alerting` config section: receivers, routes, thresholds and business alerts.
 *
 *   alerting:
 *     receivers:
 *       - { name: pager, type: pagerduty, secret: pagerdutyRoutingKey }
 *       - { name: critical-chat, type: slack, channel: "#critical-alerts", secret: slackWebhookUrl }
 *       - { name: monitoring-chat, type: slack, channel: "#monitoring", secret: slackWebhookUrl }
 *       - { name: oncall-email, type: email, to: oncall@example.com, from: alerts@example.com,
 *           smarthost: "smtp.sendgrid.net:587", authUsername: apikey, secret: smtpPassword }
 *       - { name: deadman, type: webhook, url: "https://hc-ping.example.com/ping", secret: deadmanToken }
 *     routes:
 *       critical: [pager, critical-chat, oncall-email]
 *       warning: [monitoring-chat]
 *       info: [oncall-email]
 *       watchdog: deadman
 *     thresholds: { cpuPercent: { warning: 85 } }
 *     customRules:
 *       - { alert: HighRiskLevel, expr: "paimon_risk_level >= 3", for: 5m, severity: critical,
 *           summary: High risk level, description: "Risk level is {{ $value }}" }
 *
 * `secret` names a secret config key (pulumi config set --secret <key> <value>); its value reaches
 * Alertmanager only as a mounted file. Retention, storage size and replicas default to the profile.
 */
export const SECTION_KEY = "alerting";
const PREFIX = `${CONFIG_NAMESPACE}:${SECTION_KEY}`;
const SOURCE = "stack config";

const configKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { message: "must be a secret config key name like slackWebhookUrl" });
const text = z.string();

const receiverSchema = z.strictObject({
  name: z.string(),
  type: z.enum(RECEIVER_TYPES as [string, ...string[]], { message: `must be one of ${RECEIVER_TYPES.join(", ")}` }),
  /** Name of the secret config key holding the credential. Required; checked with the type's meaning. */
  secret: configKey.optional(),
  sendResolved: z.boolean().optional(),
  channel: text.optional(),
  to: text.optional(),
  from: text.optional(),
  smarthost: text.optional(),
  authUsername: text.optional(),
  corpId: text.optional(),
  agentId: text.optional(),
  toParty: text.optional(),
  toUser: text.optional(),
  url: text.optional(),
});

const pair = z.strictObject({ warning: z.number().optional(), critical: z.number().optional() });

const customRuleSchema = z.strictObject({
  alert: z.string(),
  expr: z.string(),
  for: z.string(),
  severity: z.string(),
  summary: z.string(),
  description: z.string(),
  runbook: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  group: z.string().optional(),
});

export const schema = z
  .strictObject({
    receivers: z.array(receiverSchema).default([]),
    /** Severity -> receiver names. Unknown severities are reported by `planAlerting` with their key path. */
    routes: z
      .looseObject({
        critical: z.array(z.string()).default([]),
        warning: z.array(z.string()).default([]),
        info: z.array(z.string()).default([]),
        watchdog: z.string().optional(),
      })
      .default({ critical: [], warning: [], info: [] }),
    thresholds: z
      .strictObject({
        cpuPercent: pair.optional(),
        memoryPercent: pair.optional(),
        diskPercent: pair.optional(),
        latencyP95Seconds: pair.optional(),
        errorRatePercent: pair.optional(),
        certificateExpiryDays: pair.optional(),
      })
      .optional(),
    durations: z
      .record(z.string(), z.union([z.string(), z.strictObject({ warning: z.string().optional(), critical: z.string().optional(), info: z.string().optional() })]))
      .optional()
      .describe(
        "How long a built-in alert's condition must hold before it fires (its `for`), per alert family (the alert_family label, e.g. NodeCpuUsage covers NodeCpuUsageHigh and NodeCpuUsageCritical): one duration for every level or { warning, critical }. Unknown families are refused with the list of known ones. Default: each rule's own duration. Example: { NodeCpuUsage: 2m, NodeDiskUsage: 1m }",
      ),
    paging: z
      .boolean()
      .optional()
      .describe(
        "Whether this environment may route alerts to PagerDuty receivers. When false, a pagerduty receiver in any route is refused, so staging never pages the prod on-call. Set true only with a separate PagerDuty service for this environment. Default: the profile's (prod true, dev and staging false). Example: true",
      ),
    customRules: z.array(customRuleSchema).default([]),
    retention: z.string().optional(),
    storageSize: z.string().optional(),
    replicas: z.number().optional(),
    namespace: z.string().optional(),
    chartVersion: z.string().optional(),
  })
  .default({ receivers: [], routes: { critical: [], warning: [], info: [] }, customRules: [] });

export type AlertingConfig = z.output<typeof schema>;

export function parseAlerting(raw: unknown): AlertingConfig {
  return parseOrThrow(schema, raw, SOURCE, PREFIX);
}

/** Every secret config key the receivers name. */
export function alertingRequiredSecrets(parsed: AlertingConfig): RequiredSecret[] {
  return parsed.receivers
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.secret !== undefined)
    .map(({ r, i }) => ({ key: r.secret!, usedBy: `${PREFIX}.receivers[${i}].secret` }));
}

/**
 * Only environments whose profile pages (prod) may route to a PagerDuty receiver: a staging outage must not
 * wake the prod on-call. Staging sends criticals to chat and email instead, or opts in with
 * `paging: true` and its own PagerDuty service.
 */
function checkPaging(parsed: AlertingConfig, paging: boolean, environment: string, problems: Problems): void {
  if (paging) return;
  const pagers = new Set(parsed.receivers.filter((r) => r.type === "pagerduty").map((r) => r.name));
  for (const severity of ["critical", "warning", "info"] as const) {
    (parsed.routes[severity] ?? []).forEach((name, i) => {
      if (pagers.has(name)) {
        problems.add(
          ["routes", severity, i],
          name,
          `${environment} does not page: route its alerts to chat or email receivers, or set ${PREFIX}.paging: true with a PagerDuty service of its own (never the prod one)`,
        );
      }
    });
  }
  if (parsed.routes.watchdog !== undefined && pagers.has(parsed.routes.watchdog)) {
    problems.add(["routes", "watchdog"], parsed.routes.watchdog, `${environment} does not page: the watchdog goes to a dead-man's switch, not PagerDuty`);
  }
}

/** Validated AlertingStack args, minus what other sections provide and the secret values. */
export interface AlertingPlan {
  args: Omit<AlertingStackArgs, "receivers" | "services" | "monitoring" | "managedControlPlane">;
  /** Receivers with the config key of their secret (read at build time, only as a Pulumi secret). */
  receivers: Array<Receiver & { secretKey: string }>;
}

/** Pure: checks everything the section can know and fills in the profile defaults. */
export function planAlerting(parsed: AlertingConfig, sctx: SectionContext): AlertingPlan {
  const problems = new Problems(SOURCE, PREFIX);
  checkAlertingSpec(
    {
      receivers: parsed.receivers,
      routes: parsed.routes,
      thresholds: parsed.thresholds,
      durations: parsed.durations,
      customRules: parsed.customRules as Array<Partial<CustomRule>>,
      retention: parsed.retention,
      storageSize: parsed.storageSize,
      replicas: parsed.replicas,
    },
    problems,
    builtInAlertNames(sctx.platform.target),
    builtInAlertFamilies(sctx.platform.target),
  );
  checkPaging(parsed, parsed.paging ?? sctx.profile.alerting.paging, sctx.platform.environment, problems);
  if (parsed.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(parsed.namespace)) {
    problems.add(["namespace"], parsed.namespace, "must be a DNS label");
  }
  problems.throwIfAny();

  const routes = parsed.routes as unknown as AlertRoutes;
  return {
    args: {
      routes: { critical: routes.critical, warning: routes.warning, info: routes.info, ...(routes.watchdog ? { watchdog: routes.watchdog } : {}) },
      ...(parsed.thresholds ? { thresholds: parsed.thresholds } : {}),
      ...(parsed.durations ? { durations: parsed.durations } : {}),
      customRules: parsed.customRules as CustomRule[],
      retention: parsed.retention ?? sctx.profile.alerting.retention,
      storageSize: parsed.storageSize ?? sctx.profile.alerting.storageSize,
      replicas: parsed.replicas ?? sctx.profile.alerting.replicas,
      ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
      ...(parsed.chartVersion ? { chartVersion: parsed.chartVersion } : {}),
    },
    receivers: parsed.receivers.map(({ secret, ...r }) => ({ ...(r as Receiver), secretKey: secret! })),
  };
}

export interface AlertingDeps {
  /** Rules, dashboards and scrape targets of the other components (mergeMonitoring of them). */
  monitoring: MonitoringBundle;
  /** Services with metrics (AppService.monitoredService). */
  services: MonitoredService[];
  /** From the foundation: EKS/ACK control planes cannot be scraped. */
  managedControlPlane: boolean;
  /** Public URLs of the services (ingress hosts), probed from outside. */
  probeTargets?: string[];
  /** Where the foundation's edge installed cert-manager, when it did. */
  certManagerNamespace?: string;
}

/**
 * Registers the AlertingStack. Service objectives arrive only now (from the services section); the
 * component validates them before registering anything.
 */
export function buildAlerting(plan: AlertingPlan, sctx: SectionContext, deps: AlertingDeps): AlertingStack {
  return new AlertingStack("alerting", {
    ...plan.args,
    receivers: plan.receivers.map(({ secretKey, ...r }) => ({ ...r, secret: sctx.secrets.get(secretKey) })),
    services: deps.services,
    monitoring: deps.monitoring,
    managedControlPlane: deps.managedControlPlane,
    ...(deps.probeTargets && deps.probeTargets.length > 0 ? { probeTargets: deps.probeTargets } : {}),
    ...(deps.certManagerNamespace ? { certManagerNamespace: deps.certManagerNamespace } : {}),
  }, sctx.platform);
}

export const plan = planAlerting;
export const build = buildAlerting;
