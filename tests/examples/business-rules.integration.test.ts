import { promtoolTestRules, type PromtoolTestGroup } from "../helpers/tools";
import { buildExample, type BuiltExample, type PromRule } from "./harness";

/**
 * The examples' business alerts (alerting.customRules, from the playbooks' alert_rules.yml) through
 * `promtool test rules`: each fires on the series the application exports past its threshold and stays silent
 * within it. The rules are the rendered ones, as Prometheus loads them; annotations are left out of the comparison
 * (promtool compares them verbatim, and `promtool check rules` already checks their templates in the synth test).
 */
const built: Record<string, BuiltExample> = {};
beforeAll(async () => {
  for (const system of ["greenlink", "paimon", "potato-chat", "payment-platform"]) built[system] = await buildExample(system, "prod");
}, 300_000);

/** The example's custom rule groups (group `platform-<system>-business`), without annotations. */
function businessRules(system: string): { groups: Array<{ name: string; rules: PromRule[] }> } {
  const groups = built[system].ruleGroups
    .filter((g) => g.name.endsWith("-business"))
    .map((g) => ({ name: g.name, rules: g.rules.map(({ annotations: _a, ...r }) => r) }));
  if (groups.length === 0) throw new Error(`${system} has no business rule group`);
  return { groups };
}

/** Static labels promtool expects on an alert of `name` (the rule's own labels), plus the series' labels kept by the expression. */
function expected(system: string, name: string, seriesLabels: Record<string, string> = {}): Record<string, string> {
  const rule = built[system].alerts.find((r) => r.alert === name);
  if (!rule) throw new Error(`${system} has no alert ${name}`);
  return { alertname: name, ...rule.labels, ...seriesLabels };
}

/** One alert check: fires (with its labels) or stays silent at `at`. */
const fires = (system: string, alertname: string, at: string, seriesLabels?: Record<string, string>) => ({
  eval_time: at,
  alertname,
  exp_alerts: [{ exp_labels: expected(system, alertname, seriesLabels) }],
});
const silent = (alertname: string, at: string) => ({ eval_time: at, alertname, exp_alerts: [] });

/** Histogram buckets of one request stream: `perMinute` requests a minute, all of them in bucket `le` and above. */
function histogram(metric: string, labels: string, les: string[], slowestLe: string, perMinute: number, minutes: number): Array<{ series: string; values: string }> {
  return les.map((le) => ({
    series: `${metric}_bucket{${labels}${labels ? "," : ""}le="${le}"}`,
    values: `0+${Number(le === "+Inf" ? Infinity : le) >= Number(slowestLe === "+Inf" ? Infinity : slowestLe) ? perMinute : 0}x${minutes}`,
  }));
}

function check(system: string, tests: PromtoolTestGroup[]): void {
  expect(promtoolTestRules(businessRules(system), tests, "1m")).toMatch(/SUCCESS/);
}

describe("business alerts through promtool test rules", () => {
  test("greenlink: gas price above 100 Gwei for 5m, Polygon RPC above 2 s for 1m, poor Core Web Vitals", () => {
    const api = { job: "api", instance: "10.0.0.7:8000" };
    const web = { job: "web", instance: "10.0.0.8:3000" };
    check("greenlink", [
      {
        interval: "1m",
        name: "past the thresholds",
        input_series: [
          { series: 'blockchain_gas_price_gwei{job="api",instance="10.0.0.7:8000"}', values: "150x15" },
          { series: 'blockchain_rpc_duration_seconds{job="api",instance="10.0.0.7:8000"}', values: "3x15" },
          { series: 'web_vitals_lcp{job="web",instance="10.0.0.8:3000"}', values: "5200x15" },
          { series: 'web_vitals_cls{job="web",instance="10.0.0.8:3000"}', values: "0.05x15" },
        ],
        alert_rule_test: [
          silent("HighGasPrice", "4m"),
          fires("greenlink", "HighGasPrice", "10m", api),
          fires("greenlink", "SlowBlockchainRPC", "5m", api),
          fires("greenlink", "PoorCoreWebVitals", "5m", web),
        ],
      },
      {
        interval: "1m",
        name: "within the thresholds",
        input_series: [
          { series: 'blockchain_gas_price_gwei{job="api",instance="10.0.0.7:8000"}', values: "100x15" },
          { series: 'blockchain_rpc_duration_seconds{job="api",instance="10.0.0.7:8000"}', values: "0.4x15" },
          { series: 'web_vitals_lcp{job="web",instance="10.0.0.8:3000"}', values: "2100x15" },
          { series: 'web_vitals_cls{job="web",instance="10.0.0.8:3000"}', values: "0.1x15" },
        ],
        alert_rule_test: [silent("HighGasPrice", "10m"), silent("SlowBlockchainRPC", "10m"), silent("PoorCoreWebVitals", "10m")],
      },
    ]);
  });

  test("paimon: risk level >= 3, L1 ratio below 8 %, event queue above 1000, each for 5m", () => {
    check("paimon", [
      {
        interval: "1m",
        name: "past the thresholds",
        input_series: [
          { series: 'paimon_risk_level{job="risk-monitor",pod="risk-monitor-0"}', values: "3x15" },
          { series: 'paimon_l1_ratio{job="risk-monitor",pod="risk-monitor-0"}', values: "0.05x15" },
          { series: 'paimon_event_queue_size{job="event-listener",priority="high"}', values: "700x15" },
          { series: 'paimon_event_queue_size{job="event-listener",priority="low"}', values: "600x15" },
        ],
        alert_rule_test: [
          silent("HighRiskLevel", "4m"),
          fires("paimon", "HighRiskLevel", "10m"),
          fires("paimon", "LowLiquidity", "10m"),
          fires("paimon", "EventProcessingLag", "10m"),
        ],
      },
      {
        interval: "1m",
        name: "within the thresholds",
        input_series: [
          { series: 'paimon_risk_level{job="risk-monitor",pod="risk-monitor-0"}', values: "2x15" },
          { series: 'paimon_l1_ratio{job="risk-monitor",pod="risk-monitor-0"}', values: "0.12x15" },
          { series: 'paimon_event_queue_size{job="event-listener",priority="high"}', values: "400x15" },
          { series: 'paimon_event_queue_size{job="event-listener",priority="low"}', values: "500x15" },
        ],
        alert_rule_test: [silent("HighRiskLevel", "12m"), silent("LowLiquidity", "12m"), silent("EventProcessingLag", "12m")],
      },
    ]);
  });

  test("potato-chat: fewer than 10 registrations an hour for 1h; more than 1M trading volume in 5m (info)", () => {
    check("potato-chat", [
      {
        interval: "1m",
        name: "quiet sign-ups, a trading burst",
        input_series: [
          // 4 registrations an hour, 400k of volume a minute.
          { series: 'user_registrations_total{job="user-service",pod="user-service-0"}', values: "0+0.0666x200" },
          { series: 'trading_volume_total{job="trading-service",pod="trading-service-0"}', values: "0+400000x30" },
        ],
        alert_rule_test: [silent("LowUserRegistrations", "50m"), fires("potato-chat", "LowUserRegistrations", "125m"), fires("potato-chat", "HighTradingVolume", "20m")],
      },
      {
        interval: "1m",
        name: "normal traffic",
        input_series: [
          // 60 registrations an hour, 100k of volume a minute.
          { series: 'user_registrations_total{job="user-service",pod="user-service-0"}', values: "0+1x200" },
          { series: 'trading_volume_total{job="trading-service",pod="trading-service-0"}', values: "0+100000x30" },
        ],
        alert_rule_test: [silent("LowUserRegistrations", "150m"), silent("HighTradingVolume", "20m")],
      },
    ]);
  });

  test("payment-platform: success rate below 95 % (warning) and 90 % (critical); payment P95 above 1 s and 3 s", () => {
    const les = ["0.1", "0.5", "1", "2", "3", "5", "+Inf"];
    const payments = (success: number, failed: number) => [
      { series: 'payment_gateway_payment_total{job="payment-gateway",status="success"}', values: `0+${success}x20` },
      { series: 'payment_gateway_payment_total{job="payment-gateway",status="failed"}', values: `0+${failed}x20` },
    ];
    check("payment-platform", [
      {
        interval: "1m",
        name: "93 % success, payments between 1 and 2 s",
        input_series: [...payments(93, 7), ...histogram("payment_gateway_payment_duration_seconds", 'job="payment-gateway"', les, "2", 100, 20)],
        alert_rule_test: [
          fires("payment-platform", "PaymentSuccessRateLow", "12m"),
          silent("PaymentSuccessRateCritical", "12m"),
          fires("payment-platform", "PaymentLatencyHigh", "12m"),
          silent("PaymentLatencyCritical", "12m"),
        ],
      },
      {
        interval: "1m",
        name: "85 % success, payments between 3 and 5 s",
        input_series: [...payments(85, 15), ...histogram("payment_gateway_payment_duration_seconds", 'job="payment-gateway"', les, "5", 100, 20)],
        alert_rule_test: [fires("payment-platform", "PaymentSuccessRateCritical", "12m"), fires("payment-platform", "PaymentLatencyCritical", "12m")],
      },
      {
        interval: "1m",
        name: "99 % success, fast payments",
        input_series: [...payments(99, 1), ...histogram("payment_gateway_payment_duration_seconds", 'job="payment-gateway"', les, "0.5", 100, 20)],
        alert_rule_test: [silent("PaymentSuccessRateLow", "12m"), silent("PaymentLatencyHigh", "12m")],
      },
    ]);
  });
});
