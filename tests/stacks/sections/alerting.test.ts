import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../../../components/lib/validation";
import { emptyMonitoring } from "../../../components/lib/monitoring";
import { profileFor } from "../../../stacks/profiles";
import type { SecretConfig } from "../../../stacks/secrets";
import type { SectionContext } from "../../../stacks/sections/types";
import { alertingRequiredSecrets, buildAlerting, parseAlerting, planAlerting, schema } from "../../../stacks/sections/alerting";
import { installMocks, isSecretValue, plaintextStrings, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { ctxFor, GREENLINK_GROUPING, SERVICES } from "../../components/alerting-stack/fixtures";
import { DEFAULT_GROUPING } from "../../../components/alerting-stack";
import { DEFAULT_POSTGRES_THRESHOLDS, postgresAlertRules } from "../../../components/monitored-database";
import { buildBackupAlerts } from "../../../components/backup-job/alerts";

const SECRET_PREFIX = "section-secret-";

function sctxFor(env: "dev" | "staging" | "prod", target: "docker" | "kubernetes"): SectionContext {
  const secrets = {
    get: (key: string) => pulumi.secret(`${SECRET_PREFIX}${key}`),
    has: () => true,
    problem: () => undefined,
    assertAll: () => undefined,
  } as unknown as SecretConfig;
  const platform = ctxFor(env, target);
  return {
    root: { environment: env, target, cloud: platform.cloud, namespace: "platform", project: "platform", tags: {}, runbookBaseUrl: platform.runbookBaseUrl } as SectionContext["root"],
    platform,
    profile: profileFor(env),
    secrets,
  };
}

/** The GreenLink playbook's routing expressed as config. */
const RAW = {
  receivers: [
    { name: "pager", type: "pagerduty", secret: "pagerdutyRoutingKey" },
    { name: "critical-chat", type: "slack", channel: "#critical-alerts", secret: "slackWebhookUrl" },
    { name: "monitoring-chat", type: "slack", channel: "#monitoring", secret: "slackWebhookUrl" },
    { name: "oncall-email", type: "email", to: "devops@example.com", from: "alerts@example.com", smarthost: "smtp.sendgrid.net:587", authUsername: "apikey", secret: "smtpPassword" },
    { name: "deadman", type: "webhook", url: "https://deadman.example.com/ping", secret: "deadmanToken" },
  ],
  routes: { critical: ["pager", "critical-chat", "oncall-email"], warning: ["monitoring-chat"], info: ["oncall-email"], watchdog: "deadman" },
  thresholds: { cpuPercent: { warning: 85 } },
  customRules: [{ alert: "HighRiskLevel", expr: "paimon_risk_level >= 3", for: "5m", severity: "critical", summary: "High risk", description: "Risk level {{ $value }}" }],
};

/** Dev and staging do not page (profile alerting.paging: false): the same routing without the pager. */
function rawFor(env: "dev" | "staging" | "prod") {
  if (env === "prod") return RAW;
  return { ...RAW, routes: { ...RAW.routes, critical: RAW.routes.critical.filter((r) => r !== "pager") } };
}

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

describe("schema and plan", () => {
  test("an absent section parses to no receivers and no routes", () => {
    expect(schema.parse(undefined)).toMatchObject({ receivers: [], routes: { critical: [], warning: [], info: [] } });
  });

  test("required secrets are the keys the receivers name, with where they are used", () => {
    expect(alertingRequiredSecrets(parseAlerting(RAW))).toEqual([
      { key: "pagerdutyRoutingKey", usedBy: "platform:alerting.receivers[0].secret" },
      { key: "slackWebhookUrl", usedBy: "platform:alerting.receivers[1].secret" },
      { key: "slackWebhookUrl", usedBy: "platform:alerting.receivers[2].secret" },
      { key: "smtpPassword", usedBy: "platform:alerting.receivers[3].secret" },
      { key: "deadmanToken", usedBy: "platform:alerting.receivers[4].secret" },
    ]);
  });

  test.each(["dev", "staging", "prod"] as const)("plan takes retention, storage and replicas from the %s profile", (env) => {
    const plan = planAlerting(parseAlerting(rawFor(env)), sctxFor(env, env === "dev" ? "docker" : "kubernetes"));
    expect(plan.args).toMatchObject({
      retention: profileFor(env).alerting.retention,
      storageSize: profileFor(env).alerting.storageSize,
      replicas: profileFor(env).alerting.replicas,
      thresholds: { cpuPercent: { warning: 85 } },
    });
    expect(plan.receivers.map((r) => r.secretKey)).toEqual(["pagerdutyRoutingKey", "slackWebhookUrl", "slackWebhookUrl", "smtpPassword", "deadmanToken"]);
    expect(profileFor("dev").alerting.retention).toBe("200h");
  });

  test("explicit settings win over the profile", () => {
    const plan = planAlerting(parseAlerting({ ...RAW, retention: "90d", replicas: 3 }), sctxFor("prod", "kubernetes"));
    expect(plan.args).toMatchObject({ retention: "90d", replicas: 3 });
  });

  test("grouping: defaults from the profile, seed 000's settings inherited Alertmanager-style, rendered as planned", async () => {
    const sctx = sctxFor("prod", "kubernetes");
    expect(planAlerting(parseAlerting(RAW), sctx).args.grouping).toEqual(profileFor("prod").alerting.grouping);
    expect(profileFor("dev").alerting.grouping).toEqual(DEFAULT_GROUPING);
    // A profile's defaults are what unset keys resolve to.
    const custom = { ...sctx, profile: { ...sctx.profile, alerting: { ...sctx.profile.alerting, grouping: { ...DEFAULT_GROUPING, info: { ...DEFAULT_GROUPING.info, repeatInterval: "12h" } } } } };
    expect(planAlerting(parseAlerting(RAW), custom).args.grouping?.info?.repeatInterval).toBe("12h");

    const plan = planAlerting(parseAlerting({ ...RAW, grouping: GREENLINK_GROUPING }), sctx);
    expect(plan.args.grouping).toMatchObject({
      groupBy: ["alertname", "environment", "service"],
      groupWait: "10s",
      critical: { groupBy: ["alertname", "environment", "service"], groupWait: "0s", groupInterval: "10s", repeatInterval: "15m" },
      warning: { groupWait: "10s", groupInterval: "10s", repeatInterval: "1h" },
      watchdog: DEFAULT_GROUPING.watchdog,
    });
    const stack = buildAlerting(plan, sctx, { monitoring: emptyMonitoring(), services: SERVICES, managedControlPlane: true });
    await settle();
    const am = stack.alertmanagerConfig as { route: Record<string, unknown> & { routes: Array<Record<string, unknown>> } };
    expect(am.route).toMatchObject({ group_by: ["alertname", "environment", "service"], group_wait: "10s", group_interval: "10s", repeat_interval: "1h" });
    expect(am.route.routes.find((r) => (r.matchers as string[]).includes('severity="critical"'))).toMatchObject({ group_wait: "0s", group_interval: "10s", repeat_interval: "15m" });
  });

  test("staging may page only when it opts in explicitly (its own PagerDuty service)", () => {
    expect(() => planAlerting(parseAlerting(RAW), sctxFor("staging", "kubernetes"))).toThrow(
      /platform:alerting\.routes\.critical\[0\]: staging does not page: .*paging: true .*\(got "pager"\)/,
    );
    expect(planAlerting(parseAlerting({ ...RAW, paging: true }), sctxFor("staging", "kubernetes")).args.routes.critical).toContain("pager");
    expect(() => planAlerting(parseAlerting({ ...RAW, paging: false }), sctxFor("prod", "kubernetes"))).toThrow(/prod does not page/);
  });

  test("durations per alert family reach the rendered rules (seed 000: CPU 2m, disk 1m)", async () => {
    const sctx = sctxFor("prod", "kubernetes");
    const plan = planAlerting(parseAlerting({ ...RAW, durations: { NodeCpuUsage: "2m", NodeDiskUsage: { critical: "1m" } } }), sctx);
    expect(plan.args.durations).toEqual({ NodeCpuUsage: "2m", NodeDiskUsage: { critical: "1m" } });
    const stack = buildAlerting(plan, sctx, { monitoring: emptyMonitoring(), services: SERVICES, managedControlPlane: true });
    await settle();
    const rules = stack.ruleFiles.builtin.groups.flatMap((g) => g.rules);
    const forOf = (alert: string) => rules.find((r) => r.alert === alert)?.for;
    expect([forOf("NodeCpuUsageHigh"), forOf("NodeCpuUsageCritical")]).toEqual(["2m", "2m"]);
    expect([forOf("NodeDiskUsageHigh"), forOf("NodeDiskUsageCritical")]).toEqual(["15m", "1m"]);
    expect(forOf("NodeMemoryUsageHigh")).toBe("10m");
  });

  test("durations reach the database and backup alerts the components bring; families the stack lacks change nothing", async () => {
    const sctx = sctxFor("prod", "kubernetes");
    const durations = {
      PostgresDown: "3m",
      PostgresTooManyConnections: { critical: "1m" },
      BackupStale: "30m",
      RestoreVerificationFailed: "15m",
      // This stack's database has no read replicas and no Redis: accepted (valid names), nothing to change.
      PostgresReplicationLag: "10m",
      RedisDown: "2m",
    };
    const plan = planAlerting(parseAlerting({ ...RAW, durations }), sctx);
    const monitoring = {
      ruleGroups: [
        ...postgresAlertRules({ database: "orders", job: "orders-exporter", thresholds: DEFAULT_POSTGRES_THRESHOLDS }),
        ...buildBackupAlerts({ name: "orders", target: "kubernetes", environment: "prod", namespace: "platform", backupCronJob: "orders-backup", verifyCronJob: "orders-verify", maxPeriodMinutes: 1440, graceSeconds: 4500, verify: { maxPeriodMinutes: 44640, graceSeconds: 4500 } }),
      ],
      dashboards: [],
      scrapeTargets: [],
    };
    const stack = buildAlerting(plan, sctx, { monitoring, services: SERVICES, managedControlPlane: true });
    await settle();
    const rules = Object.values(stack.ruleFiles).flatMap((f) => f.groups.flatMap((g) => g.rules));
    const forOf = (alert: string, severity?: string) => rules.find((r) => r.alert === alert && (!severity || (r.labels as Record<string, string>).severity === severity))?.for;
    expect(forOf("PostgresDown")).toBe("3m");
    expect([forOf("PostgresTooManyConnections", "warning"), forOf("PostgresTooManyConnections", "critical")]).toEqual(["5m", "1m"]);
    expect([forOf("BackupStale"), forOf("RestoreVerificationFailed"), forOf("BackupJobFailed")]).toEqual(["30m", "15m", "0m"]);
    expect(forOf("PostgresDeadlocks")).toBe("1m");
  });

  test("edge, Kafka and pipeline families are known at plan time too; the edge only where it exists (Kubernetes)", () => {
    const durations = { EdgeHttpErrorRate: { critical: "1m" }, EdgeLatencyP95: "10m", KafkaConsumerGroupLag: { warning: "15m" }, LogShipperDroppingLogs: "10m", TraceExportFailing: "10m" };
    expect(planAlerting(parseAlerting({ ...RAW, durations }), sctxFor("prod", "kubernetes")).args.durations).toEqual(durations);
    expect(() => planAlerting(parseAlerting({ ...RAW, durations: { KafkaConsumerGroupLag: { page: "1m" } } }), sctxFor("prod", "kubernetes"))).toThrow(/platform:alerting\.durations\.KafkaConsumerGroupLag/);
    expect(() => planAlerting(parseAlerting({ ...RAW, durations: { EdgeHttpErrorRate: "1m" } }), sctxFor("dev", "docker"))).toThrow(
      /platform:alerting\.durations\.EdgeHttpErrorRate: unknown alert family/,
    );
  });

  test("database and backup families are known at plan time, with the levels this environment gives them", () => {
    expect(() => planAlerting(parseAlerting({ ...RAW, durations: { MongodbDown: "2m", RedisBackupMissing: { warning: "10m" }, BackupJobFailed: "5m" } }), sctxFor("prod", "kubernetes"))).not.toThrow();
    // Outside prod BackupStale is a warning: a critical override would never apply.
    expect(() => planAlerting(parseAlerting({ ...RAW, routes: { ...RAW.routes, critical: ["critical-chat"] }, durations: { BackupStale: { critical: "30m" } } }), sctxFor("staging", "kubernetes"))).toThrow(
      /platform:alerting\.durations\.BackupStale\.critical: BackupStale has the levels warning \(got "30m"\)/,
    );
    expect(() => planAlerting(parseAlerting({ ...RAW, durations: { PostgresDwn: "2m", BackupStale: "thirty minutes" } }), sctxFor("prod", "kubernetes"))).toThrow(
      /platform:alerting\.durations\.PostgresDwn: unknown alert family; allowed: .*PostgresDown.* \(got "2m"\)[\s\S]*platform:alerting\.durations\.BackupStale: must be a Prometheus duration like 2m \(got "thirty minutes"\)/,
    );
  });
});

describe("bad config fails in plan with the key path and value", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["route to an undeclared receiver", { ...RAW, routes: { ...RAW.routes, critical: ["pagr"] } }, /platform:alerting\.routes\.critical\[0\]: must name a declared receiver .*\(got "pagr"\)/],
    ["watchdog to an undeclared receiver", { ...RAW, routes: { ...RAW.routes, watchdog: "dms" } }, /platform:alerting\.routes\.watchdog: must name a declared receiver .*\(got "dms"\)/],
    [
      "receiver without its secret",
      { ...RAW, receivers: RAW.receivers.map((r, i) => (i === 1 ? { name: r.name, type: r.type, channel: r.channel } : r)) },
      /platform:alerting\.receivers\[1\]\.secret: a slack receiver needs its secret \(the incoming-webhook URL\).*\(got undefined\)/,
    ],
    ["unknown severity", { ...RAW, routes: { ...RAW.routes, page: ["pager"] } }, /platform:alerting\.routes\.page: unknown severity; allowed: critical, warning, info, watchdog \(got \["pager"\]\)/],
    [
      "unknown severity in a custom rule",
      { ...RAW, customRules: [{ ...RAW.customRules[0], severity: "fatal" }] },
      /platform:alerting\.customRules\[0\]\.severity: must be one of critical, warning, info \(got "fatal"\)/,
    ],
    [
      "duplicate alert names in a group",
      { ...RAW, customRules: [RAW.customRules[0], { ...RAW.customRules[0], expr: "paimon_risk_level >= 4" }] },
      /platform:alerting\.customRules\[1\]\.alert: duplicate alert name in rule group "custom".*\(got "HighRiskLevel"\)/,
    ],
    ["unknown receiver type", { ...RAW, receivers: [{ name: "x", type: "sms", secret: "k" }] }, /platform:alerting\.receivers\[0\]\.type: must be one of slack, email, pagerduty, wechat, webhook \(got "sms"\)/],
    ["email receiver without smarthost", { ...RAW, receivers: [{ name: "m", type: "email", to: "a@b.c", from: "x@b.c", authUsername: "u", secret: "k" }], routes: { critical: ["m"] } }, /platform:alerting\.receivers\[0\]\.smarthost: is required for email receivers \(got undefined\)/],
    ["custom rule without for", { ...RAW, customRules: [{ ...RAW.customRules[0], for: "five minutes" }] }, /platform:alerting\.customRules\[0\]\.for: must be a Prometheus duration like 5m \(got "five minutes"\)/],
    ["duration of an unknown family", { ...RAW, durations: { NodeCpu: "2m" } }, /platform:alerting\.durations\.NodeCpu: unknown alert family; allowed: .*NodeCpuUsage.* \(got "2m"\)/],
    ["duration that is not a duration", { ...RAW, durations: { NodeDiskUsage: "1 minute" } }, /platform:alerting\.durations\.NodeDiskUsage: must be a Prometheus duration like 2m \(got "1 minute"\)/],
    ["grouping label that is not a label name", { ...RAW, grouping: { groupBy: ["alertname", "k8s.namespace"] } }, /platform:alerting\.grouping\.groupBy\[1\]: must be a label name .*\(got "k8s\.namespace"\)/],
    ["grouping \"...\" beside other labels", { ...RAW, grouping: { critical: { groupBy: ["...", "alertname"] } } }, /platform:alerting\.grouping\.critical\.groupBy: "\.\.\." \(group by every label\) must stand alone \(got \["\.\.\.","alertname"\]\)/],
    ["grouping duration in the wrong format", { ...RAW, grouping: { warning: { groupWait: "1m30s5m" } } }, /platform:alerting\.grouping\.warning\.groupWait: must be an Alertmanager duration like 0s, 30s, 5m or 1h30m .*\(got "1m30s5m"\)/],
    ["grouping with a zero group interval", { ...RAW, grouping: { groupInterval: "0s" } }, /platform:alerting\.grouping\.groupInterval: must be longer than 0 \(Alertmanager refuses a zero group_interval\) \(got "0s"\)/],
    [
      "grouping whose root group interval outlasts the critical default repeat",
      { ...RAW, grouping: { groupInterval: "30m" } },
      /platform:alerting\.grouping\.critical\.repeatInterval: the repeat interval \(15m, the critical default\) must not be shorter than the group interval \(30m, inherited from groupInterval\).*\(got "15m"\)/,
    ],
    ["grouping repeat beyond Alertmanager's retention", { ...RAW, grouping: { info: { repeatInterval: "7d" } } }, /platform:alerting\.grouping\.info\.repeatInterval: must be at most 120h .*\(got "7d"\)/],
    ["grouping: unknown key", { ...RAW, grouping: { critical: { groupWiat: "0s" } } }, /platform:alerting\.grouping\.critical\.groupWiat: unknown key/],
    ["grouping: no group_by for the watchdog", { ...RAW, grouping: { watchdog: { groupBy: ["alertname"] } } }, /platform:alerting\.grouping\.watchdog\.groupBy: unknown key \(allowed: groupWait, groupInterval, repeatInterval\)/],
    ["duration of a level the family lacks", { ...RAW, durations: { TargetDown: { warning: "5m" } } }, /platform:alerting\.durations\.TargetDown\.warning: TargetDown has the levels critical \(got "5m"\)/],
  ];

  test.each(cases)("%s", async (_label, raw, message) => {
    let error: unknown;
    try {
      planAlerting(parseAlerting(raw), sctxFor("prod", "kubernetes"));
    } catch (e) {
      error = e;
    }
    await settle();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
    expect(rec.resources).toEqual([]);
  });
});

describe("build", () => {
  test.each([
    ["dev", "docker"],
    ["staging", "kubernetes"],
    ["prod", "kubernetes"],
  ] as const)("%s on %s registers the AlertingStack with secrets read only as secrets", async (env, target) => {
    const sctx = sctxFor(env, target);
    const stack = buildAlerting(planAlerting(parseAlerting(rawFor(env)), sctx), sctx, {
      monitoring: emptyMonitoring(),
      services: SERVICES,
      managedControlPlane: target === "kubernetes",
    });
    await settle();
    expect(rec.one("platform:alerting:AlertingStack", "alerting")).toBeDefined();
    expect(Object.keys(stack.ruleFiles)).toEqual(["builtin", "custom", "slo"]);
    const leaked = rec.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(SECRET_PREFIX)).map((s) => `${r.name} ${s.path}`));
    expect(leaked).toEqual([]);
    if (target === "kubernetes") {
      const secret = rec.one("kubernetes:core/v1:Secret", "alerting-receiver-secret");
      expect(isSecretValue(secret.inputs.stringData.pager) || isSecretValue(secret.inputs.stringData)).toBe(true);
      expect(unwrapSecrets(secret.inputs.stringData)["critical-chat"]).toBe(`${SECRET_PREFIX}slackWebhookUrl`);
      const values = unwrapSecrets(rec.one("kubernetes:helm.sh/v3:Release", "alerting-chart").inputs.values);
      expect(values.kubeEtcd.enabled).toBe(false);
      expect(values.defaultRules.disabled).toEqual({ Watchdog: true, InfoInhibitor: true });
    } else {
      expect(rec.byType("docker:index/container:Container").map((c) => c.name).sort()).toEqual(["alerting-alertmanager", "alerting-cadvisor", "alerting-grafana", "alerting-node-exporter", "alerting-prometheus"]);
    }
  });

  test("an SLO objective of 100 % from the services section fails before anything is registered", async () => {
    const sctx = sctxFor("prod", "kubernetes");
    const plan = planAlerting(parseAlerting(RAW), sctx);
    expect(() =>
      buildAlerting(plan, sctx, {
        monitoring: emptyMonitoring(),
        services: [{ ...SERVICES[0], objectives: { availabilityPercent: 100 } }],
        managedControlPlane: true,
      }),
    ).toThrow(/services\[0\]\.objectives\.availabilityPercent: .*\(got 100\)/);
    await settle();
    expect(rec.resources).toEqual([]);
  });
});
