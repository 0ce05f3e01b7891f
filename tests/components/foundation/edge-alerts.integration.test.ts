import { toPrometheusRuleFile } from "../../../components/lib/alerts";
import { edgeAlertRules } from "../../../components/foundation/edge-alerts";
import { promtoolCheckRules, promtoolTestRules, type PromtoolTestGroup } from "../../helpers/tools";

/**
 * The edge alerts under promtool, fed with the series an Envoy proxy of Envoy Gateway exposes on
 * `/stats/prometheus` (port 19001) as Prometheus stores them after the `envoy-proxies` PodMonitor scrape:
 * Envoy's own labels (`envoy_http_conn_manager_prefix`, `envoy_response_code_class`, `le` in milliseconds on
 * Envoy's default histogram buckets) plus the target labels (job relabelled to `envoy-gateway-proxy`, `gateway`
 * from the pod's owning-gateway label, namespace, pod, container, instance).
 *
 * Every proxy also answers its own scrape (`eg-stats-http`) and the kubelet's readiness probe (`eg-ready-http`),
 * and the plain-HTTP listener (`http-10080`) answers redirects: the cases below keep those busy with 2xx/3xx to
 * show they neither dilute the ratio nor hide a slow HTTPS listener.
 */

const rules = toPrometheusRuleFile(edgeAlertRules(), "https://example.com/runbooks/");

/** Envoy's default histogram bucket bounds (milliseconds), as its Prometheus output writes `le`. */
const ENVOY_BUCKETS = ["0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000", "60000", "300000", "600000", "1.8e+06", "3.6e+06", "+Inf"];

function target(gateway: string, pod: string): Record<string, string> {
  return {
    job: "envoy-gateway-proxy",
    gateway,
    namespace: "envoy-gateway-system",
    pod,
    container: "envoy",
    instance: `10.0.1.${pod.length}:19001`,
  };
}

const sel = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
/** A counter growing by `perMinute` every minute for 30 minutes. */
const counter = (perMinute: number) => `0+${perMinute}x30`;

/** Responses per status class (1..5) of one connection manager, per minute. */
function responses(t: Record<string, string>, prefix: string, perClass: Partial<Record<1 | 2 | 3 | 4 | 5, number>>) {
  return ([1, 2, 3, 4, 5] as const).map((c) => ({
    series: `envoy_http_downstream_rq_xx${sel({ ...t, envoy_http_conn_manager_prefix: prefix, envoy_response_code_class: String(c) })}`,
    values: counter(perClass[c] ?? 0),
  }));
}

/**
 * Request-time histogram of one connection manager: `perBucket` maps an upper bound (ms) to requests per minute
 * that took up to that long; the cumulative buckets, `_count` and `_sum` follow from it.
 */
function requestTimes(t: Record<string, string>, prefix: string, perBucket: Record<string, number>) {
  const labels = { ...t, envoy_http_conn_manager_prefix: prefix };
  let cumulative = 0;
  let sum = 0;
  const buckets = ENVOY_BUCKETS.map((le) => {
    cumulative += perBucket[le] ?? 0;
    if (le !== "+Inf") sum += (perBucket[le] ?? 0) * Number(le);
    return { series: `envoy_http_downstream_rq_time_bucket${sel({ ...labels, le })}`, values: counter(cumulative) };
  });
  return [
    ...buckets,
    { series: `envoy_http_downstream_rq_time_count${sel(labels)}`, values: counter(cumulative) },
    { series: `envoy_http_downstream_rq_time_sum${sel(labels)}`, values: counter(sum) },
  ];
}

/** What every proxy serves besides user traffic: its scrape, readiness probes and HTTP->HTTPS redirects. */
function housekeeping(t: Record<string, string>) {
  return [
    ...responses(t, "eg-stats-http", { 2: 20_000 }),
    ...responses(t, "eg-ready-http", { 2: 20_000 }),
    ...responses(t, "http-10080", { 3: 600 }),
    ...requestTimes(t, "eg-stats-http", { "1": 20_000 }),
    ...requestTimes(t, "eg-ready-http", { "0.5": 20_000 }),
  ];
}

const a = target("public", "envoy-public-a");
const b = target("public", "envoy-public-b");
const internal = target("internal", "envoy-internal-a");

const labels = (gateway: string, severity: "warning" | "critical", family: string) => ({
  job: "envoy-gateway-proxy", gateway, severity, priority: severity === "critical" ? "P1" : "P2", alert_family: family,
});
/** The annotations promtool must see: the rendered templates filled with the Gateway and the value (2 decimals). */
function annotations(alertname: string, gateway: string, value: string): Record<string, string> {
  const rule = rules.groups[0].rules.find((r) => r.alert === alertname)!;
  return Object.fromEntries(Object.entries(rule.annotations as Record<string, string>).map(([k, v]) => [
    k, v.replace(/\{\{ \$labels\.gateway \}\}/g, gateway).replace(/\{\{ \$value \| printf "%\.2f" \}\}/g, value),
  ]));
}
type Firing = Array<[gateway: string, value: string]>;
const expectPair = (base: string, eval_time: string, high: Firing, critical: Firing) => [
  {
    eval_time, alertname: `${base}High`,
    exp_alerts: high.map(([g, v]) => ({ exp_labels: labels(g, "warning", base), exp_annotations: annotations(`${base}High`, g, v) })),
  },
  {
    eval_time, alertname: `${base}Critical`,
    exp_alerts: critical.map(([g, v]) => ({ exp_labels: labels(g, "critical", base), exp_annotations: annotations(`${base}Critical`, g, v) })),
  },
];
const expect5xx = (eval_time: string, high: Firing, critical: Firing) => expectPair("EdgeHttpErrorRate", eval_time, high, critical);
const expectLatency = (eval_time: string, high: Firing, critical: Firing) => expectPair("EdgeLatencyP95", eval_time, high, critical);

describe("edge alerts under promtool (Envoy proxy series)", () => {
  test("the rule file is valid", () => {
    expect(promtoolCheckRules(rules)).toContain("SUCCESS");
  });

  test("EdgeHttpErrorRate: silent below 1 %, warning at 3 % (504s the proxy generated), critical at 10 %, per Gateway", () => {
    const groups: PromtoolTestGroup[] = [
      {
        name: "healthy: 0.5 % 5xx on the HTTPS listener, busy scrape/probe/redirect listeners",
        interval: "1m",
        input_series: [
          ...responses(a, "https-10443", { 2: 5_970, 4: 0, 5: 30 }),
          ...responses(b, "https-10443", { 2: 5_970, 5: 30 }),
          ...housekeeping(a),
          ...housekeeping(b),
        ],
        alert_rule_test: expect5xx("20m", [], []),
      },
      {
        // 3 % of the HTTPS responses fail, while the stats/ready listeners answer 40 000 2xx a minute: counted with
        // them the ratio would be 0.4 % and the alert would stay silent.
        name: "3 % 5xx on public, internal healthy",
        interval: "1m",
        input_series: [
          ...responses(a, "https-10443", { 2: 5_820, 5: 180 }),
          ...responses(b, "https-10443", { 2: 5_820, 5: 180 }),
          ...responses(internal, "https-10443", { 2: 600 }),
          ...housekeeping(a),
          ...housekeeping(b),
          ...housekeeping(internal),
        ],
        alert_rule_test: [...expect5xx("4m", [], []), ...expect5xx("20m", [["public", "3.00"]], [])],
      },
      {
        name: "10 % 5xx on the internal Gateway only (listener port 443 under XDSNameSchemeV2)",
        interval: "1m",
        input_series: [
          ...responses(a, "https-10443", { 2: 6_000 }),
          ...responses(internal, "https-443", { 2: 540, 5: 60 }),
          ...housekeeping(internal),
        ],
        alert_rule_test: [...expect5xx("20m", [["internal", "10.00"]], [["internal", "10.00"]])],
      },
      {
        name: "5xx only on the plain-HTTP listener (redirects/ACME) do not count",
        interval: "1m",
        input_series: [...responses(a, "https-10443", { 2: 6_000 }), ...responses(a, "http-10080", { 3: 100, 5: 100 })],
        alert_rule_test: expect5xx("20m", [], []),
      },
      {
        name: "no traffic at all: silent",
        interval: "1m",
        input_series: [...responses(a, "https-10443", {}), ...housekeeping(a)],
        alert_rule_test: expect5xx("20m", [], []),
      },
    ];
    expect(promtoolTestRules(rules, groups)).toContain("SUCCESS");
  });

  test("EdgeLatencyP95: silent when fast, warning above 1 s, critical above 3 s; the fast probe/scrape listeners do not hide it", () => {
    const groups: PromtoolTestGroup[] = [
      {
        name: "fast: 95 % under 100 ms",
        interval: "1m",
        input_series: [...requestTimes(a, "https-10443", { "25": 3_000, "100": 2_800, "500": 200 }), ...housekeeping(a)],
        alert_rule_test: expectLatency("20m", [], []),
      },
      {
        // 85 % answered within 500 ms, the rest within 2.5 s: P95 = 2 s (interpolated in the 1-2.5 s bucket).
        name: "P95 between 1 and 3 s on public",
        interval: "1m",
        input_series: [
          ...requestTimes(a, "https-10443", { "100": 3_000, "500": 2_100, "2500": 900 }),
          ...requestTimes(internal, "https-10443", { "50": 600 }),
          ...housekeeping(a),
          ...housekeeping(internal),
        ],
        alert_rule_test: [...expectLatency("4m", [], []), ...expectLatency("20m", [["public", "2.00"]], [])],
      },
      {
        // Upstream timeouts: most requests wait 5-10 s.
        name: "P95 above 3 s",
        interval: "1m",
        input_series: [...requestTimes(b, "https-10443", { "250": 1_000, "10000": 5_000 }), ...housekeeping(b)],
        alert_rule_test: expectLatency("20m", [["public", "9.70"]], [["public", "9.70"]]),
      },
    ];
    expect(promtoolTestRules(rules, groups)).toContain("SUCCESS");
  });
});
