import type { RuleGroup } from "../../lib/alerts";
import type { AlertThresholds } from "../thresholds";
import { thresholdPair } from "./pair";

/**
 * HTTP RED alerts on the library's metric convention (http_requests_total{status},
 * http_request_duration_seconds_bucket), per `job` and `service` so each service pages on its own.
 */
export function httpRules(t: AlertThresholds): RuleGroup[] {
  const by = "job, service";
  const errorRatio = `100 * sum by (${by}) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (${by}) (rate(http_requests_total[5m]))`;
  const p95 = `histogram_quantile(0.95, sum by (${by}, le) (rate(http_request_duration_seconds_bucket[5m])))`;
  return [
    {
      name: "platform-http",
      rules: [
        ...thresholdPair({
          base: "HttpErrorRate",
          expr: (v) => `${errorRatio} > ${v}`,
          thresholds: t.errorRatePercent,
          for: { warning: "5m", critical: "2m" },
          summary: "Service {{ $labels.service }} returns too many 5xx responses",
          description: (v) =>
            `{{ $value | printf "%.2f" }}% of requests to {{ $labels.service }} (job {{ $labels.job }}) failed with 5xx over 5 minutes (threshold ${v}%).`,
        }),
        ...thresholdPair({
          base: "HttpLatencyP95",
          expr: (v) => `${p95} > ${v}`,
          thresholds: t.latencyP95Seconds,
          for: { warning: "5m", critical: "2m" },
          summary: "Service {{ $labels.service }} is slow",
          description: (v) =>
            `P95 latency of {{ $labels.service }} (job {{ $labels.job }}) is {{ $value | printf "%.2f" }}s (threshold ${v}s).`,
        }),
        {
          alert: "TargetDown",
          expr: "up == 0",
          for: "2m",
          severity: "critical",
          summary: "Scrape target {{ $labels.job }}/{{ $labels.instance }} is down",
          description:
            "Prometheus could not scrape {{ $labels.instance }} of job {{ $labels.job }} for 2 minutes: the service is down or unreachable.",
        },
      ],
    },
  ];
}
