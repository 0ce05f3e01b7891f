import type { RuleGroup } from "../../lib/alerts";
import type { MonitoredService } from "../../lib/contracts";
import { quantileLabel, resolveHttpMetrics } from "../../lib/http-metrics";
import type { AlertThresholds } from "../thresholds";
import { thresholdPair } from "./pair";

/** Kinds that serve HTTP: only they get RED alerts (a worker's metrics have no request series). */
export const HTTP_KINDS: ReadonlySet<MonitoredService["kind"]> = new Set(["web", "api"]);

/** Scrape-target availability, for every job Prometheus scrapes. */
export function targetRules(): RuleGroup[] {
  return [
    {
      name: "platform-http",
      rules: [
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

/**
 * HTTP RED alerts of each web/api service, on the series that service exports (its `http` metric names,
 * status label and latency quantile; see lib/http-metrics) and scoped to its `job` and `service` labels, so
 * each service pages on its own and a service's alerts never read another's metrics.
 */
export function httpRules(t: AlertThresholds, services: ReadonlyArray<MonitoredService>): RuleGroup[] {
  return services.filter((svc) => HTTP_KINDS.has(svc.kind)).map((svc) => serviceHttpGroup(t, svc));
}

function serviceHttpGroup(t: AlertThresholds, svc: MonitoredService): RuleGroup {
  const m = resolveHttpMetrics(svc.http);
  const by = "job, service";
  const sel = (extra = "") => `{job="${svc.job}",service="${svc.name}"${extra}}`;
  const errorRatio =
    `100 * sum by (${by}) (rate(${m.requestsTotal}${sel(`,${m.statusLabel}=~"5.."`)}[5m]))` +
    ` / sum by (${by}) (rate(${m.requestsTotal}${sel()}[5m]))`;
  const latency = `histogram_quantile(${m.latencyQuantile}, sum by (${by}, le) (rate(${m.durationHistogram}_bucket${sel()}[5m])))`;
  const q = quantileLabel(m.latencyQuantile);
  // The expression yields `service` too; as a static label it also keeps the rules of different services distinct
  // (promtool's lint refuses alerts with the same name and labels, even in different groups).
  const labels = { service: svc.name };
  return {
    name: `http-${svc.namespace}-${svc.name}`,
    rules: [
      ...thresholdPair({
        base: "HttpErrorRate",
        expr: (v) => `${errorRatio} > ${v}`,
        thresholds: t.errorRatePercent,
        for: { warning: "5m", critical: "2m" },
        summary: `Service ${svc.name} returns too many 5xx responses`,
        description: (v) =>
          `{{ $value | printf "%.2f" }}% of requests to ${svc.name} (job {{ $labels.job }}) failed with 5xx over 5 minutes (threshold ${v}%; ${m.requestsTotal} by ${m.statusLabel}).`,
        labels,
      }),
      ...thresholdPair({
        base: "HttpLatency",
        expr: (v) => `${latency} > ${v}`,
        thresholds: t.latencyP95Seconds,
        for: { warning: "5m", critical: "2m" },
        summary: `Service ${svc.name} is slow`,
        description: (v) =>
          `${q} latency of ${svc.name} (job {{ $labels.job }}) is {{ $value | printf "%.2f" }}s (threshold ${v}s; ${m.durationHistogram}).`,
        labels: { ...labels, quantile: String(m.latencyQuantile) },
      }),
    ],
  };
}
