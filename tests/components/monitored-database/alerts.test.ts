import * as fs from "fs";
import * as path from "path";
import { alertRules, toPrometheusRuleFile } from "../../../components/lib/alerts";
import {
  DEFAULT_MONGODB_THRESHOLDS,
  DEFAULT_POSTGRES_THRESHOLDS,
  DEFAULT_REDIS_THRESHOLDS,
  MONGODB_ALERTS,
  mongodbAlertRules,
  POSTGRES_ALERTS,
  REDIS_ALERTS,
  postgresAlertRules,
  redisAlertRules,
} from "../../../components/monitored-database";
import { resolveThresholds } from "../../../components/monitored-database/thresholds";
import { Problems } from "../../../components/lib/validation";

const pgGroups = postgresAlertRules({
  database: "main",
  job: "main-postgres-exporter",
  thresholds: DEFAULT_POSTGRES_THRESHOLDS,
  storageBytes: 20 * 1024 ** 3,
  replicaJobPattern: "main-replica-[0-9]+-exporter",
});
const redisGroups = redisAlertRules({ database: "cache", job: "cache-redis-exporter", thresholds: DEFAULT_REDIS_THRESHOLDS, persistence: true, expectedReplicas: 1 });
const all = alertRules([...pgGroups, ...redisGroups]);

describe("database alert builders", () => {
  test("emit exactly the documented alerts", () => {
    expect([...new Set(alertRules(pgGroups).map((r) => r.alert))].sort()).toEqual([...POSTGRES_ALERTS].sort());
    expect([...new Set(alertRules(redisGroups).map((r) => r.alert))].sort()).toEqual([...REDIS_ALERTS].sort());
    const mongoGroups = mongodbAlertRules({ database: "docs", job: "docs-mongodb-exporter", thresholds: DEFAULT_MONGODB_THRESHOLDS, replicaSet: true });
    expect([...new Set(alertRules(mongoGroups).map((r) => r.alert))].sort()).toEqual([...MONGODB_ALERTS].sort());
    // Without a readable replica set (single mongod, DocumentDB) only the server-level alerts remain.
    const standalone = mongodbAlertRules({ database: "docs", job: "docs-mongodb-exporter", thresholds: DEFAULT_MONGODB_THRESHOLDS, replicaSet: false });
    expect([...new Set(alertRules(standalone).map((r) => r.alert))].sort()).toEqual(["MongodbDown", "MongodbExporterError", "MongodbTooManyConnections"]);
  });

  test("every rule has for, severity, summary, description, the database label and is scoped to the exporter job", () => {
    for (const r of all) {
      expect(r.for).toMatch(/^\d+[smh]$/);
      expect(["critical", "warning"]).toContain(r.severity);
      expect(r.summary.length).toBeGreaterThan(10);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.labels?.database).toMatch(/^(main|cache)$/);
      expect(r.expr).toMatch(/job="(main-postgres|cache-redis)-exporter"|job=~"main-replica-\[0-9\]\+-exporter"/);
    }
  });

  test("severity-keyed pairs use the seed thresholds", () => {
    const exprOf = (alert: string, severity: string) => all.find((r) => r.alert === alert && r.severity === severity)!.expr;
    expect(exprOf("PostgresTooManyConnections", "warning")).toMatch(/\* 100 > 80$/);
    expect(exprOf("PostgresTooManyConnections", "critical")).toMatch(/\* 100 > 95$/);
    expect(exprOf("PostgresDeadlocks", "warning")).toMatch(/\[1h\]\)\) > 0$/);
    expect(exprOf("PostgresDeadlocks", "critical")).toMatch(/\[1h\]\)\) > 5$/);
    expect(exprOf("PostgresStorageNearlyFull", "warning")).toMatch(/> 75$/);
    expect(exprOf("PostgresStorageNearlyFull", "critical")).toMatch(/> 90$/);
    expect(exprOf("RedisMemoryNearMax", "warning")).toMatch(/> 80$/);
    expect(exprOf("RedisMemoryNearMax", "critical")).toMatch(/> 95$/);
  });

  test("optional alerts follow their inputs", () => {
    const noStorage = alertRules(postgresAlertRules({ database: "main", job: "j", thresholds: DEFAULT_POSTGRES_THRESHOLDS }));
    expect(noStorage.map((r) => r.alert)).not.toContain("PostgresStorageNearlyFull");
    // Without read replicas there is no lag to measure (the primary reports 0): no lag or replica alerts.
    expect(noStorage.map((r) => r.alert)).not.toContain("PostgresReplicationLag");
    expect(noStorage.map((r) => r.alert)).not.toContain("PostgresReplicaDown");
    for (const r of alertRules(pgGroups).filter((r) => r.alert === "PostgresReplicationLag" || r.alert === "PostgresReplicaDown")) {
      expect(r.expr).not.toContain('job="main-postgres-exporter"');
      expect(r.expr).toContain('job=~"main-replica-[0-9]+-exporter"');
    }
    const managed = redisAlertRules({ database: "c", job: "j", thresholds: DEFAULT_REDIS_THRESHOLDS, persistence: false, expectedReplicas: 0 });
    const rules = alertRules(managed);
    expect(rules.map((r) => r.alert)).not.toContain("RedisBackupMissing");
    expect(rules.find((r) => r.alert === "RedisReplicationBroken")!.expr).not.toContain("redis_connected_slaves");
  });

  test("render to a Prometheus rule file with runbook URLs and priorities", () => {
    const file = toPrometheusRuleFile([...pgGroups, ...redisGroups], "https://runbooks.example.org/");
    const rule = file.groups[0].rules[0] as any;
    expect(rule.annotations.runbook_url).toBe("https://runbooks.example.org/PostgresDown.md");
    expect(rule.labels).toMatchObject({ severity: "critical", priority: "P1", database: "main" });
  });

  test("every alert has a runbook in docs/runbooks", () => {
    const dir = path.join(__dirname, "../../../docs/runbooks");
    const missing = [...POSTGRES_ALERTS, ...REDIS_ALERTS].filter((a) => !fs.existsSync(path.join(dir, `${a}.md`)));
    expect(missing).toEqual([]);
    for (const a of [...POSTGRES_ALERTS, ...REDIS_ALERTS]) {
      const text = fs.readFileSync(path.join(dir, `${a}.md`), "utf8");
      expect(text).toContain(`# ${a}`);
      for (const section of ["## Meaning", "## Triage", "## Remediation", "## Escalation"]) expect(text).toContain(section);
    }
  });
});

describe("threshold overrides", () => {
  test("a compliant override is merged onto the defaults", () => {
    const problems = new Problems("test");
    const t = resolveThresholds("postgres", { connectionsPercent: { warning: 70 } }, problems) as typeof DEFAULT_POSTGRES_THRESHOLDS;
    expect(problems.empty).toBe(true);
    expect(t.connectionsPercent).toEqual({ warning: 70, critical: 95 });
    expect(t.deadlocksPerHour).toEqual(DEFAULT_POSTGRES_THRESHOLDS.deadlocksPerHour);
  });

  test.each([
    ["postgres", { connectionsPercent: { warning: 96 } }, /thresholds\.connectionsPercent: warning \(96\) must be below critical \(95\)/],
    ["postgres", { cacheHitPercent: { warning: 80, critical: 90 } }, /thresholds\.cacheHitPercent: warning \(80\) must be above critical \(90\): lower is worse/],
    ["postgres", { storageUsedPercent: { critical: 120 } }, /thresholds\.storageUsedPercent\.critical: must be a number between 0 and 100 \(got 120\)/],
    ["redis", { backupAgeSeconds: { warning: -1 } }, /thresholds\.backupAgeSeconds\.warning: must be a non-negative number \(got -1\)/],
    ["redis", { nope: { warning: 1 } }, /thresholds\.nope: unknown redis threshold \(allowed: memoryPercent, connectionsPercent, backupAgeSeconds\)/],
  ] as const)("%s %j is refused", (engine, overrides, message) => {
    const problems = new Problems("test");
    resolveThresholds(engine, overrides as never, problems);
    expect(() => problems.throwIfAny()).toThrow(message);
  });
});

describe("alert catalog (the database families platform:alerting.durations accepts)", () => {
  test("holds every alert any engine can emit, with both levels where an alert has two", async () => {
    const { databaseAlertCatalog } = await import("../../../components/monitored-database");
    const rules = alertRules(databaseAlertCatalog());
    expect(new Set(rules.map((r) => r.alert))).toEqual(new Set([...POSTGRES_ALERTS, ...REDIS_ALERTS, ...MONGODB_ALERTS]));
    expect(rules.filter((r) => r.alert === "PostgresTooManyConnections").map((r) => r.severity).sort()).toEqual(["critical", "warning"]);
  });
});
