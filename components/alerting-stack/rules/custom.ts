import type { AlertRule, RuleGroup } from "../../lib/alerts";

/**
 * A business alert a stack declares in config, e.g. the seeds' risk level, liquidity ratio, queue lag or
 * payment success rate: an `AlertRule` (the expression is checked by promtool in the integration tier) plus
 * the rule group it belongs to.
 *
 * @example
 * { alert: "HighRiskLevel", expr: "paimon_risk_level >= 3", for: "5m", severity: "critical",
 *   summary: "High risk level", description: "Risk level is {{ $value }}" }
 */
export interface CustomRule extends AlertRule {
  /** Rule group the alert belongs to. @default "custom" */
  group?: string;
}

/** Groups custom rules by their `group` (default `custom`), keeping declaration order. */
export function customRules(rules: ReadonlyArray<CustomRule>): RuleGroup[] {
  const groups = new Map<string, AlertRule[]>();
  for (const r of rules) {
    const name = `platform-${r.group ?? "custom"}`;
    const alert: AlertRule = {
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      severity: r.severity,
      summary: r.summary,
      description: r.description,
      ...(r.runbook ? { runbook: r.runbook } : {}),
      ...(r.labels ? { labels: r.labels } : {}),
    };
    groups.set(name, [...(groups.get(name) ?? []), alert]);
  }
  return [...groups.entries()].map(([name, rules]) => ({ name, rules }));
}
