import * as fs from "fs";
import * as path from "path";
import { alertRules, isAlertRule, toPrometheusRuleFile } from "../../../components/lib/alerts";
import { builtInAlertNames, buildAlertmanagerConfig, DEFAULT_GROUPING, DEFAULT_THRESHOLDS, resolveGrouping } from "../../../components/alerting-stack";
import { groupingProblems } from "../../../components/alerting-stack/grouping";
import { builtInRules, customRules, leMatcher, sloRules } from "../../../components/alerting-stack/rules";
import { resolveThresholds } from "../../../components/alerting-stack/thresholds";
import { overviewDashboard, overviewHttpQueries } from "../../../components/alerting-stack/dashboards/overview";
import { promqlSyntaxProblem } from "../../../components/lib/promql";
import { serviceDashboard } from "../../../components/alerting-stack/dashboards/service";
import { grafanaProvisioning, prometheusConfig } from "../../../components/alerting-stack/docker";
import { chartValues } from "../../../components/alerting-stack/kubernetes";
import { BUSINESS_RULES, ctxFor, GREENLINK_GROUPING, RUNBOOK_BASE, SERVICES } from "./fixtures";

const REPO = path.resolve(__dirname, "../../..");

describe("built-in rules", () => {
  const rules = [...builtInRules(DEFAULT_THRESHOLDS, "kubernetes", SERVICES), ...sloRules(SERVICES)];
  const file = toPrometheusRuleFile(rules, RUNBOOK_BASE);

  test("every alert has for, summary, description, severity/priority labels and a runbook_url", () => {
    const alerts = file.groups.flatMap((g) => g.rules.filter((r) => r.alert));
    expect(alerts.length).toBeGreaterThan(25);
    for (const a of alerts) {
      expect(a.for).toMatch(/^\d+[smhd]$/);
      const labels = a.labels as Record<string, string>;
      expect(["critical", "warning", "info"]).toContain(labels.severity);
      expect(labels.priority).toMatch(/^P[1-3]$/);
      const ann = a.annotations as Record<string, string>;
      expect(ann.summary.length).toBeGreaterThan(5);
      expect(ann.description.length).toBeGreaterThan(5);
      expect(ann.runbook_url.startsWith(RUNBOOK_BASE)).toBe(true);
    }
  });

  test("every built-in alert's runbook_url has a file in docs/runbooks", () => {
    const missing = file.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert)
      .map((r) => (r.annotations as Record<string, string>).runbook_url.slice(RUNBOOK_BASE.length))
      .filter((slug) => !fs.existsSync(path.join(REPO, "docs/runbooks", slug)));
    expect(missing).toEqual([]);
  });

  test("the runbook check detects a missing file", () => {
    const other = toPrometheusRuleFile(customRules([{ ...BUSINESS_RULES[0], alert: "NoSuchRunbookAlert" }]), RUNBOOK_BASE);
    const slug = (other.groups[0].rules[0].annotations as Record<string, string>).runbook_url.slice(RUNBOOK_BASE.length);
    expect(fs.existsSync(path.join(REPO, "docs/runbooks", slug))).toBe(false);
  });

  test("default thresholds are the payment-platform table and overrides change the expressions", () => {
    const expr = (groups: ReturnType<typeof builtInRules>, alert: string) => alertRules(groups).find((r) => r.alert === alert)!.expr;
    expect(expr(rules, "NodeCpuUsageHigh")).toMatch(/> 70$/);
    expect(expr(rules, "NodeCpuUsageCritical")).toMatch(/> 90$/);
    expect(expr(rules, "NodeMemoryUsageCritical")).toMatch(/> 95$/);
    expect(expr(rules, "NodeDiskUsageHigh")).toMatch(/> 75$/);
    expect(expr(rules, "HttpLatencyCritical")).toMatch(/> 3$/);
    expect(expr(rules, "HttpErrorRateHigh")).toMatch(/> 1$/);
    const overridden = builtInRules(resolveThresholds({ cpuPercent: { warning: 85 }, diskPercent: { critical: 95 } }), "kubernetes");
    expect(expr(overridden, "NodeCpuUsageHigh")).toMatch(/> 85$/);
    expect(expr(overridden, "NodeCpuUsageCritical")).toMatch(/> 90$/);
    expect(expr(overridden, "NodeDiskUsageCritical")).toMatch(/> 95$/);
  });

  test("the docker target leaves out Kubernetes and cert-manager alerts", () => {
    const docker = new Set(alertRules(builtInRules(DEFAULT_THRESHOLDS, "docker")).map((r) => r.alert));
    expect(docker.has("TargetDown")).toBe(true);
    expect(docker.has("KubePodCrashLooping")).toBe(false);
    expect(docker.has("CertificateExpiryCritical")).toBe(false);
    expect(builtInAlertNames("kubernetes").has("KubePodCrashLooping")).toBe(true);
  });
});

describe("per-service HTTP rules", () => {
  const rules = alertRules(builtInRules(DEFAULT_THRESHOLDS, "kubernetes", [
    ...SERVICES,
    { name: "queue", namespace: "platform", kind: "worker", job: "queue", http: { requestsTotal: "queue_http_requests_total" } },
  ]));
  const of = (alert: string, service: string) => rules.find((r) => r.alert === alert && r.expr.includes(`service="${service}"`));

  test("each web/api service reads its own series: default names, prefixed names, its status label and quantile", () => {
    expect(of("HttpErrorRateHigh", "web")!.expr).toBe(
      '100 * sum by (job, service) (rate(http_requests_total{job="web",service="web",status=~"5.."}[5m])) / sum by (job, service) (rate(http_requests_total{job="web",service="web"}[5m])) > 1',
    );
    expect(of("HttpLatencyHigh", "web")!.expr).toBe(
      'histogram_quantile(0.95, sum by (job, service, le) (rate(http_request_duration_seconds_bucket{job="web",service="web"}[5m]))) > 1',
    );
    const paimon = of("HttpLatencyCritical", "paimon-api")!;
    expect(paimon.expr).toBe(
      'histogram_quantile(0.99, sum by (job, service, le) (rate(paimon_http_request_duration_seconds_bucket{job="paimon-api",service="paimon-api"}[5m]))) > 3',
    );
    expect(paimon.labels).toEqual({ service: "paimon-api", quantile: "0.99" });
    expect(paimon.description).toContain("P99 latency of paimon-api");
    expect(of("HttpErrorRateCritical", "paimon-api")!.expr).toContain('paimon_http_requests_total{job="paimon-api",service="paimon-api",status=~"5.."}');
    expect(of("HttpErrorRateCritical", "ledger")!.expr).toContain('ledger_http_requests_total{job="ledger",service="ledger",code=~"5.."}');
    expect(of("HttpLatencyHigh", "ledger")!.labels).toEqual({ service: "ledger", quantile: "0.95" });
  });

  test("workers get no HTTP alerts; TargetDown stays one rule for every job", () => {
    expect(rules.filter((r) => r.expr.includes('service="queue"'))).toEqual([]);
    expect(rules.filter((r) => r.alert === "TargetDown").map((r) => r.expr)).toEqual(["up == 0"]);
  });

  test("SLO recording rules and the RED dashboard read the service's own names", () => {
    const paimonSlo = sloRules([SERVICES[2]])[0].rules.filter((r) => !isAlertRule(r)).map((r) => r.expr);
    expect(paimonSlo).toContain('sum(rate(paimon_http_requests_total{job="paimon-api",service="paimon-api",status=~"5.."}[5m])) / sum(rate(paimon_http_requests_total{job="paimon-api",service="paimon-api"}[5m]))');
    expect(paimonSlo.some((e) => e.includes('paimon_http_request_duration_seconds_bucket{job="paimon-api",service="paimon-api",le=~') && e.includes("paimon_http_request_duration_seconds_count"))).toBe(true);
    expect(paimonSlo.join(" ")).not.toMatch(/(^|[^_])http_requests_total/);
    const ledger = JSON.stringify(serviceDashboard(SERVICES[3]).model);
    expect(ledger).toContain("sum by (code) (rate(ledger_http_requests_total");
    expect(ledger).not.toMatch(/[^_]http_requests_total/);
  });
});

describe("SLO burn-rate rules", () => {
  const [group] = sloRules([SERVICES[0]]);

  test("records error ratios for every window and alerts on the SRE workbook pairs", () => {
    const records = group.rules.filter((r) => !isAlertRule(r)).map((r) => (r as { record: string }).record);
    for (const w of ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]) {
      expect(records).toContain(`service:http_request_errors:ratio_rate${w}`);
      expect(records).toContain(`service:http_request_slow:ratio_rate${w}`);
    }
    const fast = alertRules([group]).find((r) => r.alert === "SloAvailabilityBurnRateFast")!;
    expect(fast.severity).toBe("critical");
    expect(fast.expr).toContain('service:http_request_errors:ratio_rate1h{service="payment-gateway"} > 0.0144');
    expect(fast.expr).toContain('service:http_request_errors:ratio_rate5m{service="payment-gateway"} > 0.0144');
    expect(fast.expr).toContain("ratio_rate6h{service=\"payment-gateway\"} > 0.006");
    expect(fast.expr).toContain("ratio_rate30m{service=\"payment-gateway\"} > 0.006");
    const slow = alertRules([group]).find((r) => r.alert === "SloAvailabilityBurnRateSlow")!;
    expect(slow.severity).toBe("warning");
    expect(slow.expr).toContain("ratio_rate1d{service=\"payment-gateway\"} > 0.003");
    expect(slow.expr).toContain("ratio_rate3d{service=\"payment-gateway\"} > 0.001");
    expect(slow.expr).toContain("ratio_rate6h{service=\"payment-gateway\"} > 0.001");
  });

  test("services without objectives get no SLO rules", () => {
    expect(sloRules([SERVICES[1]])).toEqual([]);
  });

  test("latency bucket matcher accepts both 1 and 1.0 spellings", () => {
    const re = (n: number) => new RegExp(`^${leMatcher(n).replace(/\\\\/g, "\\")}$`);
    expect(re(1).test("1")).toBe(true);
    expect(re(1).test("1.0")).toBe(true);
    expect(re(1).test("10")).toBe(false);
    expect(re(0.25).test("0.25")).toBe(true);
    expect(re(0.25).test("0.250")).toBe(true);
    expect(re(0.25).test("0.5")).toBe(false);
  });
});

describe("custom rules", () => {
  test("the seeds' business alerts are expressible and grouped", () => {
    const groups = customRules(BUSINESS_RULES);
    expect(groups.map((g) => g.name)).toEqual(["platform-custom"]);
    expect(alertRules(groups).map((r) => r.alert)).toEqual(["HighRiskLevel", "LowLiquidity", "EventProcessingLag", "PaymentSuccessRateLow"]);
    expect(customRules([{ ...BUSINESS_RULES[0], group: "risk" }])[0].name).toBe("platform-risk");
  });
});

describe("Alertmanager config builder", () => {
  const config = buildAlertmanagerConfig({
    environment: "prod",
    receivers: [
      { name: "pager", type: "pagerduty" },
      { name: "chat", type: "slack", channel: "#critical-alerts" },
      { name: "mail", type: "email", to: "a@example.com", from: "b@example.com", smarthost: "smtp:587", authUsername: "u" },
      { name: "dms", type: "webhook", url: "https://dms.example.com" },
    ],
    routes: { critical: ["pager", "chat", "mail"], warning: ["chat"], info: ["mail"], watchdog: "dms" },
    secretDir: "/secrets",
  }) as any;

  test("critical fans out to every receiver with no wait and a 15m repeat", () => {
    const critical = config.route.routes.find((r: any) => r.matchers.includes('severity="critical"'));
    expect(critical.matchers).toContain('environment="prod"');
    expect(critical).toMatchObject({ group_wait: "0s", repeat_interval: "15m" });
    expect(critical.routes).toEqual([
      { receiver: "pager", continue: true },
      { receiver: "chat", continue: true },
      { receiver: "mail" },
    ]);
  });

  test("secrets are file references only", () => {
    const receivers = Object.fromEntries(config.receivers.map((r: any) => [r.name, r]));
    expect(receivers.pager.pagerduty_configs[0].routing_key_file).toBe("/secrets/pager");
    expect(receivers.chat.slack_configs[0].api_url_file).toBe("/secrets/chat");
    expect(receivers.mail.email_configs[0].auth_password_file).toBe("/secrets/mail");
    expect(receivers.dms.webhook_configs[0].http_config.authorization.credentials_file).toBe("/secrets/dms");
    expect(JSON.stringify(config)).not.toMatch(/"(api_url|routing_key|auth_password|service_key)"/);
  });

  test("the watchdog goes first to the dead-man's switch, without resolved notifications", () => {
    expect(config.route.routes[0]).toMatchObject({ receiver: "dms", matchers: ['alertname="Watchdog"'] });
    const dms = config.receivers.find((r: any) => r.name === "dms");
    expect(dms.webhook_configs[0].send_resolved).toBe(false);
  });
});

describe("Alertmanager grouping and timings", () => {
  const receivers = [
    { name: "pager", type: "pagerduty" as const },
    { name: "chat", type: "slack" as const, channel: "#monitoring" },
    { name: "dms", type: "webhook" as const, url: "https://dms.example.com" },
  ];
  const build = (grouping?: Parameters<typeof resolveGrouping>[0]) =>
    buildAlertmanagerConfig({ environment: "prod", receivers, routes: { critical: ["pager", "chat"], warning: ["chat"], info: ["chat"], watchdog: "dms" }, secretDir: "/s", ...(grouping ? { grouping } : {}) }) as any;
  const route = (config: any, severity: string) => config.route.routes.find((r: any) => r.matchers.includes(`severity="${severity}"`));

  test("without settings every route states the defaults in full", () => {
    const config = build();
    expect(config.route).toMatchObject({ group_by: ["alertname", "environment", "namespace", "service"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" });
    expect(route(config, "critical")).toMatchObject({ group_by: DEFAULT_GROUPING.critical.groupBy, group_wait: "0s", group_interval: "1m", repeat_interval: "15m" });
    expect(route(config, "warning")).toMatchObject({ group_wait: "30s", group_interval: "5m", repeat_interval: "1h" });
    expect(route(config, "info")).toMatchObject({ group_wait: "5m", group_interval: "1h", repeat_interval: "24h" });
    expect(config.route.routes[0]).toMatchObject({ receiver: "dms", group_wait: "0s", group_interval: "1m", repeat_interval: "1m" });
    // Fan-out children inherit their severity route's grouping.
    expect(route(config, "critical").routes[0]).toEqual({ receiver: "pager", continue: true });
  });

  test("seed 000: severity routes inherit the root's settings unless they set their own; the watchdog inherits nothing", () => {
    const config = build(GREENLINK_GROUPING);
    expect(config.route).toMatchObject({ group_by: ["alertname", "environment", "service"], group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
    expect(route(config, "critical")).toMatchObject({ group_by: ["alertname", "environment", "service"], group_wait: "0s", group_interval: "10s", repeat_interval: "15m" });
    expect(route(config, "warning")).toMatchObject({ group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
    expect(route(config, "info")).toMatchObject({ group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
    expect(config.route.routes[0]).toMatchObject({ group_wait: "0s", group_interval: "1m", repeat_interval: "1m" });
    const own = build({ critical: { groupBy: ["..."] }, watchdog: { repeatInterval: "5m" } });
    expect(route(own, "critical").group_by).toEqual(["..."]);
    expect(route(own, "warning").group_by).toEqual(DEFAULT_GROUPING.warning.groupBy);
    expect(own.route.routes[0].repeat_interval).toBe("5m");
  });

  test("resolving is idempotent and takes the given defaults (the profile's) for unset keys", () => {
    const once = resolveGrouping(GREENLINK_GROUPING);
    expect(resolveGrouping(once)).toEqual(once);
    const defaults = { ...DEFAULT_GROUPING, info: { ...DEFAULT_GROUPING.info, repeatInterval: "12h" } };
    expect(resolveGrouping({ critical: { repeatInterval: "30m" } }, defaults)).toMatchObject({ critical: { repeatInterval: "30m", groupWait: "0s" }, info: { repeatInterval: "12h" } });
  });

  test("valid settings have no problems, including the defaults and seed 000", () => {
    expect(groupingProblems(undefined)).toEqual([]);
    expect(groupingProblems(GREENLINK_GROUPING)).toEqual([]);
    expect(groupingProblems(DEFAULT_GROUPING)).toEqual([]);
    expect(groupingProblems({ groupBy: ["..."], groupWait: "0s", groupInterval: "1h30m", repeatInterval: "120h" })).toEqual([]);
  });

  test("every problem is reported at once with its key path", () => {
    const problems = groupingProblems({
      groupBy: ["alertname", "alertname", "service-name"],
      groupWait: "10 seconds",
      critical: { groupBy: ["...", "service"], repeatInterval: "30m1h", page: true },
      info: { groupInterval: "0s" },
      watchdog: { groupBy: ["x"], repeatInterval: "6d" },
      mute: "nights",
    });
    const at = problems.map(([path, value, allowed]) => `${path.join(".")}=${JSON.stringify(value)}: ${allowed}`);
    expect(at).toEqual([
      expect.stringMatching(/^groupBy\.1="alertname": is listed twice/),
      expect.stringMatching(/^groupBy\.2="service-name": must be a label name/),
      expect.stringMatching(/^groupWait="10 seconds": must be an Alertmanager duration like 0s, 30s, 5m or 1h30m/),
      expect.stringMatching(/^critical\.groupBy=\["\.\.\.","service"\]: "\.\.\." \(group by every label\) must stand alone/),
      expect.stringMatching(/^critical\.repeatInterval="30m1h": must be an Alertmanager duration .*largest first/),
      expect.stringMatching(/^critical\.page=true: unknown key; allowed: groupBy, groupWait, groupInterval, repeatInterval$/),
      expect.stringMatching(/^watchdog\.groupBy=\["x"\]: unknown key; allowed: groupWait, groupInterval, repeatInterval \(the watchdog is one alert/),
      expect.stringMatching(/^mute="nights": unknown key; allowed: groupBy, .*critical, warning, info, watchdog$/),
      // Orderings are checked on the valid part in the same run.
      expect.stringMatching(/^info\.groupInterval="0s": must be longer than 0 \(Alertmanager refuses a zero group_interval\)/),
      expect.stringMatching(/^watchdog\.repeatInterval="6d": must be at most 120h/),
    ]);
  });

  test("the repeat interval may not undercut the group interval, wherever each comes from", () => {
    const only = (g: unknown) => groupingProblems(g).map(([path, value, allowed]) => `${path.join(".")}=${JSON.stringify(value)}: ${allowed}`);
    // Both at the root: reported once at the root, not again for every severity route that inherits both.
    expect(only({ groupInterval: "2h", repeatInterval: "1h" })).toEqual([
      expect.stringMatching(/^repeatInterval="1h": the repeat interval \(1h, repeatInterval\) must not be shorter than the group interval \(2h, groupInterval\)/),
    ]);
    // A root group interval longer than a severity's own repeat: blamed on that severity's repeat.
    expect(only({ groupInterval: "30m", critical: { repeatInterval: "15m" } })).toEqual([
      expect.stringMatching(/^critical\.repeatInterval="15m": the repeat interval \(15m, critical\.repeatInterval\) must not be shorter than the group interval \(30m, inherited from groupInterval\)/),
    ]);
    // A severity's own group interval longer than its default repeat: blamed on the key it set.
    expect(only({ critical: { groupInterval: "20m" } })).toEqual([
      expect.stringMatching(/^critical\.groupInterval="20m": the repeat interval \(15m, the critical default\) must not be shorter than the group interval \(20m, critical\.groupInterval\)/),
    ]);
    expect(only({ critical: { groupInterval: "20m", repeatInterval: "20m" } })).toEqual([]);
  });
});

describe("dashboards", () => {
  test("overview shows rate, P95, errors, CPU and memory", () => {
    const d = overviewDashboard(DEFAULT_THRESHOLDS);
    const panels = (d.model.panels as Array<{ title: string; targets: Array<{ expr: string }> }>);
    expect(panels.map((p) => p.title)).toEqual(["Request rate", "P95 latency", "5xx error rate", "Node CPU usage", "Node memory usage"]);
    expect(panels[1].targets[0].expr).toContain("histogram_quantile(0.95");
    expect(d.model.uid).toBe("platform-overview");
  });

  test("overview HTTP panels query each service's own metric names, one query per metric family, scoped to its services", () => {
    const d = overviewDashboard(DEFAULT_THRESHOLDS, SERVICES);
    const panels = d.model.panels as Array<{ title: string; targets: Array<{ expr: string; legendFormat: string; refId: string }> }>;
    const exprs = (title: string) => panels.find((p) => p.title === title)!.targets.map((t) => t.expr);
    expect(panels.map((p) => p.title)).toEqual(["Request rate", "Latency (P95, P99: each service's alert quantile)", "5xx error rate", "Node CPU usage", "Node memory usage"]);
    expect(exprs("Request rate")).toEqual([
      'sum by (service) (rate(http_requests_total{job=~"payment-gateway|web",service=~"payment-gateway|web"}[5m]))',
      'sum by (service) (rate(paimon_http_requests_total{job=~"paimon-api",service=~"paimon-api"}[5m]))',
      'sum by (service) (rate(ledger_http_requests_total{job=~"ledger",service=~"ledger"}[5m]))',
    ]);
    // Seed 002: paimon-api's latency is read from its own histogram at its own alert quantile (P99).
    expect(exprs("Latency (P95, P99: each service's alert quantile)")).toEqual([
      'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{job=~"payment-gateway|web|ledger",service=~"payment-gateway|web|ledger"}[5m])))',
      'histogram_quantile(0.99, sum by (service, le) (rate(paimon_http_request_duration_seconds_bucket{job=~"paimon-api",service=~"paimon-api"}[5m])))',
    ]);
    expect(panels[1].targets.map((t) => t.legendFormat)).toEqual(["{{service}} P95", "{{service}} P99"]);
    expect(exprs("5xx error rate")).toEqual([
      '100 * sum by (service) (rate(http_requests_total{job=~"payment-gateway|web",service=~"payment-gateway|web",status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{job=~"payment-gateway|web",service=~"payment-gateway|web"}[5m]))',
      '100 * sum by (service) (rate(paimon_http_requests_total{job=~"paimon-api",service=~"paimon-api",status=~"5.."}[5m])) / sum by (service) (rate(paimon_http_requests_total{job=~"paimon-api",service=~"paimon-api"}[5m]))',
      '100 * sum by (service) (rate(ledger_http_requests_total{job=~"ledger",service=~"ledger",code=~"5.."}[5m])) / sum by (service) (rate(ledger_http_requests_total{job=~"ledger",service=~"ledger"}[5m]))',
    ]);
    // The default-name queries no longer cover paimon-api, so it is never counted under two names.
    expect(exprs("Request rate")[0]).not.toContain("paimon");
    for (const p of panels) for (const t of p.targets) expect({ expr: t.expr, problem: promqlSyntaxProblem(t.expr) }).toEqual({ expr: t.expr, problem: undefined });
    for (const p of panels) expect(p.targets.map((t) => t.refId)).toEqual(p.targets.map((_t, i) => String.fromCharCode(65 + i)));
  });

  test("overview without HTTP services reads the default names unscoped; workers add no family; odd names are escaped", () => {
    for (const services of [[], [{ ...SERVICES[0], kind: "worker" as const, http: { requestsTotal: "jobs_total" } }]]) {
      const q = overviewHttpQueries(services);
      expect(q.requests.map((x) => x.expr)).toEqual(["sum by (service) (rate(http_requests_total[5m]))"]);
      expect(q.latencyTitle).toBe("P95 latency");
      expect(q.errors.map((x) => x.expr)).toEqual(['100 * sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m]))']);
    }
    const dotted = overviewHttpQueries([{ ...SERVICES[0], job: "platform/api.v1" }]).requests[0].expr;
    expect(dotted).toBe('sum by (service) (rate(http_requests_total{job=~"platform/api\\\\.v1",service=~"payment-gateway"}[5m]))');
    expect(promqlSyntaxProblem(dotted)).toBeUndefined();
    // Many families: refIds stay unique past Z.
    const many = Array.from({ length: 30 }, (_, i) => ({ ...SERVICES[0], name: `svc-${i}`, job: `svc-${i}`, http: { requestsTotal: `team${i}_http_requests_total` } }));
    const refIds = (overviewDashboard(DEFAULT_THRESHOLDS, many).model.panels as Array<{ targets: Array<{ refId: string }> }>)[0].targets.map((t) => t.refId);
    expect(new Set(refIds).size).toBe(30);
  });

  test("service dashboards are RED and scoped to the service", () => {
    const d = serviceDashboard(SERVICES[0]);
    const panels = d.model.panels as Array<{ title: string; targets: Array<{ expr: string }> }>;
    expect(panels.map((p) => p.title)).toEqual(["Rate", "Errors", "Duration"]);
    for (const p of panels) for (const t of p.targets) expect(t.expr).toContain('service="payment-gateway"');
    expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
  });
});

describe("kube-prometheus-stack values", () => {
  const base = {
    ctx: ctxFor("prod", "kubernetes"),
    retention: "30d",
    storageSize: "100Gi",
    replicas: 2,
    alertmanagerConfig: {},
    receiverSecret: "alerting-receivers",
    grafanaSecret: "alerting-grafana-admin",
  };

  test("selectors match the monitoring labels; intervals 15s; retention and storage from args", () => {
    const v = chartValues({ ...base, managedControlPlane: false }) as any;
    const spec = v.prometheus.prometheusSpec;
    expect(spec.ruleSelector).toEqual({ matchLabels: { "platform.example/monitoring": "true" } });
    expect(spec.serviceMonitorSelector).toEqual(spec.ruleSelector);
    expect(spec).toMatchObject({ scrapeInterval: "15s", evaluationInterval: "15s", retention: "30d", replicas: 2 });
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("100Gi");
    expect(v.commonLabels).toEqual({ "platform.example/monitoring": "true" });
    expect(v.grafana.admin.existingSecret).toBe("alerting-grafana-admin");
    expect(v.grafana.sidecar.dashboards).toMatchObject({ enabled: true, label: "grafana_dashboard", labelValue: "1" });
    expect(v.alertmanager.alertmanagerSpec.secrets).toEqual(["alerting-receivers"]);
    expect(v.kubeEtcd.enabled).toBe(true);
  });

  test("managed control planes turn off unreachable components and their alerts", () => {
    const v = chartValues({ ...base, managedControlPlane: true }) as any;
    for (const c of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) expect(v[c].enabled).toBe(false);
    expect(v.defaultRules.rules).toMatchObject({ etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeProxy: false });
  });
});

describe("docker configuration files", () => {
  test("prometheus.yml scrapes the bundles' targets, loads each rule file and uses 15s intervals", () => {
    const c = prometheusConfig({
      environment: "dev",
      ruleSources: ["builtin", "databases"],
      scrapeTargets: [{ job: "postgres-orders", targets: ["orders-exporter:9187"] }],
    }) as any;
    expect(c.global).toMatchObject({ scrape_interval: "15s", evaluation_interval: "15s", external_labels: { environment: "dev" } });
    expect(c.rule_files).toEqual(["/etc/prometheus/rules/builtin.yml", "/etc/prometheus/rules/databases.yml"]);
    expect(c.scrape_configs.map((s: any) => s.job_name)).toContain("postgres-orders");
  });

  test("grafana provisioning declares the datasource and one provider per folder", () => {
    const files = grafanaProvisioning([overviewDashboard(DEFAULT_THRESHOLDS), serviceDashboard(SERVICES[0])]);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        "/etc/grafana/provisioning/datasources/prometheus.yml",
        "/etc/grafana/provisioning/dashboards/platform.yml",
        "/var/lib/grafana/dashboards/platform/platform-overview.json",
      ]),
    );
    expect(files["/etc/grafana/provisioning/datasources/prometheus.yml"]).toContain("uid: prometheus");
  });
});
