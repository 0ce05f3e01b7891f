import type { AlertRule } from "../../lib/alerts";
import type { ThresholdPair } from "../../lib/alerts";

/**
 * A warning and a critical alert on the same expression with different thresholds. They carry distinct
 * names (`<base>High`, `<base>Critical`) so Alertmanager inhibition (equal alertname) stays per level,
 * and share one runbook (`<base>.md`), because the triage is the same and only the urgency differs.
 */
export function thresholdPair(opts: {
  base: string;
  /** Builds the expression for one threshold value, e.g. (v) => `... > ${v}`. */
  expr: (threshold: number) => string;
  thresholds: ThresholdPair;
  for: { warning: string; critical: string };
  summary: string;
  /** Description; `{{ $value }}` and labels are available. `limit` is the threshold of the level. */
  description: (limit: number) => string;
  labels?: Record<string, string>;
}): AlertRule[] {
  const levels = [
    { severity: "warning" as const, suffix: "High", value: opts.thresholds.warning, for: opts.for.warning },
    { severity: "critical" as const, suffix: "Critical", value: opts.thresholds.critical, for: opts.for.critical },
  ];
  return levels.map((l) => ({
    alert: `${opts.base}${l.suffix}`,
    expr: opts.expr(l.value),
    for: l.for,
    severity: l.severity,
    summary: opts.summary,
    description: opts.description(l.value),
    runbook: opts.base,
    ...(opts.labels ? { labels: opts.labels } : {}),
  }));
}
