import { thresholdOrderProblem, type ThresholdPair } from "../lib/alerts";

/**
 * Warning/critical thresholds of the built-in resource and HTTP alerts.
 *
 * Defaults come from the payment-platform playbook's threshold table (CPU 70/90 %, memory 80/95 %,
 * disk 75/90 %, P95 latency 1 s/3 s, 5xx error rate 1 %/5 %). Other seeds page later (GreenLink:
 * CPU 85 %, memory 90 %, disk 90 %, 5xx 5 %); the payment table was chosen because it is the only one
 * with a warning tier for every metric, so chat hears about trouble before the pager does. A stack that
 * wants the later thresholds sets `platform:alerting.thresholds`.
 */
export interface AlertThresholds {
  /** Node / container CPU utilisation in percent. @default { warning: 70, critical: 90 } */
  cpuPercent: ThresholdPair;
  /** Node memory in use / container working set vs limit, in percent. @default { warning: 80, critical: 95 } */
  memoryPercent: ThresholdPair;
  /** Filesystem space used, in percent. @default { warning: 75, critical: 90 } */
  diskPercent: ThresholdPair;
  /**
   * HTTP latency in seconds at each service's latency quantile (P95 unless the service's `http.latencyQuantile`
   * says otherwise; the key keeps its name for compatibility). @default { warning: 1, critical: 3 }
   */
  latencyP95Seconds: ThresholdPair;
  /** Share of HTTP responses that are 5xx, in percent. @default { warning: 1, critical: 5 } */
  errorRatePercent: ThresholdPair;
  /** Days before a cert-manager certificate expires. Lower is worse. @default { warning: 21, critical: 7 } */
  certificateExpiryDays: ThresholdPair;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  cpuPercent: { warning: 70, critical: 90 },
  memoryPercent: { warning: 80, critical: 95 },
  diskPercent: { warning: 75, critical: 90 },
  latencyP95Seconds: { warning: 1, critical: 3 },
  errorRatePercent: { warning: 1, critical: 5 },
  certificateExpiryDays: { warning: 21, critical: 7 },
};

/** Partial overrides as a stack gives them: any metric, any level. */
export type ThresholdOverrides = { [K in keyof AlertThresholds]?: Partial<ThresholdPair> };

/** Metrics where a lower value is worse (remaining days); everything else is usage-like. */
const LOWER_IS_WORSE: ReadonlySet<keyof AlertThresholds> = new Set(["certificateExpiryDays"]);

const PERCENT_METRICS: ReadonlySet<keyof AlertThresholds> = new Set([
  "cpuPercent",
  "memoryPercent",
  "diskPercent",
  "errorRatePercent",
]);

export function resolveThresholds(overrides: ThresholdOverrides | undefined): AlertThresholds {
  const out = { ...DEFAULT_THRESHOLDS };
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as Array<keyof AlertThresholds>) {
    out[key] = { ...DEFAULT_THRESHOLDS[key], ...(overrides?.[key] ?? {}) };
  }
  return out;
}

/** Problems with resolved thresholds as [relative key path, bad value, what is allowed]. */
export function thresholdProblems(t: AlertThresholds): Array<[string, unknown, string]> {
  const problems: Array<[string, unknown, string]> = [];
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as Array<keyof AlertThresholds>) {
    const pair = t[key];
    for (const level of ["warning", "critical"] as const) {
      const v = pair[level];
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
        problems.push([`${key}.${level}`, v, "must be a positive number"]);
      } else if (PERCENT_METRICS.has(key) && v > 100) {
        problems.push([`${key}.${level}`, v, "must be a percentage greater than 0 and at most 100"]);
      }
    }
    const order = thresholdOrderProblem(pair, !LOWER_IS_WORSE.has(key));
    if (order) problems.push([key, pair, order]);
  }
  return problems;
}
