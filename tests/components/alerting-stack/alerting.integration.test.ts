import { spawn, spawnSync, type ChildProcess } from "child_process";
import { prometheusConfig } from "../../../components/alerting-stack/docker";
import { blackboxConfig } from "../../../components/alerting-stack/probes";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { parse } from "yaml";
import { buildAlertmanagerConfig, validateAlertingStackArgs } from "../../../components/alerting-stack";
import { groupingProblems } from "../../../components/alerting-stack/grouping";
import { wechatSecretPlaceholder } from "../../../components/alerting-stack/receivers";
import { toPrometheusRuleFile, type PrometheusRuleFile } from "../../../components/lib/alerts";
import { customRules } from "../../../components/alerting-stack/rules";
import {
  promtoolCheckRules,
  promtoolTestRules,
  requireTool,
  run,
  tempDir,
  writeYaml,
  type PromtoolTestGroup,
} from "../../helpers/tools";
import { ctxFor, fullArgs, GREENLINK_GROUPING, RUNBOOK_BASE, SERVICES } from "./fixtures";
import { overviewHttpQueries } from "../../../components/alerting-stack/dashboards/overview";
import { builtInAlertTests, withoutAnnotations } from "./promtool-cases";

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const TARGETS = ["docker", "kubernetes"] as const;

function renderFor(env: (typeof ENVIRONMENTS)[number], target: (typeof TARGETS)[number]) {
  return validateAlertingStackArgs("alerting", fullArgs(), ctxFor(env, target));
}

describe("generated rule files pass promtool check rules", () => {
  for (const env of ENVIRONMENTS) {
    for (const target of TARGETS) {
      test(`${env} on ${target}: every rule file`, () => {
        const rendered = renderFor(env, target);
        expect(Object.keys(rendered.ruleFiles)).toEqual(expect.arrayContaining(["builtin", "custom", "slo", "databases"]));
        for (const [source, file] of Object.entries(rendered.ruleFiles)) {
          const out = promtoolCheckRules(file);
          expect(`${source}: ${out}`).toMatch(/SUCCESS: \d+ rules found/);
        }
      });
    }
  }

  test("a custom rule with invalid PromQL is rejected at plan time, and promtool rejects it too", () => {
    const broken = { alert: "Broken", expr: "sum(rate(x[5m]) >", for: "5m", severity: "warning" as const, summary: "s", description: "d" };
    expect(() => validateAlertingStackArgs("alerting", fullArgs({ customRules: [broken] }), ctxFor("prod", "kubernetes"))).toThrow(
      /customRules\[0\]\.expr: is not valid PromQL/,
    );
    expect(() => promtoolCheckRules(toPrometheusRuleFile(customRules([broken]), RUNBOOK_BASE))).toThrow(/parse error|unexpected/i);
  });
});

describe("promtool test rules: every built-in alert fires and stays silent", () => {
  const rendered = renderFor("prod", "kubernetes");
  const allRules: PrometheusRuleFile = withoutAnnotations({
    groups: [...rendered.ruleFiles.builtin.groups, ...rendered.ruleFiles.slo.groups],
  });
  const cases = builtInAlertTests();

  test("the cases cover every built-in alert with a firing and a silent case", () => {
    const alerts = allRules.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.alert as string));
    for (const alert of new Set(alerts)) {
      if (alert === "Watchdog") continue; // always firing by design; covered by its firing case below
      const tests = cases.flatMap((c) => c.alert_rule_test ?? []).filter((t) => t.alertname === alert);
      expect({ alert, firing: tests.some((t) => t.exp_alerts.length > 0) }).toEqual({ alert, firing: true });
      expect({ alert, silent: tests.some((t) => t.exp_alerts.length === 0) }).toEqual({ alert, silent: true });
    }
  });

  test("promtool accepts every case", () => {
    const out = promtoolTestRules(allRules, cases);
    expect(out).toMatch(/SUCCESS/);
  });

  test("a broken expectation makes promtool fail (the harness can fail)", () => {
    const wrong: PromtoolTestGroup[] = [
      {
        interval: "1m",
        input_series: [{ series: "up{job=\"api\",instance=\"a:1\"}", values: "1x10" }],
        alert_rule_test: [{ eval_time: "10m", alertname: "TargetDown", exp_alerts: [{ exp_labels: { job: "api" } }] }],
      },
    ];
    expect(() => promtoolTestRules(allRules, wrong)).toThrow(/FAILED/);
  });
});

describe("overview dashboard queries evaluated by promtool on the series the services export", () => {
  // Ten minutes of counters and histograms as each client library exports them (1 sample a minute).
  const series = [
    // payment-gateway and web: the client default names, status label `status`. 3/s OK + 1/s 5xx; all under 100 ms.
    { series: 'http_requests_total{job="payment-gateway",service="payment-gateway",status="200"}', values: "0+180x10" },
    { series: 'http_requests_total{job="payment-gateway",service="payment-gateway",status="500"}', values: "0+60x10" },
    { series: 'http_request_duration_seconds_bucket{job="payment-gateway",service="payment-gateway",le="0.1"}', values: "0+240x10" },
    { series: 'http_request_duration_seconds_bucket{job="payment-gateway",service="payment-gateway",le="+Inf"}', values: "0+240x10" },
    // paimon-api (seed 002): prefixed names only, 1/s, all between 0.5 s and 1 s.
    { series: 'paimon_http_requests_total{job="paimon-api",service="paimon-api",status="200"}', values: "0+60x10" },
    { series: 'paimon_http_request_duration_seconds_bucket{job="paimon-api",service="paimon-api",le="0.5"}', values: "0x10" },
    { series: 'paimon_http_request_duration_seconds_bucket{job="paimon-api",service="paimon-api",le="1"}', values: "0+60x10" },
    { series: 'paimon_http_request_duration_seconds_bucket{job="paimon-api",service="paimon-api",le="+Inf"}', values: "0+60x10" },
    // ledger (Go promhttp): its own counter, status in `code`; half of 4/s are 503.
    { series: 'ledger_http_requests_total{job="ledger",service="ledger",code="200"}', values: "0+120x10" },
    { series: 'ledger_http_requests_total{job="ledger",service="ledger",code="503"}', values: "0+120x10" },
  ];
  const at = "10m";

  test("every HTTP service appears in the request, latency and error panels under its own names", () => {
    const q = overviewHttpQueries(SERVICES);
    const [defaults, paimon, ledger] = q.requests.map((r) => r.expr);
    const [latencyDefault, latencyPaimon] = q.latency.map((r) => r.expr);
    const [errDefault, errPaimon, errLedger] = q.errors.map((r) => r.expr);
    const tests = [
      {
        interval: "1m",
        input_series: series,
        promql_expr_test: [
          { expr: defaults, eval_time: at, exp_samples: [{ labels: '{service="payment-gateway"}', value: 4 }] },
          { expr: paimon, eval_time: at, exp_samples: [{ labels: '{service="paimon-api"}', value: 1 }] },
          { expr: ledger, eval_time: at, exp_samples: [{ labels: '{service="ledger"}', value: 4 }] },
          { expr: latencyDefault, eval_time: at, exp_samples: [{ labels: '{service="payment-gateway"}', value: 0.095 }] },
          { expr: latencyPaimon, eval_time: at, exp_samples: [{ labels: '{service="paimon-api"}', value: 0.995 }] },
          { expr: errDefault, eval_time: at, exp_samples: [{ labels: '{service="payment-gateway"}', value: 25 }] },
          // No 5xx series at all: no error sample (an empty panel line), not a false 0 % from another service.
          { expr: errPaimon, eval_time: at, exp_samples: [] },
          { expr: errLedger, eval_time: at, exp_samples: [{ labels: '{service="ledger"}', value: 50 }] },
        ],
      },
    ];
    expect(promtoolTestRules({ groups: [] }, tests)).toMatch(/SUCCESS/);
  });

  test("the default-name queries alone (what the overview drew before) miss paimon-api: promtool says so", () => {
    const unscoped = overviewHttpQueries([]);
    const seesPaimon = [
      {
        interval: "1m",
        input_series: series,
        promql_expr_test: [{ expr: unscoped.requests[0].expr, eval_time: at, exp_samples: [{ labels: '{service="payment-gateway"}', value: 4 }, { labels: '{service="paimon-api"}', value: 1 }] }],
      },
    ];
    expect(() => promtoolTestRules({ groups: [] }, seesPaimon)).toThrow(/FAILED/);
  });
});

/** Writes the config with secret files pointing into `dir`, as Alertmanager would find them. */
function materialise(config: Record<string, unknown>, dir: string, secretDir: string): string {
  let json = JSON.stringify(config).split(secretDir).join(path.join(dir, "secrets"));
  json = json.split(wechatSecretPlaceholder("wecom")).join("dummy-wechat-secret");
  fs.mkdirSync(path.join(dir, "secrets"), { recursive: true });
  for (const name of ["pager", "critical-chat", "monitoring-chat", "oncall-email", "ops-digest", "wecom", "deadman"]) {
    fs.writeFileSync(path.join(dir, "secrets", name), name === "critical-chat" || name === "monitoring-chat" ? "https://hooks.slack.test/x" : "dummy");
  }
  return writeYaml(path.join(dir, "alertmanager.yml"), JSON.parse(json));
}

describe("generated Alertmanager configs pass amtool", () => {
  beforeAll(() => requireTool("amtool", "prometheus-alertmanager"));

  for (const env of ENVIRONMENTS) {
    for (const target of TARGETS) {
      test(`${env} on ${target}: amtool check-config and routing`, () => {
        const rendered = renderFor(env, target);
        const secretDir = target === "docker" ? "/etc/alertmanager/secrets" : "/etc/alertmanager/secrets/alerting-receivers";
        const raw = JSON.stringify(rendered.alertmanagerConfig);
        expect(raw).toContain(`${secretDir}/pager`);
        const { dir, cleanup } = tempDir("amtool");
        try {
          const file = materialise(rendered.alertmanagerConfig, dir, secretDir);
          const check = run("amtool", ["check-config", file]);
          expect(check).toMatch(/SUCCESS/);
          expect(check).toMatch(/2 inhibit rules/);
          expect(check).toMatch(/8 receivers/);

          const routeTest = (labels: string[], expected: string) =>
            run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${expected}`, ...labels]).trim();
          expect(routeTest(["severity=critical", `environment=${env}`, "alertname=HttpErrorRateCritical"], "pager,critical-chat,oncall-email")).toBe(
            "pager,critical-chat,oncall-email",
          );
          expect(routeTest(["severity=warning", `environment=${env}`, "alertname=HttpErrorRateHigh"], "monitoring-chat,wecom")).toBe(
            "monitoring-chat,wecom",
          );
          expect(routeTest(["severity=info", `environment=${env}`, "alertname=Something"], "ops-digest")).toBe("ops-digest");
          expect(routeTest(["severity=info", `environment=${env}`, "alertname=Watchdog"], "deadman")).toBe("deadman");
          // An alert from another environment does not page this stack's pager.
          expect(routeTest(["severity=critical", "environment=elsewhere", "alertname=X"], "monitoring-chat")).toBe("monitoring-chat");
          // --verify.receivers makes amtool fail on a mismatch: the check itself can fail.
          expect(() => routeTest(["severity=warning", `environment=${env}`, "alertname=X"], "pager")).toThrow(/exited/);
        } finally {
          cleanup();
        }
      });
    }
  }

  test("seed 000's grouping: amtool accepts it and routes a P0 and a warning to their receivers", () => {
    const rendered = validateAlertingStackArgs("alerting", fullArgs({ grouping: GREENLINK_GROUPING }), ctxFor("prod", "kubernetes"));
    const { dir, cleanup } = tempDir("amtool-grouping");
    try {
      const file = materialise(rendered.alertmanagerConfig, dir, "/etc/alertmanager/secrets/alerting-receivers");
      expect(run("amtool", ["check-config", file])).toMatch(/SUCCESS/);
      const yml = fs.readFileSync(file, "utf8");
      expect(yml).toMatch(/group_by:\n\s+- alertname\n\s+- environment\n\s+- service\n\s+group_wait: 10s\n\s+group_interval: 10s\n\s+repeat_interval: 1h/);
      const routeTest = (labels: string[], expected: string) =>
        run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${expected}`, ...labels]).trim();
      const p0 = ["severity=critical", "priority=P0", "environment=prod", "alertname=PostgresDown", "service=orders"];
      expect(routeTest(p0, "pager,critical-chat,oncall-email")).toBe("pager,critical-chat,oncall-email");
      expect(routeTest(["severity=warning", "priority=P2", "environment=prod", "alertname=HttpErrorRateHigh", "service=api"], "monitoring-chat,wecom")).toBe("monitoring-chat,wecom");
      expect(() => routeTest(p0, "monitoring-chat")).toThrow(/exited/);
    } finally {
      cleanup();
    }
  });

  test("what the grouping validation refuses, amtool refuses too (and the other way round)", () => {
    const { dir, cleanup } = tempDir("amtool-grouping-bad");
    try {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ groupInterval: "0s" }, /group_interval cannot be zero/],
        [{ critical: { repeatInterval: "0s" } }, /repeat_interval cannot be zero/],
        [{ groupBy: ["alertname", "alertname"] }, /duplicated label "alertname" in group_by/],
        [{ groupBy: ["...", "alertname"] }, /FAILED/],
        [{ groupBy: ["k8s.namespace"] }, /FAILED/],
        [{ warning: { groupWait: "30m1h" } }, /FAILED/],
      ];
      for (const [grouping, amtoolSays] of cases) {
        // The builder renders whatever it is given; the validator is what stands between config and amtool.
        expect(groupingProblems(grouping)).not.toEqual([]);
        const config = buildAlertmanagerConfig({ environment: "prod", receivers: [{ name: "chat", type: "webhook", url: "https://chat.example.com/hook" }], routes: { critical: ["chat"], warning: ["chat"], info: ["chat"] }, secretDir: "/s", grouping: grouping as never });
        const file = writeYaml(path.join(dir, "alertmanager.yml"), config);
        const out = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
        expect({ grouping, status: out.status, log: `${out.stdout}${out.stderr}` }).toMatchObject({ grouping, status: 1, log: expect.stringMatching(amtoolSays) });
      }
      const ok = writeYaml(path.join(dir, "ok.yml"), buildAlertmanagerConfig({ environment: "prod", receivers: [{ name: "chat", type: "webhook", url: "https://chat.example.com/hook" }], routes: { critical: ["chat"], warning: ["chat"], info: ["chat"] }, secretDir: "/s", grouping: { groupBy: ["..."], groupWait: "0s", groupInterval: "1m30s", repeatInterval: "2h" } }));
      expect(groupingProblems({ groupBy: ["..."], groupWait: "0s", groupInterval: "1m30s", repeatInterval: "2h" })).toEqual([]);
      expect(run("amtool", ["check-config", ok])).toMatch(/SUCCESS/);
    } finally {
      cleanup();
    }
  });

  test("InfoInhibitor (chart meta-alert) is dropped; the info Watchdog reaches only the dead-man's switch", () => {
    const rendered = renderFor("prod", "kubernetes");
    const { dir, cleanup } = tempDir("amtool-info");
    try {
      const file = materialise(rendered.alertmanagerConfig, dir, "/etc/alertmanager/secrets/alerting-receivers");
      const routeTest = (labels: string[], expected: string) =>
        run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${expected}`, ...labels]).trim();
      expect(routeTest(["alertname=InfoInhibitor", "severity=none", "environment=prod", "namespace=platform"], "null")).toBe("null");
      expect(routeTest(["alertname=Watchdog", "severity=info", "environment=prod", "alert_family=Watchdog"], "deadman")).toBe("deadman");
      // Without a switch the heartbeat is dropped, never sent to the info digest or chat.
      const noSwitch = validateAlertingStackArgs(
        "alerting",
        fullArgs({ routes: { critical: ["pager"], warning: ["monitoring-chat"], info: ["ops-digest"] } }),
        ctxFor("prod", "kubernetes"),
      );
      const file2 = materialise(noSwitch.alertmanagerConfig, dir, "/etc/alertmanager/secrets/alerting-receivers");
      expect(run("amtool", ["config", "routes", "test", `--config.file=${file2}`, "--verify.receivers=null", "alertname=Watchdog", "severity=info", "environment=prod"]).trim()).toBe("null");
    } finally {
      cleanup();
    }
  });

  test("inhibition rules compare the alert family and every identity label", () => {
    const config = renderFor("prod", "kubernetes").alertmanagerConfig as { inhibit_rules: Array<{ equal: string[] }>; route: { routes: Array<Record<string, unknown>> } };
    expect(config.inhibit_rules[0]).toMatchObject({ source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'] });
    expect(config.inhibit_rules[0].equal).toEqual(expect.arrayContaining(["alert_family", "environment", "namespace", "instance", "database", "service", "deployment"]));
    expect(config.inhibit_rules[0].equal).not.toContain("alertname");
    const critical = config.route.routes.find((r) => (r.matchers as string[]).includes('severity="critical"'))!;
    expect(critical).toMatchObject({ group_wait: "0s", repeat_interval: "15m" });
    const warning = config.route.routes.find((r) => (r.matchers as string[]).includes('severity="warning"'))!;
    expect(warning).toMatchObject({ repeat_interval: "1h" });
  });

  test("the rendered config references secret files and contains no secret value", () => {
    const rendered = renderFor("prod", "kubernetes");
    const { dir, cleanup } = tempDir("amtool-missing");
    try {
      const json = JSON.stringify(rendered.alertmanagerConfig).split(wechatSecretPlaceholder("wecom")).join("x");
      const file = writeYaml(path.join(dir, "alertmanager.yml"), parse(JSON.stringify(JSON.parse(json))));
      const fileText = fs.readFileSync(file, "utf8");
      expect(fileText).toContain("api_url_file: /etc/alertmanager/secrets/alerting-receivers/critical-chat");
      expect(fileText).not.toMatch(/hooks\.slack\.test|pd-routing-key|smtp-password|dms-token|wechat-app-secret/);
    } finally {
      cleanup();
    }
  });
});

describe("external probes: configs checked by the programs that read them", () => {
  test("blackbox_exporter accepts the generated module config; it rejects a broken one", () => {
    requireTool("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
    const { dir, cleanup } = tempDir("blackbox");
    try {
      const file = writeYaml(path.join(dir, "blackbox.yml"), blackboxConfig());
      const out = spawnSync("prometheus-blackbox-exporter", [`--config.file=${file}`, "--config.check"], { encoding: "utf8" });
      expect({ status: out.status, log: `${out.stdout}${out.stderr}` }).toMatchObject({ status: 0, log: expect.stringMatching(/Config file is ok/i) });
      const broken = writeYaml(path.join(dir, "broken.yml"), { modules: { http_2xx: { prober: "http", http: { no_such_option: true } } } });
      expect(spawnSync("prometheus-blackbox-exporter", [`--config.file=${broken}`, "--config.check"], { encoding: "utf8" }).status).not.toBe(0);
    } finally {
      cleanup();
    }
  });

  test("promtool accepts the Docker prometheus.yml with the probe job", () => {
    const { dir, cleanup } = tempDir("prom-config");
    try {
      const file = writeYaml(
        path.join(dir, "prometheus.yml"),
        prometheusConfig({ environment: "dev", ruleSources: [], scrapeTargets: [], probeTargets: ["https://app.example.com/api/health"] }),
      );
      expect(run("promtool", ["check", "config", "--syntax-only", file])).toMatch(/SUCCESS/);
    } finally {
      cleanup();
    }
  });
});

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The rendered inhibit rules in a real Alertmanager (127.0.0.1 only), fed the labels the rendered rules
 * really carry, queried with amtool: which alerts are inhibited and which stay active.
 */
describe("inhibition and grouping in a running Alertmanager", () => {
  let am: ChildProcess | undefined;
  let url = "";
  let scratch: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    requireTool("prometheus-alertmanager", "prometheus-alertmanager");
    requireTool("amtool", "prometheus-alertmanager");
    scratch = tempDir("alertmanager");
    // Seed 000's grouping (group by alertname, environment, service); the inhibit rules do not depend on it.
    const config = validateAlertingStackArgs("alerting", fullArgs({ grouping: GREENLINK_GROUPING }), ctxFor("prod", "kubernetes")).alertmanagerConfig;
    const file = materialise(config, scratch.dir, "/etc/alertmanager/secrets/alerting-receivers");
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    am = spawn(
      "prometheus-alertmanager",
      [`--config.file=${file}`, `--storage.path=${path.join(scratch.dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("alertmanager did not become ready on 127.0.0.1");
  }, 30_000);

  afterAll(() => {
    if (am?.pid) process.kill(am.pid);
    scratch?.cleanup();
  });

  /** Labels as the rendered rule files produce them (severity, priority, alert_family) plus the series' own labels. */
  const rendered = () => renderFor("prod", "kubernetes");
  function ruleLabels(alert: string): Record<string, string> {
    const r = Object.values(rendered().ruleFiles)
      .flatMap((f) => f.groups.flatMap((g) => g.rules))
      .find((x) => x.alert === alert);
    if (!r) throw new Error(`no rendered rule ${alert}`);
    return r.labels as Record<string, string>;
  }

  test("a critical mutes its differently named warning twin about the same thing, never another instance", () => {
    const env = { environment: "prod" };
    const redis = (db: string) => ({ database: db, job: `redis-${db}`, instance: `redis-${db}-exporter:9121` });
    const alerts: Array<Record<string, string>> = [
      { alertname: "NodeCpuUsageCritical", ...ruleLabels("NodeCpuUsageCritical"), instance: "node-a:9100", ...env },
      { alertname: "NodeCpuUsageHigh", ...ruleLabels("NodeCpuUsageHigh"), instance: "node-a:9100", ...env, case: "twin-same-node" },
      { alertname: "NodeCpuUsageHigh", ...ruleLabels("NodeCpuUsageHigh"), instance: "node-b:9100", ...env, case: "other-node" },
      { alertname: "KubeDeploymentUnavailable", ...ruleLabels("KubeDeploymentUnavailable"), namespace: "platform", deployment: "api", ...env },
      { alertname: "KubeDeploymentReplicasUnavailable", ...ruleLabels("KubeDeploymentReplicasUnavailable"), namespace: "platform", deployment: "api", ...env, case: "twin-other-name" },
      { alertname: "KubeDeploymentReplicasUnavailable", ...ruleLabels("KubeDeploymentReplicasUnavailable"), namespace: "platform", deployment: "web", ...env, case: "other-deployment" },
      // Database alerts come from a component bundle: same family, different Redis.
      { alertname: "RedisMemoryNearMax", alert_family: "RedisMemoryNearMax", severity: "critical", priority: "P1", ...redis("cache-a"), ...env },
      { alertname: "RedisMemoryNearMax", alert_family: "RedisMemoryNearMax", severity: "warning", priority: "P2", ...redis("cache-a"), ...env, case: "twin-same-redis" },
      { alertname: "RedisMemoryNearMax", alert_family: "RedisMemoryNearMax", severity: "warning", priority: "P2", ...redis("cache-b"), ...env, case: "other-redis" },
      // Another family on the same node is not muted by the CPU critical.
      { alertname: "NodeMemoryUsageHigh", ...ruleLabels("NodeMemoryUsageHigh"), instance: "node-a:9100", ...env, case: "other-family" },
    ];
    // `case` is a test-only label naming the expectation; it is not in INHIBIT_EQUAL, so it changes nothing.
    for (const a of alerts) {
      const { alertname, ...labels } = a;
      run("amtool", ["alert", "add", `--alertmanager.url=${url}`, `alertname=${alertname}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    }
    const listed = JSON.parse(run("amtool", ["alert", "query", `--alertmanager.url=${url}`, "--active", "--inhibited", "-o", "json"])) as Array<{
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }>;
    const stateOf = Object.fromEntries(listed.filter((a) => a.labels.case).map((a) => [a.labels.case, a.status.inhibitedBy.length > 0 ? "inhibited" : "active"]));
    expect(stateOf).toEqual({
      "twin-same-node": "inhibited",
      "other-node": "active",
      "twin-other-name": "inhibited",
      "other-deployment": "active",
      "twin-same-redis": "inhibited",
      "other-redis": "active",
      "other-family": "active",
    });
  });

  test("a P0 and a warning are grouped by the configured labels in every receiver of their route", async () => {
    const prod = { environment: "prod" };
    const alerts: Array<Record<string, string>> = [
      // Two P0s about one service in different namespaces and instances: one notification (group) per receiver.
      { alertname: "GroupingProbeDown", severity: "critical", priority: "P0", service: "orders", namespace: "a", instance: "orders-0:8080", ...prod },
      { alertname: "GroupingProbeDown", severity: "critical", priority: "P0", service: "orders", namespace: "b", instance: "orders-1:8080", ...prod },
      { alertname: "GroupingProbeDown", severity: "critical", priority: "P0", service: "payments", namespace: "a", instance: "payments-0:8080", ...prod },
      { alertname: "GroupingProbeSlow", severity: "warning", priority: "P2", service: "api", instance: "api-0:8080", ...prod },
      { alertname: "GroupingProbeSlow", severity: "warning", priority: "P2", service: "api", instance: "api-1:8080", ...prod },
    ];
    for (const a of alerts) {
      const { alertname, ...labels } = a;
      run("amtool", ["alert", "add", `--alertmanager.url=${url}`, `alertname=${alertname}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    }
    type Group = { labels: Record<string, string>; receiver: { name: string }; alerts: Array<{ labels: Record<string, string> }> };
    const ours = async () =>
      ((await (await fetch(`${url}/api/v2/alerts/groups`)).json()) as Group[])
        .map((g) => ({ receiver: g.receiver.name, labels: g.labels, alerts: g.alerts.filter((a) => a.labels.alertname.startsWith("GroupingProbe")).length }))
        .filter((g) => g.alerts > 0);
    // The dispatcher files alerts asynchronously after the API accepts them: wait until all 8 groups exist.
    let groups = await ours();
    for (let i = 0; i < 50 && groups.length < 8; i++) {
      await new Promise((r) => setTimeout(r, 100));
      groups = await ours();
    }
    const key = (g: { receiver: string; labels: Record<string, string> }) => `${g.receiver} ${JSON.stringify(g.labels)}`;
    const expected = [
      ...["pager", "critical-chat", "oncall-email"].flatMap((receiver) => [
        { receiver, labels: { alertname: "GroupingProbeDown", environment: "prod", service: "orders" }, alerts: 2 },
        { receiver, labels: { alertname: "GroupingProbeDown", environment: "prod", service: "payments" }, alerts: 1 },
      ]),
      ...["monitoring-chat", "wecom"].map((receiver) => ({ receiver, labels: { alertname: "GroupingProbeSlow", environment: "prod", service: "api" }, alerts: 2 })),
    ];
    expect(groups.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
  });
});
