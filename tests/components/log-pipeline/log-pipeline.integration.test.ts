import * as pulumi from "@pulumi/pulumi";
import { LogPipeline } from "../../../components/log-pipeline";
import { DEFAULT_MASKED_KEYS, maskingScript, MASK_FUNCTION } from "../../../components/log-pipeline/masking";
import { recordedK8sObjects, validateK8sObjects } from "../../helpers/k8s-schema";
import { runLuaFilter } from "../../helpers/lua";
import { promtoolCheckRules, promtoolTestRules } from "../../helpers/tools";
import { toPrometheusRuleFile } from "../../../components/lib/alerts";
import { logPipelineRules } from "../../../components/lib/pipeline-monitoring";
import { installMocks, settle } from "../../helpers/mocks";
import { ctxFor } from "../alerting-stack/fixtures";

/**
 * The masking filter run by a real LuaJIT (the interpreter Fluent Bit embeds; Fluent Bit itself has no package
 * on Debian bookworm or any registry this project can use), called exactly as filter_lua calls it, on records
 * shaped like the ones Fluent Bit hands it: the playbooks' JSON log lines after the kubernetes filter merged them.
 */
const SCRIPT = maskingScript({ keys: [...DEFAULT_MASKED_KEYS, "id_card"], patterns: ["sk_live_%w+"], cardNumbers: true });
const K8S = { namespace_name: "platform", pod_name: "payment-gateway-7d9f", container_name: "app", labels: { "app.kubernetes.io/name": "payment-gateway" } };

const SAMPLES = [
  // Payment platform (zap): a card number in a field the service forgot to mask, trace id kept.
  { level: "info", ts: "2025-10-25T10:30:45.123Z", caller: "service/payment.go:123", msg: "Payment created successfully", payment_no: "PAY-202501251030-ABC123", merchant_id: "merchant-001", amount: 10000, currency: "USD", trace_id: "abc123def456", card: "4111 1111 1111 1111", kubernetes: K8S },
  // Potato Chat: a request log with credentials in the query string and the Authorization header.
  { level: "info", msg: "GET /api/v1/login?user=alice&password=hunter2&token=eyJhbGciOiJIUzI1NiJ9.e30.sig", headers: { Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "X-Request-Id": "r-1" }, kubernetes: K8S },
  // Secret-named fields at any depth, in any case.
  { level: "warn", msg: "config loaded", db: { host: "orders-db", Password: "s3cr3t!", port: 5432 }, JWT_SECRET: "jwt-value", api_key: 98765, id_card: "110101199003077777" },
  // JSON embedded in a message, a Basic credential, a custom pattern; a non-card digit run stays.
  { log: 'upstream said {"access_token":"ya29.a0Af","scope":"read"} auth=Basic dXNlcjpwYXNz key sk_live_51HxYz order 1234567890123', stream: "stdout" },
  // Nothing secret: unchanged, return code 0 (Fluent Bit keeps the original record).
  { level: "info", msg: "healthy", latency_ms: 12, tokens_total: undefined, path: "/health", kubernetes: K8S },
];

describe("secret masking, run by LuaJIT as Fluent Bit's filter_lua runs it", () => {
  const results = runLuaFilter(SCRIPT, MASK_FUNCTION, SAMPLES);
  const text = JSON.stringify(results);

  test("every secret is gone", () => {
    for (const secret of ["hunter2", "eyJhbGciOiJIUzI1NiJ9", "s3cr3t!", "jwt-value", "98765", "110101199003077777", "ya29.a0Af", "dXNlcjpwYXNz", "sk_live_51HxYz", "4111 1111 1111 1111"]) {
      expect(text).not.toContain(secret);
    }
  });

  test("the payment line keeps its fields, the card keeps its last four digits", () => {
    expect(results[0].code).toBe(2);
    expect(results[0].record).toEqual({ ...SAMPLES[0], card: "****1111" });
  });

  test("query strings, headers, nested and embedded secrets are masked in place", () => {
    expect(results[1].record).toMatchObject({
      msg: "GET /api/v1/login?user=alice&password=***&token=***",
      headers: { Authorization: "***", "X-Request-Id": "r-1" },
      kubernetes: K8S,
    });
    expect(results[2].record).toEqual({ level: "warn", msg: "config loaded", db: { host: "orders-db", Password: "***", port: 5432 }, JWT_SECRET: "***", api_key: "***", id_card: "***" });
    expect(results[3].record).toEqual({
      log: 'upstream said {"access_token":"***","scope":"read"} auth=Basic *** key *** order 1234567890123',
      stream: "stdout",
    });
  });

  test("a record without secrets is passed through untouched", () => {
    expect(results[4]).toEqual({ code: 0, record: { level: "info", msg: "healthy", latency_ms: 12, path: "/health", kubernetes: K8S } });
  });

  test("with card masking off, card numbers pass (the switch works both ways)", () => {
    const [off] = runLuaFilter(maskingScript({ keys: DEFAULT_MASKED_KEYS, patterns: [], cardNumbers: false }), MASK_FUNCTION, [{ msg: "card 4111111111111111" }]);
    expect(off).toEqual({ code: 0, record: { msg: "card 4111111111111111" } });
  });
});

describe("every Kubernetes object LogPipeline produces validates against the Kubernetes schemas", () => {
  test.each([
    ["installed Loki", {}],
    ["external Elasticsearch", { sink: { type: "elasticsearch" as const, url: "https://es.example.com:9200", user: "shipper" }, sinkPassword: pulumi.secret("p") }],
  ])("%s", async (_label, args) => {
    const rec = installMocks();
    new LogPipeline("logging", args, ctxFor("prod", "kubernetes"));
    await settle();
    const objects = recordedK8sObjects(rec);
    expect(objects.length).toBeGreaterThanOrEqual(8);
    expect(() => validateK8sObjects(objects)).not.toThrow();
  });
});

describe("LogShipperDroppingLogs, fed with Fluent Bit's own series", () => {
  const file = toPrometheusRuleFile(logPipelineRules(), "https://example.test/runbooks/");
  const labels = 'namespace="logging", pod="logging-fluent-bit-x7k2p", instance="10.0.1.7:2020", name="loki.0"';

  test("promtool check rules", () => {
    expect(promtoolCheckRules(file)).toContain("SUCCESS");
  });

  test("fires while records are given up on, silent while every record is delivered and after recovery", () => {
    promtoolTestRules(file, [
      {
        interval: "1m",
        input_series: [
          // Healthy for 20 minutes, then 3 records per minute fail their retries for 15 minutes, then healthy.
          { series: `fluentbit_output_retries_failed_total{${labels}}`, values: "0x20 3+3x15 48x40" },
          { series: `fluentbit_output_dropped_records_total{${labels}}`, values: "0x75" },
          { series: `fluentbit_output_proc_records_total{${labels}}`, values: "0+600x75" },
        ],
        alert_rule_test: [
          { eval_time: "19m", alertname: "LogShipperDroppingLogs", exp_alerts: [] },
          // failures start at 21m; `for: 5m` -> pending until 26m
          { eval_time: "24m", alertname: "LogShipperDroppingLogs", exp_alerts: [] },
          {
            eval_time: "30m",
            alertname: "LogShipperDroppingLogs",
            exp_alerts: [{ exp_labels: { severity: "warning", priority: "P2", alert_family: "LogShipperDroppingLogs", namespace: "logging", pod: "logging-fluent-bit-x7k2p", instance: "10.0.1.7:2020", name: "loki.0" },
              exp_annotations: {
                summary: "Fluent Bit is losing log records",
                description: "Fluent Bit output loki.0 on 10.0.1.7:2020 gave up on or dropped 30 records in 10 minutes: those logs are lost. Check the sink.",
                runbook_url: "https://example.test/runbooks/LogShipperDroppingLogs.md",
              },
            }],
          },
          { eval_time: "60m", alertname: "LogShipperDroppingLogs", exp_alerts: [] },
        ],
      },
    ]);
  });
});
