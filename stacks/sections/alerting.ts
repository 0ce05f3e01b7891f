import { LIMITS } from "../../components/lib/limits";
import { z } from "zod";
import {
  AlertingStack,
  builtInAlertFamilies,
  builtInAlertNames,
  durationsFor,
  familiesOf,
  mergeFamilies,
  type AlertingStackArgs,
} from "../../components/alerting-stack";
import { backupAlertCatalog } from "../../components/backup-job";
import { databaseAlertCatalog } from "../../components/monitored-database";
import { edgeAlertRules } from "../../components/foundation/edge-alerts";
import { kafkaAlertRules } from "../../components/kafka-cluster/alerts";
import { DEFAULT_KAFKA_THRESHOLDS } from "../../components/kafka-cluster/validate";
import { logPipelineRules, tracePipelineRules } from "../../components/lib/pipeline-monitoring";
import type { Environment, Target } from "../../components/lib/platform";
import type { Receiver } from "../../components/alerting-stack/receivers";
import { RECEIVER_TYPES } from "../../components/alerting-stack/receivers";
import type { AlertRoutes } from "../../components/alerting-stack/routes";
import { DEFAULT_GROUPING, MAX_REPEAT_INTERVAL, resolveGrouping, type AlertGrouping } from "../../components/alerting-stack/grouping";
import type { CustomRule } from "../../components/alerting-stack/rules/custom";
import { checkAlertingSpec, checkHostPorts } from "../../components/alerting-stack/validate";
import type { MonitoredService } from "../../components/lib/contracts";
import type { GrafanaDatasource } from "../../components/lib/datasources";
import type { MonitoringBundle } from "../../components/lib/monitoring";
import { parseOrThrow, port, Problems, secretConfigKeyName } from "../../components/lib/validation";
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

const configKey = secretConfigKeyName("slackWebhookUrl");
const text = z.string();

const receiverSchema = z.strictObject({
  name: z.string().describe("Receiver name, referenced by routes (lowercase letters, digits and '-'). Example: `pager`"),
  type: z
    .enum(RECEIVER_TYPES as [string, ...string[]], { message: `must be one of ${RECEIVER_TYPES.join(", ")}` })
    .describe("Integration; decides which fields below are required and what the secret holds."),
  secret: configKey
    .optional()
    .describe("Name of the secret config key holding the credential (slack: webhook URL, email: SMTP password, pagerduty: routing key, wechat: application secret, webhook: bearer token); mounted into Alertmanager as a file. Required."),
  sendResolved: z.boolean().optional().describe("Also notify when an alert resolves. Default: true (false for the watchdog receiver)."),
  channel: text.optional().describe("slack: channel. Example: `#critical-alerts`"),
  to: text.optional().describe("email: comma-separated recipients. Example: `oncall@example.com`"),
  from: text.optional().describe("email: sender address. Example: `alerts@example.com`"),
  smarthost: text.optional().describe("email: SMTP server `host:port` (TLS required). Example: `smtp.sendgrid.net:587`"),
  authUsername: text.optional().describe("email: SMTP user name. Example: `apikey`"),
  corpId: text.optional().describe("wechat: WeChat Work corp id."),
  agentId: text.optional().describe("wechat: application agent id."),
  toParty: text.optional().describe("wechat: department id(s), `|`-separated; one of toParty/toUser is required."),
  toUser: text.optional().describe("wechat: user id(s), `|`-separated."),
  url: text.optional().describe("webhook: https URL (credentials go in the secret, never the URL)."),
});

const pair = (what: string) =>
  z
    .strictObject({
      warning: z.number().optional().describe("Warning threshold."),
      critical: z.number().optional().describe("Critical threshold; must be worse than the warning."),
    })
    .optional()
    .describe(what);

const D = DEFAULT_GROUPING;
const groupByKey = (defaultText: string) =>
  z
    .array(z.string())
    .optional()
    .describe(
      `Labels whose values put alerts into one notification (Alertmanager group_by); ["..."] alone groups by every label, i.e. one notification per alert. Default: ${defaultText}. Example: [alertname, environment, service]`,
    );
const timingKeys = (route: string, d: { groupWait: string; groupInterval: string; repeatInterval: string }, inherits: boolean) => {
  const dflt = (v: string) => (inherits ? `the top-level value when set, else ${v} (profile)` : `${v} (profile)`);
  return {
    groupWait: z.string().optional().describe(`How long a new ${route} group waits for more alerts before its first notification (group_wait), an Alertmanager duration. Default: ${dflt(d.groupWait)}. Example: 0s`),
    groupInterval: z.string().optional().describe(`How long a ${route} group waits before notifying about alerts added to it (group_interval); not 0. Default: ${dflt(d.groupInterval)}. Example: 5m`),
    repeatInterval: z
      .string()
      .optional()
      .describe(`How long before a still-firing ${route} group is notified again (repeat_interval); at least the group interval, at most ${MAX_REPEAT_INTERVAL}. Default: ${dflt(d.repeatInterval)}. Example: 15m`),
  };
};
const severityGrouping = (s: "critical" | "warning" | "info", source: string) =>
  z
    .strictObject({ groupBy: groupByKey(`the top-level groupBy`), ...timingKeys(`${s}`, D[s], true) })
    .optional()
    .describe(
      `group_by and timings of the ${s} route (group_wait / group_interval / repeat_interval); unset keys inherit the top-level ones, else the profile's ${s} defaults. Default: ${D[s].groupWait} / ${D[s].groupInterval} / ${D[s].repeatInterval} (profile; ${source}). Example: { groupWait: ${D[s].groupWait}, repeatInterval: ${D[s].repeatInterval} }`,
    );

const groupingSchema = z
  .strictObject({
    groupBy: groupByKey(`[${D.groupBy.join(", ")}] (profile; environment plays the role of seed 000's cluster label)`),
    ...timingKeys("root-route", D, false),
    critical: severityGrouping("critical", "seed 000: notify at once, repeat every 15 minutes"),
    warning: severityGrouping("warning", "seed 000: repeat hourly"),
    info: severityGrouping("info", "a daily digest"),
    watchdog: z
      .strictObject(timingKeys("watchdog", D.watchdog, false))
      .optional()
      .describe(
        `Heartbeat timing of the watchdog route; it inherits nothing, its dead-man's switch must hear it continuously. Default: ${D.watchdog.groupWait} / ${D.watchdog.groupInterval} / ${D.watchdog.repeatInterval} (profile). Example: { repeatInterval: 5m }`,
      ),
  })
  .optional()
  .describe(
    "Alertmanager grouping and notification timing. The top-level keys are the root route's and, as in Alertmanager, every severity route inherits them unless it sets its own; keys set by neither take the profile's per-severity defaults. Default: the profile's (critical 0s/1m/15m and warning 30s/5m/1h after seed 000, info 5m/1h/24h; root 30s/5m/4h as Alertmanager). Example (seed 000): { groupBy: [alertname, environment, service], groupWait: 10s, groupInterval: 10s, repeatInterval: 1h, critical: { groupWait: 0s, repeatInterval: 15m } }",
  );

const customRuleSchema = z.strictObject({
  alert: z.string().describe("Alert name (CamelCase); must not clash with a built-in alert. Example: `HighRiskLevel`"),
  expr: z.string().describe("PromQL expression. Example: `paimon_risk_level >= 3`"),
  for: z.string().describe("How long the expression must hold, a Prometheus duration. Example: `5m`"),
  severity: z.string().describe("`critical`, `warning` or `info`; decides the route."),
  summary: z.string().describe("One-line summary annotation."),
  description: z.string().describe("Description annotation; may use `{{ $value }}` and `{{ $labels.x }}`."),
  runbook: z.string().optional().describe("Runbook file name under runbookBaseUrl. Default: the alert name."),
  labels: z.record(z.string(), z.string()).optional().describe("Extra labels on the alert."),
  group: z.string().optional().describe("Rule group the alert is placed in. Default: `custom`."),
});

export const schema = z
  .strictObject({
    receivers: z.array(receiverSchema).default([]).describe("Where notifications go; each needs its secret."),
    /** Severity -> receiver names. Unknown severities are reported by `planAlerting` with their key path. */
    routes: z
      .looseObject({
        critical: z.array(z.string()).default([]).describe("Receivers of critical (P0/P1) alerts, paged at once (timing: grouping.critical). Example: [pager, critical-chat]"),
        warning: z.array(z.string()).default([]).describe("Receivers of warning (P2) alerts (timing: grouping.warning). Example: [monitoring-chat]"),
        info: z.array(z.string()).default([]).describe("Receivers of info (P3) alerts, a digest (timing: grouping.info). Example: [ops-digest]"),
        watchdog: z.string().optional().describe("Receiver of the always-firing Watchdog alert (dead-man's switch)."),
      })
      .default({ critical: [], warning: [], info: [] })
      .describe("Severity -> receiver names."),
    grouping: groupingSchema,
    thresholds: z
      .strictObject({
        cpuPercent: pair("Node/container CPU utilisation %. Default: warning 70, critical 90."),
        memoryPercent: pair("Memory utilisation %. Default: warning 80, critical 95."),
        diskPercent: pair("Disk utilisation %. Default: warning 75, critical 90."),
        latencyP95Seconds: pair("HTTP latency in seconds of the HttpLatency alerts, compared with each service's latency quantile (P95 unless its httpMetrics.latencyQuantile says otherwise, e.g. 0.99 for seed 002). Default: warning 1, critical 3."),
        errorRatePercent: pair("HTTP 5xx error rate %. Default: warning 1, critical 5."),
        certificateExpiryDays: pair("Days until a TLS certificate expires (lower is worse). Default: warning 21, critical 7."),
      })
      .optional()
      .describe("Overrides of the built-in alert thresholds; one side of a pair may be given alone."),
    durations: z
      .record(z.string(), z.union([z.string(), z.strictObject({
            warning: z.string().optional().describe("`for` of the family's warning alert. Example: 5m"),
            critical: z.string().optional().describe("`for` of the family's critical alert. Example: 2m"),
            info: z.string().optional().describe("`for` of the family's info alert. Example: 30m"),
          })]))
      .optional()
      .describe(
        "How long an alert's condition must hold before it fires (its `for`), per alert family (the alert_family label, e.g. NodeCpuUsage covers NodeCpuUsageHigh and NodeCpuUsageCritical): one duration for every level or { warning, critical }. Covers the built-in node, container, Kubernetes, HTTP and SLO alerts, the database alerts (Postgres*, Redis*, Mongodb*) and the backup alerts (BackupStale, BackupJobFailed, RestoreVerificationFailed). Unknown families and levels a family lacks here (BackupStale is critical only in prod) are refused with the known ones; a family this stack has no alert of (e.g. PostgresReplicationLag without read replicas) changes nothing. Default: each rule's own duration. Example: { NodeCpuUsage: 2m, NodeDiskUsage: 1m, PostgresDown: 3m, BackupStale: { critical: 30m } }",
      ),
    paging: z
      .boolean()
      .optional()
      .describe(
        "Whether this environment may route alerts to PagerDuty receivers. When false, a pagerduty receiver in any route is refused, so staging never pages the prod on-call. Set true only with a separate PagerDuty service for this environment. Default: the profile's (prod true, dev and staging false). Example: true",
      ),
    customRules: z.array(customRuleSchema).default([]).describe("Business alerts, routed by severity like the built-in ones."),
    retention: z.string().optional().describe(`Prometheus TSDB retention, at most ${LIMITS.prometheusRetentionDays}d. Default: dev 200h, staging 7d, prod 30d.`),
    storageSize: z.string().optional().describe(`Prometheus volume size (Kubernetes), at most ${LIMITS.prometheusStorageGi}Gi. Default: staging 20Gi, prod 100Gi.`),
    replicas: z.number().optional().describe("Prometheus and Alertmanager replicas (Kubernetes), 1 to 5. Default: staging 1, prod 2."),
    namespace: z.string().optional().describe("Namespace of kube-prometheus-stack. Default: `monitoring`."),
    chartVersion: z.string().optional().describe("kube-prometheus-stack chart version. Default: the version pinned in components/alerting-stack."),
    hostPorts: z
      .strictObject({
        prometheus: port.optional().describe("Host port (127.0.0.1) of the Prometheus UI. Default: 9090. Example: 9190"),
        alertmanager: port.optional().describe("Host port (127.0.0.1) of the Alertmanager UI. Default: 9093. Example: 9193"),
        grafana: port.optional().describe("Host port (127.0.0.1) of Grafana. Default: 3000. Example: 3300"),
      })
      .optional()
      .describe(
        "Docker target only: host ports the monitoring UIs are published on, always bound to 127.0.0.1. Every published " +
          "host port of the stack is checked for collisions at plan time. Default: { prometheus: 9090, alertmanager: 9093, grafana: 3000 }. " +
          "Example: { grafana: 3300 }",
      ),
  })
  .default({ receivers: [], routes: { critical: [], warning: [], info: [] }, customRules: [] })
  .describe("Alert routing and the monitoring installation.");

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

/**
 * Every alert family `durations` may name in a stack on `target` in `environment`, with its levels: the built-in
 * ones plus those the components can emit (databases, backups, Kafka, the log and trace pipelines and, on
 * Kubernetes, the Gateway edge). Known before any component is built, so a typo is reported at plan time whichever
 * data stores, backups and modules the stack declares; overrides of families a stack has no alert of change nothing.
 */
export function durationFamilies(target: Target, environment: Environment) {
  const kafkaCatalog = kafkaAlertRules({ kafka: "catalog", job: "catalog", thresholds: DEFAULT_KAFKA_THRESHOLDS, expectedBrokers: 3 });
  return mergeFamilies(
    builtInAlertFamilies(target),
    familiesOf(databaseAlertCatalog()),
    familiesOf(backupAlertCatalog(environment)),
    familiesOf(kafkaCatalog),
    familiesOf([...logPipelineRules(), ...tracePipelineRules()]),
    familiesOf(target === "kubernetes" ? edgeAlertRules() : []),
  );
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
      grouping: parsed.grouping,
      groupingDefaults: sctx.profile.alerting.grouping,
      thresholds: parsed.thresholds,
      durations: parsed.durations,
      customRules: parsed.customRules as Array<Partial<CustomRule>>,
      retention: parsed.retention,
      storageSize: parsed.storageSize,
      replicas: parsed.replicas,
      environment: sctx.platform.environment,
    },
    problems,
    builtInAlertNames(sctx.platform.target),
    durationFamilies(sctx.platform.target, sctx.platform.environment),
  );
  checkPaging(parsed, parsed.paging ?? sctx.profile.alerting.paging, sctx.platform.environment, problems);
  if (parsed.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(parsed.namespace)) {
    problems.add(["namespace"], parsed.namespace, "must be a DNS label");
  }
  if (parsed.hostPorts && sctx.platform.target !== "docker") {
    problems.add(["hostPorts"], parsed.hostPorts, "applies to the docker target only (on Kubernetes the UIs are reached through the cluster)");
  }
  checkHostPorts(parsed.hostPorts, problems);
  problems.throwIfAny();

  const routes = parsed.routes as unknown as AlertRoutes;
  return {
    args: {
      routes: { critical: routes.critical, warning: routes.warning, info: routes.info, ...(routes.watchdog ? { watchdog: routes.watchdog } : {}) },
      // Resolved against the profile here, so the component renders exactly what the plan checked.
      grouping: resolveGrouping(parsed.grouping as AlertGrouping | undefined, sctx.profile.alerting.grouping),
      ...(parsed.thresholds ? { thresholds: parsed.thresholds } : {}),
      ...(parsed.durations ? { durations: parsed.durations } : {}),
      customRules: parsed.customRules as CustomRule[],
      retention: parsed.retention ?? sctx.profile.alerting.retention,
      storageSize: parsed.storageSize ?? sctx.profile.alerting.storageSize,
      replicas: parsed.replicas ?? sctx.profile.alerting.replicas,
      ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
      ...(parsed.chartVersion ? { chartVersion: parsed.chartVersion } : {}),
      ...(parsed.hostPorts ? { hostPorts: parsed.hostPorts } : {}),
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
  /** Grafana datasources of the log and trace pipelines. */
  datasources?: GrafanaDatasource[];
}

/**
 * Registers the AlertingStack. Service objectives arrive only now (from the services section); the
 * component validates them before registering anything.
 */
export function buildAlerting(plan: AlertingPlan, sctx: SectionContext, deps: AlertingDeps): AlertingStack {
  return new AlertingStack("alerting", {
    ...plan.args,
    receivers: plan.receivers.map(({ secretKey, ...r }) => ({ ...r, secret: sctx.secrets.get(secretKey) })),
    // Only overrides of families this stack has rules for: the component refuses families it cannot find.
    durations: durationsFor(plan.args.durations, mergeFamilies(builtInAlertFamilies(sctx.platform.target), familiesOf(deps.monitoring.ruleGroups))),
    services: deps.services,
    monitoring: deps.monitoring,
    managedControlPlane: deps.managedControlPlane,
    ...(deps.probeTargets && deps.probeTargets.length > 0 ? { probeTargets: deps.probeTargets } : {}),
    ...(deps.certManagerNamespace ? { certManagerNamespace: deps.certManagerNamespace } : {}),
    ...(deps.datasources && deps.datasources.length > 0 ? { datasources: deps.datasources } : {}),
  }, sctx.platform);
}

export const plan = planAlerting;
export const build = buildAlerting;
