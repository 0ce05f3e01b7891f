import { z } from "zod";

/**
 * One severity enum drives rule labels, Alertmanager routes and inhibit rules. It maps onto the seeds'
 * incident levels: critical pages (P0/P1), warning goes to chat (P2), info to an email digest (P3).
 */
export type Severity = "critical" | "warning" | "info";
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];
export const severitySchema = z.enum(["critical", "warning", "info"]);

/** Incident priority label attached to each alert so humans see the seeds' P-levels. */
export const SEVERITY_PRIORITY: Record<Severity, string> = {
  critical: "P1",
  warning: "P2",
  info: "P3",
};

/** A Prometheus alerting rule in the library's model. Builders return these; nothing is stringly-typed YAML. */
export interface AlertRule {
  /** Alert name, UpperCamelCase. Also the runbook file name: docs/runbooks/<alert>.md. */
  alert: string;
  expr: string;
  /** How long the condition must hold, e.g. `5m`. */
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  /** Extra labels (e.g. `service`). `severity` and `priority` are always set from `severity`. */
  labels?: Record<string, string>;
  /** Overrides the runbook slug when several alerts share one runbook. Defaults to `alert`. */
  runbook?: string;
  /**
   * Alert family: alerts about the same condition at different levels (NodeCpuUsageHigh/NodeCpuUsageCritical,
   * KubeDeploymentReplicasUnavailable/KubeDeploymentUnavailable). Rendered as the `alert_family` label, which
   * the inhibit rules compare so a critical alert mutes its warning twin even when the names differ.
   * Defaults to `runbook`, then `alert` (twins share a runbook).
   */
  family?: string;
}

/** Label carrying the alert family (see `AlertRule.family`). */
export const ALERT_FAMILY_LABEL = "alert_family";

/**
 * Labels that identify WHAT an alert is about (which instance, database, service, pod, backup...). The
 * inhibit rules require these to be equal, so a critical alert only mutes warnings about the same thing:
 * a critical on one Redis never silences a warning on another. A label neither alert carries compares
 * equal (empty = empty), so one list serves every family.
 */
export const ALERT_IDENTITY_LABELS = [
  "environment",
  "namespace",
  "service",
  "job",
  "instance",
  "database",
  "backup",
  "deployment",
  "statefulset",
  "pod",
  "container",
  "mountpoint",
  "device",
  "name",
  "cronjob",
  "job_name",
  "horizontalpodautoscaler",
  "target",
  "gateway",
] as const;

/** The family of a rule: explicit `family`, else its runbook slug, else its name. */
export function alertFamily(rule: AlertRule): string {
  return rule.family ?? rule.runbook ?? rule.alert;
}

/** A Prometheus recording rule (SLO error ratios, for example). */
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  /** Evaluation interval, defaults to the global one (15s). */
  interval?: string;
  rules: Array<AlertRule | RecordingRule>;
}

export function isAlertRule(rule: AlertRule | RecordingRule): rule is AlertRule {
  return (rule as AlertRule).alert !== undefined;
}

/** Prometheus rule-file shape (what `promtool check rules` and PrometheusRule.spec accept). */
export interface PrometheusRuleFile {
  groups: Array<{
    name: string;
    interval?: string;
    rules: Array<Record<string, unknown>>;
  }>;
}

/** Renders rule groups to the Prometheus rule-file structure, adding severity/priority/family labels and runbook URLs. */
export function toPrometheusRuleFile(groups: ReadonlyArray<RuleGroup>, runbookBaseUrl: string): PrometheusRuleFile {
  assertUniqueAlertNames(groups);
  return {
    groups: groups.map((group) => ({
      name: group.name,
      ...(group.interval ? { interval: group.interval } : {}),
      rules: group.rules.map((rule) =>
        isAlertRule(rule)
          ? {
              alert: rule.alert,
              expr: rule.expr,
              for: rule.for,
              labels: {
                ...rule.labels,
                severity: rule.severity,
                priority: SEVERITY_PRIORITY[rule.severity],
                [ALERT_FAMILY_LABEL]: alertFamily(rule),
              },
              annotations: {
                summary: rule.summary,
                description: rule.description,
                runbook_url: runbookUrl(runbookBaseUrl, rule.runbook ?? rule.alert),
              },
            }
          : { record: rule.record, expr: rule.expr, ...(rule.labels ? { labels: rule.labels } : {}) },
      ),
    })),
  };
}

export function runbookUrl(baseUrl: string, slug: string): string {
  return `${baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`}${slug}.md`;
}

/** Every alert rule across the groups (for inventories and runbook checks). */
export function alertRules(groups: ReadonlyArray<RuleGroup>): AlertRule[] {
  return groups.flatMap((g) => g.rules.filter(isAlertRule));
}

/**
 * Alert names must be unique within a group and group names unique overall: Prometheus accepts
 * duplicates but Alertmanager then merges unrelated alerts and runbooks become ambiguous.
 */
export function assertUniqueAlertNames(groups: ReadonlyArray<RuleGroup>): void {
  const groupNames = new Set<string>();
  for (const group of groups) {
    if (groupNames.has(group.name)) throw new Error(`duplicate rule group name "${group.name}"`);
    groupNames.add(group.name);
    const seen = new Set<string>();
    for (const rule of group.rules) {
      if (!isAlertRule(rule)) continue;
      const key = JSON.stringify([rule.alert, rule.labels ?? {}]);
      if (seen.has(key)) throw new Error(`duplicate alert "${rule.alert}" in rule group "${group.name}"`);
      seen.add(key);
    }
  }
}

/** A warning/critical threshold pair; `direction` says whether higher or lower is worse. */
export interface ThresholdPair {
  warning: number;
  critical: number;
}

/**
 * Checks that the warning level fires before the critical one. `higherIsWorse` is true for
 * usage-style metrics (CPU %, lag) and false for success ratios and free space.
 */
export function thresholdOrderProblem(pair: ThresholdPair, higherIsWorse: boolean): string | undefined {
  const ok = higherIsWorse ? pair.warning < pair.critical : pair.warning > pair.critical;
  if (ok) return undefined;
  return higherIsWorse
    ? `warning (${pair.warning}) must be below critical (${pair.critical}): higher is worse`
    : `warning (${pair.warning}) must be above critical (${pair.critical}): lower is worse`;
}
