import { unwrapSecrets } from "../helpers/mocks";
import { stackError } from "../helpers/stack";
import {
  alert, appContainer, buildExample, CONTAINER, DEPLOYMENT, exampleDir, exampleSecrets, HPA, HTTPROUTE, k8s, missingRunbooks,
  PDB, plaintextSecrets, rateBuckets, receiver, receiversFor, thresholdOf, TRAFFIC_POLICY, upload, type BuiltExample,
} from "./harness";

/** GreenLink Capital (seed 000): prod on Alibaba Cloud ACK, dev on Docker. Each stack is built once. */
let prod: BuiltExample;
let dev: BuiltExample;
beforeAll(async () => {
  prod = await buildExample("greenlink", "prod");
  dev = await buildExample("greenlink", "dev");
}, 180_000);

describe.each(["prod", "dev"])("greenlink %s", (env) => {
  const get = () => (env === "prod" ? prod : dev);

  it("records without error, with unique URNs, and passes no secret in plaintext", () => {
    expect(() => get().recorder.assertUniqueUrns()).not.toThrow();
    expect(get().recorder.resources.length).toBeGreaterThan(30);
    expect(Object.keys(get().secrets)).toEqual(expect.arrayContaining(["nextauthSecret", "apiSecretKey", "contractPrivateKey", "sendgridApiKey", "slackWebhookUrl"]));
    expect(plaintextSecrets(get())).toEqual([]);
  });

  it("alerts at the playbook's infrastructure thresholds and durations (2.1.2, 2.2.2), each with a runbook", () => {
    const b = get();
    expect([thresholdOf(alert(b, "NodeCpuUsageHigh")), thresholdOf(alert(b, "NodeCpuUsageCritical"))]).toEqual([70, 85]);
    expect([thresholdOf(alert(b, "NodeMemoryUsageHigh")), thresholdOf(alert(b, "NodeMemoryUsageCritical"))]).toEqual([80, 90]);
    expect([thresholdOf(alert(b, "NodeDiskUsageHigh")), thresholdOf(alert(b, "NodeDiskUsageCritical"))]).toEqual([80, 90]);
    expect([alert(b, "NodeCpuUsageCritical").for, alert(b, "NodeMemoryUsageCritical").for, alert(b, "NodeDiskUsageCritical").for]).toEqual(["2m", "2m", "1m"]);
    expect([thresholdOf(alert(b, "HttpLatencyHigh", { service: "api" })), alert(b, "HttpLatencyHigh", { service: "api" }).for]).toEqual([1, "2m"]);
    expect([thresholdOf(alert(b, "HttpErrorRateCritical", { service: "api" })), alert(b, "HttpErrorRateCritical", { service: "api" }).for]).toEqual([5, "1m"]);
    expect(thresholdOf(alert(b, "PostgresDeadlocks", { severity: "critical" }))).toBe(5);
    expect(missingRunbooks(b)).toEqual([]);
  });
});

describe("greenlink prod (Alibaba Cloud)", () => {
  it("runs on ACK with ApsaraDB PostgreSQL 15 and Redis 7.0, no AWS resource", () => {
    const rec = prod.recorder;
    expect(rec.byType("alicloud:cs/managedKubernetes:ManagedKubernetes")).toHaveLength(1);
    expect(rec.resources.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    const rds = unwrapSecrets(rec.byType("alicloud:rds/instance:Instance")[0].inputs);
    expect([rds.engine, rds.engineVersion]).toEqual(["PostgreSQL", "15.0"]);
    expect(unwrapSecrets(rec.byType("alicloud:kvstore/instance:Instance")[0].inputs).engineVersion).toBe("7.0");
  });

  it("serves the site and the API on their hosts, the API limited to 10 r/s burst 20 per client (1.2.3)", () => {
    const rec = prod.recorder;
    expect(k8s(rec, HTTPROUTE, "web").spec.hostnames).toEqual(["greenlink.capital"]);
    expect(k8s(rec, HTTPROUTE, "api").spec.hostnames).toEqual(["api.greenlink.capital"]);
    // nginx's rate=10r/s burst=20: 30 at once, 600 a minute.
    expect(rateBuckets(k8s(rec, TRAFFIC_POLICY, "api"))).toEqual({ perSecond: 30, perMinute: 600 });
    const headers = k8s(rec, HTTPROUTE, "web").spec.rules[0].filters[0].responseHeaderModifier.set;
    expect(headers.find((h: any) => h.name === "Content-Security-Policy").value).toContain("connect-src 'self' https://polygon-mainnet.infura.io");
    expect(headers.find((h: any) => h.name === "Strict-Transport-Security").value).toBe("max-age=31536000; includeSubDomains");
  });

  it("probes /api/health and /health on ports 3000 and 8000, runs the front end as uid 1001, scales 3-10", () => {
    const rec = prod.recorder;
    const web = appContainer(k8s(rec, DEPLOYMENT, "web"));
    const api = appContainer(k8s(rec, DEPLOYMENT, "api"));
    expect([web.readinessProbe.httpGet.path, web.livenessProbe.httpGet.path, web.ports[0].containerPort]).toEqual(["/api/health", "/api/health", 3000]);
    expect([api.readinessProbe.httpGet.path, api.ports[0].containerPort]).toEqual(["/health", 8000]);
    expect(k8s(rec, DEPLOYMENT, "web").spec.template.spec.securityContext.runAsUser).toBe(1001);
    expect(api.command).toEqual(["gunicorn", "--worker-class", "uvicorn.workers.UvicornWorker", "--workers", "4", "--bind", "0.0.0.0:8000", "main:app"]);
    for (const svc of ["web", "api"]) {
      expect([k8s(rec, HPA, svc).spec.minReplicas, k8s(rec, HPA, svc).spec.maxReplicas]).toEqual([3, 10]);
      expect(k8s(rec, PDB, svc).spec.maxUnavailable).toBe(1);
    }
    // Settings about credentials are plain values (1.1.1, 1.1.2); the credentials themselves come from Secrets.
    const value = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.value;
    expect(value(web, "NEXTAUTH_URL")).toBe("https://greenlink.capital");
    expect([value(api, "ACCESS_TOKEN_EXPIRE_MINUTES"), value(api, "REFRESH_TOKEN_EXPIRE_DAYS")]).toEqual(["30", "7"]);
    expect(web.env.find((e: any) => e.name === "NEXTAUTH_SECRET").valueFrom.secretKeyRef).toBeDefined();
    // The front end reads DATABASE_URL and REDIS_URL (1.1.1) from the data stores' Secrets, never from a literal.
    const url = web.env.find((e: any) => e.name === "DATABASE_URL");
    expect(url.valueFrom.secretKeyRef).toBeDefined();
    expect(url.value).toBeUndefined();
  });

  it("routes critical to Slack #critical-alerts, e-mail to the CTO and DevOps and the WeChat group; warning to #monitoring", () => {
    const am = prod.alertmanager;
    expect(receiversFor(am, "critical")).toEqual(["critical-chat", "critical-email", "emergency-wechat"]);
    expect(receiversFor(am, "warning")).toEqual(["monitoring-chat"]);
    expect(receiversFor(am, "info")).toEqual(["devops-email"]);
    const critical = (am.route.routes as any[]).find((r) => r.matchers.includes('severity="critical"'));
    expect([critical.group_wait, critical.repeat_interval]).toEqual(["0s", "15m"]);
    expect((am.route.routes as any[]).find((r) => r.matchers.includes('severity="warning"')).repeat_interval).toBe("1h");
    // The root route's grouping of 2.3.1 (group_by alertname/cluster/service; 10s, 10s, 1h); info inherits it.
    expect([am.route.group_by, am.route.group_wait, am.route.group_interval, am.route.repeat_interval]).toEqual([["alertname", "environment", "service"], "10s", "10s", "1h"]);
    const info = (am.route.routes as any[]).find((r) => r.matchers.includes('severity="info"'));
    expect([info.group_by, info.group_wait, info.group_interval, info.repeat_interval]).toEqual([["alertname", "environment", "service"], "10s", "10s", "1h"]);
    expect(receiver(am, "critical-chat").slack_configs[0].channel).toBe("#critical-alerts");
    expect(receiver(am, "critical-email").email_configs[0]).toMatchObject({ to: "cto@greenlink.capital,devops@greenlink.capital", smarthost: "smtp.sendgrid.net:587", auth_username: "apikey" });
    expect(receiver(am, "emergency-wechat").wechat_configs).toHaveLength(1);
    expect(receiver(am, "monitoring-chat").slack_configs[0].channel).toBe("#monitoring");
  });

  it("carries the blockchain and Web Vitals business alerts (2.2.2)", () => {
    expect([thresholdOf(alert(prod, "HighGasPrice")), alert(prod, "HighGasPrice").for]).toEqual([100, "5m"]);
    expect([thresholdOf(alert(prod, "SlowBlockchainRPC")), alert(prod, "SlowBlockchainRPC").labels?.severity]).toEqual([2, "warning"]);
    expect(alert(prod, "PoorCoreWebVitals").expr).toBe("web_vitals_lcp > 4000 or web_vitals_cls > 0.25");
  });

  it("backs up PostgreSQL daily at 02:00 for 30 days (profile) with ApsaraDB's own 30-day backups", () => {
    const rec = prod.recorder;
    const cron = rec.byType("kubernetes:batch/v1:CronJob").map((c) => unwrapSecrets(c.inputs)).find((c) => c.metadata.name === "main-db-backup-backup");
    expect(cron.spec.schedule).toBe("0 2 * * *");
    expect(cron.spec.jobTemplate.spec.template.spec.containers.flatMap((c: any) => c.env ?? []).find((e: any) => e.name === "RETENTION_DAYS").value).toBe("30");
    expect(unwrapSecrets(rec.byType("alicloud:rds/backupPolicy:BackupPolicy")[0].inputs).backupRetentionPeriod).toBe(30);
  });
});

describe("greenlink dev (Docker)", () => {
  it("puts the nginx edge in front on 8080/8443 with the API's limit_req 10 r/s burst 20", () => {
    const edge = unwrapSecrets(dev.recorder.one(CONTAINER, "edge-container").inputs);
    const conf = upload(edge, "/etc/nginx/platform/nginx.conf");
    expect(conf).toContain("server_name api.dev.greenlink.capital;");
    expect(conf).toContain("limit_req_zone $binary_remote_addr zone=rl_api:10m rate=10r/s;");
    expect(conf).toContain("limit_req zone=rl_api burst=20 nodelay;");
    expect(edge.ports.map((p: any) => `${p.ip}:${p.external}`)).toEqual(["127.0.0.1:8080", "127.0.0.1:8443"]);
  });

  it("runs one container per service with the Dockerfile health checks; data stores publish nothing", () => {
    const web = unwrapSecrets(dev.recorder.one(CONTAINER, "web-container").inputs);
    expect(web.healthcheck.tests.join(" ")).toContain("http://localhost:3000/api/health");
    expect(web.user).toBe("1001:1001");
    for (const db of ["main-db-container", "cache-container"]) expect(unwrapSecrets(dev.recorder.one(CONTAINER, db).inputs).ports ?? []).toEqual([]);
  });
});

describe("greenlink bad input fails before anything is registered", () => {
  it("a Slack receiver whose webhook secret is not set names the key", async () => {
    const { slackWebhookUrl: _omit, ...secrets } = exampleSecrets("greenlink", "prod");
    const message = await stackError("prod", {}, { projectDir: exampleDir("greenlink"), secrets });
    expect(message).toContain("missing required secret platform:slackWebhookUrl");
  });
});
