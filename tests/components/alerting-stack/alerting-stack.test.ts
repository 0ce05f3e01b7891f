import * as pulumi from "@pulumi/pulumi";
import { AlertingStack, validateAlertingStackArgs, type AlertingStackArgs } from "../../../components/alerting-stack";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, isSecretValue, MOCK_SECRET_PREFIX, outputOf, plaintextStrings, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { ctxFor, fullArgs, GREENLINK_GROUPING, SERVICES } from "./fixtures";

const PROFILE_ARGS = {
  dev: { retention: "200h", storageSize: "10Gi", replicas: 1 },
  staging: { retention: "7d", storageSize: "20Gi", replicas: 1 },
  prod: { retention: "30d", storageSize: "100Gi", replicas: 2 },
} as const;

const SECRET_VALUES = ["pd-routing-key", "https://hooks.slack.test/critical", "https://hooks.slack.test/monitoring", "smtp-password", "wechat-app-secret", "dms-token"];

/** Args whose receiver secrets are Pulumi secrets, as the section passes them. */
function secretArgs(overrides: Partial<AlertingStackArgs> = {}): AlertingStackArgs {
  const args = fullArgs(overrides);
  return { ...args, receivers: args.receivers.map((r) => ({ ...r, secret: pulumi.secret(r.secret as string) })) };
}

function leaks(rec: Recorder): string[] {
  return rec.resources.flatMap((r) =>
    plaintextStrings(r.inputs)
      .filter((s) => SECRET_VALUES.some((v) => s.value.includes(v)) || s.value.includes(MOCK_SECRET_PREFIX))
      .map((s) => `${r.type} ${r.name} ${s.path}`),
  );
}

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

describe.each(["dev", "staging", "prod"] as const)("kubernetes target, %s profile", (env) => {
  test("installs the pinned chart, rules, dashboards and secrets under the component", async () => {
    const stack = new AlertingStack("alerting", secretArgs({ ...PROFILE_ARGS[env], managedControlPlane: env !== "dev" }), ctxFor(env, "kubernetes"));
    await settle();
    rec.assertUniqueUrns();
    const component = rec.one("platform:alerting:AlertingStack", "alerting");
    const release = rec.one("kubernetes:helm.sh/v3:Release", "alerting-chart");
    expect(release.parent).toBe(component.urn);
    expect(release.inputs.chart).toBe("kube-prometheus-stack");
    expect(release.inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(release.inputs.repositoryOpts.repo).toBe("https://prometheus-community.github.io/helm-charts");

    const values = unwrapSecrets(release.inputs.values);
    const spec = values.prometheus.prometheusSpec;
    expect(spec).toMatchObject({ retention: PROFILE_ARGS[env].retention, replicas: PROFILE_ARGS[env].replicas, scrapeInterval: "15s", evaluationInterval: "15s" });
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe(PROFILE_ARGS[env].storageSize);
    expect(values.kubeEtcd.enabled).toBe(env === "dev");
    expect(values.grafana.admin.existingSecret).toBe("alerting-grafana-admin");
    expect(values.alertmanager.config.route.routes.length).toBeGreaterThan(2);
    // The WeChat secret is substituted inside a secret output: the values are secret as a whole.
    expect(isSecretValue(release.inputs.values) || isSecretValue(release.inputs.values.alertmanager?.config)).toBe(true);

    const rules = rec.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rules.map((r) => r.name).sort()).toEqual(["alerting-rules-builtin", "alerting-rules-custom", "alerting-rules-databases", "alerting-rules-slo"]);
    for (const r of rules) {
      expect(r.inputs.metadata.labels["platform.example/monitoring"]).toBe("true");
      expect(r.dependencies).toContain(release.urn);
    }
    const dashboards = rec.byType("kubernetes:core/v1:ConfigMap");
    expect(dashboards.map((d) => d.name).sort()).toEqual(
      [
        "alerting-dashboard-platform-overview",
        "alerting-dashboard-postgres-orders",
        "alerting-dashboard-svc-platform-payment-gateway",
        "alerting-dashboard-svc-platform-web",
        "alerting-dashboard-svc-platform-paimon-api",
        "alerting-dashboard-svc-platform-ledger",
      ].sort(),
    );
    for (const d of dashboards) expect(d.inputs.metadata.labels.grafana_dashboard).toBe("1");

    const receiverSecret = rec.one("kubernetes:core/v1:Secret", "alerting-receiver-secret");
    expect(receiverSecret.inputs.metadata.name).toBe("alerting-receivers");
    expect(Object.keys(unwrapSecrets(receiverSecret.inputs.stringData)).sort()).toEqual(
      ["critical-chat", "deadman", "monitoring-chat", "oncall-email", "ops-digest", "pager", "wecom"],
    );
    const grafanaSecret = rec.one("kubernetes:core/v1:Secret", "alerting-grafana-secret");
    expect(isSecretValue(grafanaSecret.inputs.stringData["admin-password"]) || isSecretValue(grafanaSecret.inputs.stringData)).toBe(true);
    expect(unwrapSecrets(grafanaSecret.inputs.stringData)["admin-password"]).toBe(`${MOCK_SECRET_PREFIX}alerting-grafana-password`);

    expect(leaks(rec)).toEqual([]);
    expect(Object.keys(stack.ruleFiles)).toEqual(["builtin", "custom", "slo", "databases"]);
    expect(await outputOf(stack.grafanaAdminPassword)).toBe(`${MOCK_SECRET_PREFIX}alerting-grafana-password`);
  });
});

describe.each(["dev", "staging", "prod"] as const)("docker target, %s profile", (env) => {
  test("runs pinned Prometheus, Alertmanager and Grafana on the backend network with uploaded config", async () => {
    new AlertingStack("alerting", secretArgs({ ...PROFILE_ARGS[env] }), ctxFor(env, "docker"));
    await settle();
    rec.assertUniqueUrns();
    const containers = rec.byType("docker:index/container:Container");
    expect(containers.map((c) => c.name).sort()).toEqual(["alerting-alertmanager", "alerting-cadvisor", "alerting-grafana", "alerting-node-exporter", "alerting-prometheus"]);
    for (const c of containers) {
      expect(c.inputs.image).toMatch(/:v?\d+\.\d+\.\d+$/);
      expect(c.inputs.networksAdvanced[0].name).toBe("net-backend");
      for (const p of c.inputs.ports ?? []) expect(p.ip).toBe("127.0.0.1");
      expect(c.inputs.capabilities.drops).toEqual(["ALL"]);
      expect(c.inputs.securityOpts).toContain("no-new-privileges:true");
      expect(c.inputs.user).not.toMatch(/^0?(:|$)/);
    }
    const prom = rec.one("docker:index/container:Container", "alerting-prometheus");
    expect(prom.inputs.command).toContain(`--storage.tsdb.retention.time=${PROFILE_ARGS[env].retention}`);
    const promFiles = Object.fromEntries(prom.inputs.uploads.map((u: any) => [u.file, unwrapSecrets(u.content)]));
    expect(promFiles["/etc/prometheus/prometheus.yml"]).toContain("orders-exporter:9187");
    expect(Object.keys(promFiles)).toEqual(
      expect.arrayContaining(["/etc/prometheus/rules/builtin.yml", "/etc/prometheus/rules/custom.yml", "/etc/prometheus/rules/slo.yml", "/etc/prometheus/rules/databases.yml"]),
    );

    const am = rec.one("docker:index/container:Container", "alerting-alertmanager");
    const secretUploads = am.inputs.uploads.filter((u: any) => u.file.startsWith("/etc/alertmanager/secrets/"));
    expect(secretUploads).toHaveLength(7);
    for (const u of secretUploads) expect(isSecretValue(u.content)).toBe(true);
    const amConfig = am.inputs.uploads.find((u: any) => u.file === "/etc/alertmanager/alertmanager.yml");
    expect(isSecretValue(amConfig.content)).toBe(true); // carries the WeChat secret

    const grafana = rec.one("docker:index/container:Container", "alerting-grafana");
    expect(grafana.inputs.envs.some((e: unknown) => isSecretValue(e))).toBe(true);
    expect(grafana.inputs.uploads.map((u: any) => u.file)).toContain("/etc/grafana/provisioning/datasources/prometheus.yml");
    expect(leaks(rec)).toEqual([]);
  });
});

const PROBES = ["https://app.example.com/api/health", "https://api.example.com/health/ready"];

test("kubernetes: probes every public URL through a blackbox exporter and scrapes cert-manager", async () => {
  new AlertingStack("alerting", secretArgs({ probeTargets: PROBES, certManagerNamespace: "cert-manager" }), ctxFor("prod", "kubernetes"));
  await settle();
  const chart = rec.one("kubernetes:helm.sh/v3:Release", "alerting-chart");
  const blackbox = rec.one("kubernetes:helm.sh/v3:Release", "alerting-blackbox");
  expect(blackbox.inputs).toMatchObject({ chart: "prometheus-blackbox-exporter", namespace: "monitoring" });
  expect(blackbox.inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(blackbox.inputs.values.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  expect(blackbox.inputs.values.resources.limits).toEqual({ cpu: "200m", memory: "128Mi" });
  expect(blackbox.inputs.values.config.modules.http_2xx.http.fail_if_not_ssl).toBe(true);

  const probe = rec.one("kubernetes:monitoring.coreos.com/v1:Probe", "alerting-probe");
  expect(probe.inputs.metadata.labels["platform.example/monitoring"]).toBe("true");
  expect(probe.inputs.spec).toMatchObject({
    jobName: "blackbox",
    module: "http_2xx",
    prober: { url: "blackbox-exporter.monitoring.svc:9115" },
    targets: { staticConfig: { static: PROBES } },
  });
  const values = unwrapSecrets(chart.inputs.values).prometheus.prometheusSpec;
  expect(values).toMatchObject({ probeSelector: { matchLabels: { "platform.example/monitoring": "true" } }, probeSelectorNilUsesHelmValues: false });

  const monitor = rec.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "alerting-cert-manager-monitor");
  expect(monitor.inputs.metadata).toMatchObject({ namespace: "monitoring", labels: { "platform.example/monitoring": "true" } });
  expect(monitor.inputs.spec).toMatchObject({
    namespaceSelector: { matchNames: ["cert-manager"] },
    selector: { matchLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" } },
    endpoints: [{ port: "tcp-prometheus-servicemonitor" }],
  });
});

test("kubernetes without public URLs or cert-manager installs neither exporter, Probe nor ServiceMonitor", async () => {
  new AlertingStack("alerting", secretArgs(), ctxFor("prod", "kubernetes"));
  await settle();
  expect(rec.byType("kubernetes:monitoring.coreos.com/v1:Probe")).toEqual([]);
  expect(rec.byType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")).toEqual([]);
  expect(rec.resources.find((r) => r.name === "alerting-blackbox")).toBeUndefined();
});

test("docker: a hardened blackbox container and a probe scrape job when there are public URLs", async () => {
  new AlertingStack("alerting", secretArgs({ probeTargets: PROBES }), ctxFor("dev", "docker"));
  await settle();
  const bb = rec.one("docker:index/container:Container", "alerting-blackbox");
  expect(bb.inputs.image).toMatch(/^prom\/blackbox-exporter:v\d+\.\d+\.\d+$/);
  expect(bb.inputs.ports ?? []).toEqual([]);
  expect(bb.inputs.capabilities.drops).toEqual(["ALL"]);
  expect(bb.inputs.user).toBe("65534:65534");
  expect(bb.inputs.networksAdvanced[0]).toMatchObject({ name: "net-backend", aliases: ["blackbox-exporter"] });
  const prom = rec.one("docker:index/container:Container", "alerting-prometheus");
  const promYaml = unwrapSecrets(prom.inputs.uploads.find((u: any) => u.file === "/etc/prometheus/prometheus.yml").content) as string;
  expect(promYaml).toContain("job_name: blackbox");
  expect(promYaml).toContain("https://app.example.com/api/health");
  expect(promYaml).toContain("replacement: blackbox-exporter:9115");
});

test("docker target: the UIs' host ports are configurable and stay on 127.0.0.1", async () => {
  const stack = new AlertingStack("alerting", secretArgs({ hostPorts: { grafana: 3300, prometheus: 9190 } }), ctxFor("dev", "docker"));
  await settle();
  const published = (name: string) => rec.one("docker:index/container:Container", `alerting-${name}`).inputs.ports;
  expect(published("grafana")).toEqual([{ internal: 3000, external: 3300, ip: "127.0.0.1" }]);
  expect(published("prometheus")).toEqual([{ internal: 9090, external: 9190, ip: "127.0.0.1" }]);
  expect(published("alertmanager")).toEqual([{ internal: 9093, external: 9093, ip: "127.0.0.1" }]);
  expect(await outputOf(stack.urls.grafana)).toBe("http://127.0.0.1:3300");
});

test("docker target: node-exporter and cAdvisor run least-privileged and Prometheus scrapes them", async () => {
  new AlertingStack("alerting", secretArgs(), ctxFor("dev", "docker", { dockerMetricsVolume: "platform-dev-metrics-textfile" }));
  await settle();
  const inputs = (name: string) => rec.one("docker:index/container:Container", `alerting-${name}`).inputs;
  for (const exporter of ["node-exporter", "cadvisor"]) {
    const c = inputs(exporter);
    expect(c.user).toBe("65534:65534");
    expect(c.readOnly).toBe(true);
    expect(c.ports).toBeUndefined();
    expect(c.capabilities).toEqual({ drops: ["ALL"] });
    expect(c.securityOpts).toEqual(["no-new-privileges:true"]);
    for (const v of c.volumes) expect(v.readOnly).toBe(true);
    // No Docker socket: it would hand the exporter control of the engine.
    expect(c.volumes.some((v: any) => String(v.hostPath ?? "").includes("docker.sock") || v.hostPath === "/var/run")).toBe(false);
  }
  const node = inputs("node-exporter");
  expect(node.command).toContain("--collector.textfile.directory=/textfile");
  expect(node.volumes).toContainEqual({ volumeName: "platform-dev-metrics-textfile", containerPath: "/textfile", readOnly: true });
  const promYaml = unwrapSecrets(inputs("prometheus").uploads.find((u: any) => u.file === "/etc/prometheus/prometheus.yml").content);
  expect(promYaml).toContain("node-exporter:9100");
  expect(promYaml).toContain("cadvisor:8080");
  const rules = inputs("prometheus").uploads.find((u: any) => u.file === "/etc/prometheus/rules/builtin.yml").content as string;
  // Docker's container alerts read cAdvisor's limits, not kube-state-metrics (which does not exist there).
  expect(rules).toContain("container_spec_memory_limit_bytes");
  expect(rules).not.toContain("kube_pod_container_resource_limits");
});

test("docker target without the stack's textfile volume: node-exporter runs without the textfile collector", async () => {
  new AlertingStack("alerting", secretArgs(), ctxFor("dev", "docker"));
  await settle();
  const node = rec.one("docker:index/container:Container", "alerting-node-exporter").inputs;
  expect(node.command.some((a: string) => a.startsWith("--collector.textfile"))).toBe(false);
});

test("without WeChat receivers the Alertmanager config stays plain data", async () => {
  const args = secretArgs();
  args.receivers = args.receivers.filter((r) => r.type !== "wechat");
  args.routes = { ...args.routes, warning: ["monitoring-chat"] };
  new AlertingStack("alerting", args, ctxFor("prod", "kubernetes"));
  await settle();
  const release = rec.one("kubernetes:helm.sh/v3:Release", "alerting-chart");
  expect(isSecretValue(release.inputs.values)).toBe(false);
  expect(release.inputs.values.alertmanager.config.receivers.map((r: any) => r.name)).toContain("pager");
});

test("without receivers the receiver Secret has no stringData (an empty map would be replaced on every up)", async () => {
  new AlertingStack("alerting", secretArgs({ receivers: [], routes: { critical: [], warning: [], info: [] } }), ctxFor("staging", "kubernetes"));
  await settle();
  const secret = rec.one("kubernetes:core/v1:Secret", "alerting-receiver-secret");
  expect(secret.inputs.metadata.name).toBe("alerting-receivers");
  expect("stringData" in secret.inputs).toBe(false);
});

test("a chart source override (mirror) is used for the release, and a local chart path replaces the repository", async () => {
  const mirrored = { ...ctxFor("prod", "kubernetes"), charts: { "kube-prometheus-stack": { repo: "https://mirror.example.com/charts", version: "79.7.1" } } };
  new AlertingStack("alerting", secretArgs(), mirrored);
  await settle();
  const release = rec.one("kubernetes:helm.sh/v3:Release", "alerting-chart");
  expect([release.inputs.chart, release.inputs.version, release.inputs.repositoryOpts]).toEqual(["kube-prometheus-stack", "79.7.1", { repo: "https://mirror.example.com/charts" }]);
});

test("transforms adjust a child's args", async () => {
  new AlertingStack("alerting", secretArgs({ transforms: { chart: (a: any) => ({ ...a, timeout: 1200 }) } }), ctxFor("dev", "kubernetes"));
  await settle();
  expect(rec.one("kubernetes:helm.sh/v3:Release", "alerting-chart").inputs.timeout).toBe(1200);
});

describe("bad input fails before anything is registered", () => {
  const cases: Array<[string, Partial<AlertingStackArgs> | ((a: AlertingStackArgs) => AlertingStackArgs), RegExp]> = [
    ["route to an undeclared receiver", (a) => ({ ...a, routes: { ...a.routes, critical: ["pager", "nobody"] } }), /routes\.critical\[1\]: must name a declared receiver .*\(got "nobody"\)/],
    [
      "receiver without its secret",
      (a) => ({ ...a, receivers: a.receivers.map((r) => (r.name === "pager" ? { ...r, secret: undefined as unknown as string } : r)) }),
      /receivers\[0\]\.secret: a pagerduty receiver needs its secret .*\(got undefined\)/,
    ],
    ["unknown severity in routes", (a) => ({ ...a, routes: { ...a.routes, urgent: ["pager"] } as any }), /routes\.urgent: unknown severity; allowed: critical, warning, info, watchdog \(got \["pager"\]\)/],
    [
      "unknown severity in a custom rule",
      { customRules: [{ alert: "X", expr: "up", for: "5m", severity: "fatal" as any, summary: "s", description: "d" }] },
      /customRules\[0\]\.severity: must be one of critical, warning, info \(got "fatal"\)/,
    ],
    [
      "duplicate alert names in a group",
      {
        customRules: [
          { alert: "QueueLag", expr: "q > 1", for: "5m", severity: "warning", summary: "s", description: "d" },
          { alert: "QueueLag", expr: "q > 2", for: "5m", severity: "critical", summary: "s", description: "d" },
        ],
      },
      /customRules\[1\]\.alert: duplicate alert name in rule group "custom" .*\(got "QueueLag"\)/,
    ],
    [
      "duplicate alert names in a bundle's group",
      {
        monitoring: {
          databases: {
            ruleGroups: [{ name: "g", rules: [1, 2].map(() => ({ alert: "Dup", expr: "up", for: "1m", severity: "warning" as const, summary: "s", description: "d" })) }],
            dashboards: [],
            scrapeTargets: [],
          },
        },
      },
      /monitoring\.databases: duplicate alert "Dup" in rule group "g"/,
    ],
    [
      "SLO target of 100",
      { services: [{ ...SERVICES[0], objectives: { availabilityPercent: 100 } }] },
      /services\[0\]\.objectives\.availabilityPercent: must be a percentage strictly between 0 and 100 .*\(got 100\)/,
    ],
    [
      "SLO target of 0",
      { services: [{ ...SERVICES[0], objectives: { latency: { thresholdSeconds: 1, percent: 0 } } }] },
      /services\[0\]\.objectives\.latency\.percent: must be a percentage strictly between 0 and 100 \(got 0\)/,
    ],
    [
      "HTTP metric names that are not Prometheus names",
      { services: [{ ...SERVICES[2], http: { requestsTotal: "paimon.http.requests", durationHistogram: "paimon_latency_count", latencyQuantile: 1 } }] },
      /services\[0\]\.http\.requestsTotal: must be a Prometheus metric name .*\(got "paimon\.http\.requests"\)[\s\S]*services\[0\]\.http\.durationHistogram: must be the histogram's base name[\s\S]*services\[0\]\.http\.latencyQuantile: must be a quantile greater than 0 and less than 1, e\.g\. 0\.99 \(got 1\)/,
    ],
    ["thresholds in the wrong order", { thresholds: { cpuPercent: { warning: 95, critical: 90 } } }, /thresholds\.cpuPercent: warning \(95\) must be below critical \(90\)/],
    ["bad retention", { retention: "forever" }, /retention: must be a Prometheus duration .*\(got "forever"\)/],
    ["plain-HTTP probe target", { probeTargets: ["http://app.example.com/"] }, /probeTargets\[0\]: must be an https:\/\/ URL .*\(got "http:\/\/app.example.com\/"\)/],
    ["probe target listed twice", { probeTargets: ["https://a.example.com/", "https://a.example.com/"] }, /probeTargets\[1\]: is listed twice/],
    ["durations of an unknown family", { durations: { NodeCpu: "2m" } }, /durations\.NodeCpu: unknown alert family; allowed: .*NodeCpuUsage/],
    [
      "two UIs on one host port",
      { hostPorts: { grafana: 9090 } },
      /hostPorts\.grafana: host port 9090 on 127\.0\.0\.1 \(grafana UI\) is already published by hostPorts\.prometheus .*\(got 9090\)/,
    ],
    ["a host port out of range", { hostPorts: { alertmanager: 70000 } }, /hostPorts\.alertmanager: must be an integer port between 1 and 65535 \(got 70000\)/],
    [
      "grouping: bad label, bad duration, repeat shorter than the group interval, unknown key — all at once",
      { grouping: { groupBy: ["alert-name"], critical: { groupWait: "now", groupInterval: "30m" }, warning: { repeatInterval: "200h" }, silence: true } as any },
      /grouping\.groupBy\[0\]: must be a label name .*\(got "alert-name"\)[\s\S]*grouping\.critical\.groupWait: must be an Alertmanager duration .*\(got "now"\)[\s\S]*grouping\.silence: unknown key[\s\S]*grouping\.critical\.groupInterval: the repeat interval \(15m, the critical default\) must not be shorter than the group interval \(30m, critical\.groupInterval\).*\(got "30m"\)[\s\S]*grouping\.warning\.repeatInterval: must be at most 120h .*\(got "200h"\)/,
    ],
  ];

  test.each(cases)("%s", async (_label, change, message) => {
    const base = secretArgs();
    const args = typeof change === "function" ? change(base) : { ...base, ...change };
    let error: unknown;
    try {
      new AlertingStack("alerting", args, ctxFor("prod", "kubernetes"));
    } catch (e) {
      error = e;
    }
    await settle();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('AlertingStack "alerting" args');
    expect(rec.resources).toEqual([]);
  });

  test("grouping reaches the rendered alertmanager.yml; without it the defaults apply", () => {
    const routeOf = (config: any, severity: string) => config.route.routes.find((r: any) => (r.matchers ?? []).includes(`severity="${severity}"`));
    const greenlink = validateAlertingStackArgs("alerting", fullArgs({ grouping: GREENLINK_GROUPING }), ctxFor("prod", "kubernetes")).alertmanagerConfig as any;
    expect(greenlink.route).toMatchObject({ group_by: ["alertname", "environment", "service"], group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
    expect(routeOf(greenlink, "critical")).toMatchObject({ group_wait: "0s", group_interval: "10s", repeat_interval: "15m" });
    const plain = validateAlertingStackArgs("alerting", fullArgs(), ctxFor("prod", "kubernetes")).alertmanagerConfig as any;
    expect(routeOf(plain, "critical")).toMatchObject({ group_wait: "0s", group_interval: "1m", repeat_interval: "15m" });
  });

  test("the valid fixture passes the same validator", () => {
    expect(() => validateAlertingStackArgs("alerting", fullArgs(), ctxFor("prod", "kubernetes"))).not.toThrow();
  });

  test("durations may name the families of the bundles' rules; a family no rule has is refused with the known ones", () => {
    const rendered = validateAlertingStackArgs("alerting", fullArgs({ durations: { PostgresDown: "4m", NodeCpuUsage: "2m" } }), ctxFor("prod", "kubernetes"));
    expect(rendered.ruleFiles.databases.groups[0].rules.find((r) => r.alert === "PostgresDown")!.for).toBe("4m");
    expect(rendered.ruleFiles.builtin.groups.flatMap((g) => g.rules).find((r) => r.alert === "NodeCpuUsageHigh")!.for).toBe("2m");
    // The fixture's bundle has no Redis.
    expect(() => validateAlertingStackArgs("alerting", fullArgs({ durations: { RedisDown: "2m" } }), ctxFor("prod", "kubernetes"))).toThrow(
      /durations\.RedisDown: unknown alert family; allowed: .*PostgresDown.* \(got "2m"\)/,
    );
  });
});
