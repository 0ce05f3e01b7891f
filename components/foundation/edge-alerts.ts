/**
 * Alerts on the edge's own traffic, read from the Envoy proxies' `/stats/prometheus` (scraped by the
 * `envoy-proxies` PodMonitor, job `envoy-gateway-proxy`, label `gateway` = the owning Gateway). They see what
 * users see, including responses the applications never produced: a 504 when an upstream times out, a 503 when
 * a route has no ready endpoint, a 502 on a reset connection.
 *
 * Series, as Envoy emits them with Envoy Gateway's bootstrap (`stats_config.use_all_default_tags: true`):
 *   - `envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix, envoy_response_code_class}`: responses per
 *     status class, per HTTP connection manager;
 *   - `envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix, le}`: request time, histogram in
 *     milliseconds.
 * Envoy Gateway names a Gateway listener's connection manager `<http|https>-<port>` (the container port: 443 ->
 * 10443, or the listener port with the XDSNameSchemeV2 runtime flag). Its own listeners are `eg-stats-http`
 * (the Prometheus scrape itself) and `eg-ready-http` (the kubelet's readiness probe): they are left out, or every
 * scrape and probe would count as a successful user request and dilute the ratio. Only the HTTPS listeners count:
 * the plain-HTTP one only answers redirects and ACME challenges.
 */

import type { RuleGroup, ThresholdPair } from "../lib/alerts";
import { thresholdPair } from "../alerting-stack/rules/pair";
import { DEFAULT_THRESHOLDS } from "../alerting-stack/thresholds";

/** Job name the PodMonitor gives the proxies (gateway-manifests.ts relabels it). */
export const ENVOY_PROXY_JOB = "envoy-gateway-proxy";

/** Connection-manager stat prefixes of the Gateways' HTTPS listeners (see above). */
export const HTTPS_LISTENER_PREFIX = "https-[0-9]+";

/** Thresholds of the edge alerts: the same pairs as the services' HTTP alerts (`platform:alerting.thresholds`). */
export interface EdgeAlertThresholds {
  /** 5xx share of the HTTPS responses, percent. @default { warning: 1, critical: 5 } */
  errorRatePercent: ThresholdPair;
  /** P95 request time at the proxy, seconds. @default { warning: 1, critical: 3 } */
  latencyP95Seconds: ThresholdPair;
}

export const DEFAULT_EDGE_ALERT_THRESHOLDS: EdgeAlertThresholds = {
  errorRatePercent: DEFAULT_THRESHOLDS.errorRatePercent,
  latencyP95Seconds: DEFAULT_THRESHOLDS.latencyP95Seconds,
};

/** The edge's rule group: 5xx ratio and P95 latency per Gateway, each as a warning/critical pair. */
export function edgeAlertRules(t: EdgeAlertThresholds = DEFAULT_EDGE_ALERT_THRESHOLDS): RuleGroup[] {
  const by = "job, gateway";
  const sel = `job="${ENVOY_PROXY_JOB}", envoy_http_conn_manager_prefix=~"${HTTPS_LISTENER_PREFIX}"`;
  const errorRatio =
    `100 * sum by (${by}) (rate(envoy_http_downstream_rq_xx{${sel}, envoy_response_code_class="5"}[5m]))` +
    ` / sum by (${by}) (rate(envoy_http_downstream_rq_xx{${sel}}[5m]))`;
  // Envoy's histogram is in milliseconds; the thresholds are seconds like the services' latency alerts.
  const p95 = `histogram_quantile(0.95, sum by (${by}, le) (rate(envoy_http_downstream_rq_time_bucket{${sel}}[5m]))) / 1000`;
  return [
    {
      name: "platform-edge",
      rules: [
        ...thresholdPair({
          base: "EdgeHttpErrorRate",
          expr: (v) => `${errorRatio} > ${v}`,
          thresholds: t.errorRatePercent,
          for: { warning: "5m", critical: "2m" },
          summary: "Gateway {{ $labels.gateway }} returns too many 5xx responses",
          description: (v) =>
            `{{ $value | printf "%.2f" }}% of the HTTPS responses of Gateway {{ $labels.gateway }} were 5xx over 5 minutes (threshold ${v}%), ` +
            "counted at the Envoy proxies: includes 502/503/504 the proxies generated themselves, which the services never see.",
        }),
        ...thresholdPair({
          base: "EdgeLatencyP95",
          expr: (v) => `${p95} > ${v}`,
          thresholds: t.latencyP95Seconds,
          for: { warning: "5m", critical: "2m" },
          summary: "Gateway {{ $labels.gateway }} is slow",
          description: (v) =>
            `P95 request time at the proxies of Gateway {{ $labels.gateway }} is {{ $value | printf "%.2f" }}s over 5 minutes (threshold ${v}s).`,
        }),
      ],
    },
  ];
}
