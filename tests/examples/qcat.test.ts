import { stackError } from "../helpers/stack";
import {
  alert, buildExample, container, exampleDir, exampleSecrets, missingRunbooks, plaintextSecrets, receiver, receiversFor,
  thresholdOf, upload, type BuiltExample,
} from "./harness";

/** QCAT (seed 003): production on one Docker host. Built once. */
let prod: BuiltExample;
beforeAll(async () => {
  prod = await buildExample("qcat", "prod");
}, 120_000);

const env = (c: any, name: string) => (c.envs as string[]).find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);

describe("qcat prod (Docker)", () => {
  it("records without error and passes no secret in plaintext", () => {
    expect(() => prod.recorder.assertUniqueUrns()).not.toThrow();
    expect(prod.recorder.resources.filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);
    expect(plaintextSecrets(prod)).toEqual([]);
    expect(missingRunbooks(prod)).toEqual([]);
  });

  it("runs the app on 8082 non-root with its health check; PostgreSQL and Redis publish no port", () => {
    const app = container(prod.recorder, "qcat-container");
    expect(app.ports).toEqual([expect.objectContaining({ internal: 8082, external: 8082, ip: "127.0.0.1" })]);
    expect(app.user).toBe("10001:10001");
    expect(app.healthcheck.tests.join(" ")).toContain("http://localhost:8082/health/ready");
    for (const store of ["qcat-db-container", "cache-container"]) {
      const c = container(prod.recorder, store);
      expect(c.ports ?? []).toEqual([]);
      expect(c.networksAdvanced.map((n: any) => n.name)).toEqual(["qcat-backend"]);
    }
  });

  it("terminates TLS in nginx on 80/443 (facing the world in prod) with HSTS, CSP and the rate limit", () => {
    const edge = container(prod.recorder, "edge-container");
    expect(edge.ports.map((p: any) => `${p.ip}:${p.external}`)).toEqual(["0.0.0.0:80", "0.0.0.0:443"]);
    const conf = upload(edge, "/etc/nginx/platform/nginx.conf");
    expect(conf).toContain("server_name qcat.example.com;");
    expect(conf).toContain('add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;');
    expect(conf).toContain("Content-Security-Policy");
    expect(conf).toContain("limit_req zone=rl_qcat burst=20 nodelay;");
  });

  it("dumps PostgreSQL daily at 02:00, keeps 30 days and restore-tests monthly", () => {
    const backup = container(prod.recorder, "qcat-db-backup-backup-container");
    expect([env(backup, "CRON_MINUTES"), env(backup, "CRON_HOURS"), env(backup, "CRON_DOM_RESTRICTED")]).toEqual(["0", "2", "0"]);
    expect(env(backup, "RETENTION_DAYS")).toBe("30");
    expect(env(backup, "BACKUP_DESTINATION")).toMatch(/^file:\/\//);
    const verify = container(prod.recorder, "qcat-db-backup-verify-container");
    expect([env(verify, "SCHEDULE_COMMAND"), env(verify, "CRON_HOURS"), env(verify, "CRON_DOM")]).toEqual(["verify", "4", "1"]);
    // Daily dumps: stale after the 24 h gap plus grace; a missed restore test is caught within its month.
    expect(alert(prod, "BackupStale", { backup: "qcat-db-backup" }).labels?.severity).toBe("critical");
    expect(alert(prod, "RestoreVerificationFailed", { backup: "qcat-db-backup" })).toBeDefined();
  });

  it("keeps 200 h of metrics and alerts by Slack and e-mail", () => {
    const prom = container(prod.recorder, "alerting-prometheus");
    expect(prom.command ?? prom.args ?? []).toContain("--storage.tsdb.retention.time=200h");
    for (const [name, port] of [["alerting-prometheus", 9090], ["alerting-grafana", 3000], ["alerting-alertmanager", 9093]] as const) {
      expect(container(prod.recorder, name).ports).toEqual([expect.objectContaining({ external: port, ip: "127.0.0.1" })]);
    }
    expect(receiversFor(prod.alertmanager, "critical")).toEqual(["ops-chat", "ops-email"]);
    expect(receiversFor(prod.alertmanager, "warning")).toEqual(["ops-chat"]);
    expect(receiver(prod.alertmanager, "ops-email").email_configs[0].to).toBe("ops@example.com");
    expect([thresholdOf(alert(prod, "NodeCpuUsageHigh")), thresholdOf(alert(prod, "NodeCpuUsageCritical"))]).toEqual([70, 90]);
  });
});

describe("qcat bad input fails before anything is registered", () => {
  it("an hourly RPO the daily dump cannot meet is refused with the fix", async () => {
    const backups = [{ name: "qcat-db-backup", database: "qcat-db", schedule: "0 2 * * *", retentionDays: 30, rpoMinutes: 60 }];
    const message = await stackError("prod", { backups }, { projectDir: exampleDir("qcat"), secrets: exampleSecrets("qcat", "prod") });
    expect(message).toContain("platform:backups[0].rpoMinutes: cannot be met");
    expect(message).toContain("the Docker target has no point-in-time recovery");
  });
});
