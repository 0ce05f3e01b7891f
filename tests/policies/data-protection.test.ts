import { backupMeetsRpo, backupRetention, dataProtectionPolicies, prodDatabaseBackup, prodDatabaseStaleBackupAlert } from "../../policies/rules/data-protection";
import { alertRuleLabels, monitoringPolicies } from "../../policies/rules/monitoring";
import { UNKNOWN, type PolicyInput } from "../helpers/policy";
import { describeChecks, messages, variant } from "./cases";
import { cloud, cronJob, k8s } from "./fixtures";

const db = cloud("aws:rds/instance:Instance", "main-db-instance", { engine: "postgres", backupRetentionPeriod: 0 });
const redis = cloud("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { snapshotRetentionLimit: 1 });
const backupOf = (target: PolicyInput, edit?: (p: any) => void): PolicyInput => ({ ...cronJob("main-db-backup", edit), dependencies: [target.urn!] });

const promRule = (rules: unknown[]) =>
  k8s("PrometheusRule", "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "alerting-rules", { metadata: { name: "rules", namespace: "monitoring" }, spec: { groups: [{ name: "backups", rules }] } });
const stale = (backup: string) => ({
  alert: "BackupStale",
  expr: "time() - max(x) > 90000",
  labels: { severity: "critical", backup },
  annotations: { summary: "s", runbook_url: "https://runbooks.example.com/BackupStale.md" },
});

const awsBackup = (continuous: boolean, deleteAfter: number): PolicyInput[] => {
  const plan = cloud("aws:backup/plan:Plan", "main-db-backup-plan", { rules: [{ ruleName: "daily", enableContinuousBackup: continuous, lifecycle: { deleteAfter } }] });
  const selection = cloud("aws:backup/selection:Selection", "main-db-backup-selection", { resources: ["arn"] }, { dependencies: [plan.urn!, db.urn!] });
  return [plan, selection];
};

describeChecks(dataProtectionPolicies, {
  "prod-database-backup": {
    good: [[db, backupOf(db)], [redis, { ...backupOf(redis), urn: "urn:pulumi:prod::platform::kubernetes:batch/v1:CronJob::cache-backup" }]].flat(),
    bad: [db, redis, { ...backupOf(db), urn: "urn:pulumi:prod::platform::kubernetes:batch/v1:CronJob::other" }, cronJob("orphan")],
    expect: ['database "cache" has no backup'],
  },
  "prod-database-stale-backup-alert": {
    good: [db, backupOf(db), promRule([stale("main-db-backup")])],
    bad: [db, backupOf(db), promRule([stale("cache-backup")]), redis, ...awsBackup(true, 30).map((r) => ({ ...r, dependencies: [...(r.dependencies ?? []).filter((u) => u !== db.urn), ...(r.type.includes("selection") ? [redis.urn!] : [])] }))],
    expect: ['database "main-db-instance": no BackupStale alert watches backup "main-db-backup"', 'database "cache" has only native backups'],
  },
  "backup-frequency-meets-rpo": {
    good: [[db, backupOf(db)], [cloud("aws:rds/instance:Instance", "pitr", { engine: "postgres", backupRetentionPeriod: 7 })]].flat(),
    bad: [db, backupOf(db, (p) => (p.spec.schedule = "0 2 * * *"))],
    expect: ['database "main-db-instance": best backup (CronJob "main-db-backup-backup" (0 2 * * *)) may lose 1440 minutes; the stack\'s RPO is 60'],
    config: { rpoMinutes: 60 },
  },
  "backup-retention-minimum": {
    good: [db, backupOf(db), ...awsBackup(true, 30)],
    bad: [db, backupOf(db, (p) => (p.spec.jobTemplate.spec.template.spec.containers[0].env[1].value = "7")), ...awsBackup(true, 14)],
    expect: ['backup "main-db-backup-backup" of postgres database "main-db-instance" keeps 7 days; at least 30 required', 'backup "main-db-backup-selection" of postgres database "main-db-instance" keeps 14 days'],
    config: { minRetentionDays: { postgres: 30, redis: 7 } },
  },
});

describeChecks(monitoringPolicies, {
  "alert-rule-severity-runbook": {
    good: [
      promRule([stale("b"), { record: "job:up:sum", expr: "sum(up)" }]),
      {
        type: "docker:index/container:Container",
        name: "prometheus",
        props: { uploads: [{ file: "/etc/prometheus/rules/b.yml", content: "groups:\n- name: b\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: {severity: warning}\n    annotations: {runbook_url: 'https://x/A.md'}\n" }] },
      },
    ],
    bad: [
      promRule([{ alert: "NoLabels", expr: "up == 0" }, { ...stale("b"), labels: { severity: "page" } }]),
      { type: "docker:index/container:Container", name: "prometheus", props: { uploads: [{ file: "/etc/prometheus/rules/c.yml", content: "groups:\n- name: c\n  rules:\n  - alert: C\n    expr: up == 0\n" }] } },
    ],
    expect: [
      'group "backups" alert NoLabels: severity null is not one of critical, warning, info',
      'group "backups" alert NoLabels: no runbook_url annotation',
      'alert BackupStale: severity "page"',
      '/etc/prometheus/rules/c.yml group "c" alert C: no runbook_url',
    ],
  },
});

describe("data-protection checks", () => {
  it("count point-in-time recovery and continuous backup towards the RPO", () => {
    const pitr = cloud("aws:rds/instance:Instance", "main-db-instance", { engine: "postgres", backupRetentionPeriod: 7 });
    expect(messages(backupMeetsRpo, [pitr, backupOf(pitr, (p) => (p.spec.schedule = "0 2 * * *"))], { config: { rpoMinutes: 60 } })).toEqual([]);
    expect(messages(backupMeetsRpo, [db, ...awsBackup(true, 30)], { config: { rpoMinutes: 60 } })).toEqual([]);
    expect(messages(backupMeetsRpo, [db, ...awsBackup(false, 30), backupOf(db, (p) => (p.spec.schedule = "0 */6 * * *"))], { config: { rpoMinutes: 60 } })).toEqual([
      'database "main-db-instance": best backup (CronJob "main-db-backup-backup" (0 */6 * * *)) may lose 360 minutes; the stack\'s RPO is 60',
    ]);
  });

  it("hold MongoDB stores (DocumentDB, ApsaraDB for MongoDB) to a backup, an RPO through their point-in-time restore and a retention", () => {
    const docdb = cloud("aws:docdb/cluster:Cluster", "documents", { backupRetentionPeriod: 30 });
    const apsara = cloud("alicloud:mongodb/instance:Instance", "documents-instance", { enableBackupLog: 0, backupRetentionPeriod: 30 });
    expect(messages(prodDatabaseBackup, [docdb, apsara])).toEqual(['database "documents" has no backup', 'database "documents-instance" has no backup']);
    const dumpOf = (store: PolicyInput, days: string) =>
      ({ ...backupOf(store, (p) => { p.spec.schedule = "0 2 * * *"; p.spec.jobTemplate.spec.template.spec.containers[0].env[1].value = days; }), urn: `urn:pulumi:prod::platform::kubernetes:batch/v1:CronJob::${store.name}-backup` });
    expect(messages(prodDatabaseBackup, [docdb, dumpOf(docdb, "30"), apsara, dumpOf(apsara, "30")])).toEqual([]);
    // DocumentDB restores to any second of its retention; the ApsaraDB instance without its log backup has only the daily dump.
    expect(messages(backupMeetsRpo, [docdb, dumpOf(docdb, "30"), apsara, dumpOf(apsara, "30")], { config: { rpoMinutes: 60 } })).toEqual([
      'database "documents-instance": best backup (CronJob "main-db-backup-backup" (0 2 * * *)) may lose 1440 minutes; the stack\'s RPO is 60',
    ]);
    const withLog = { ...apsara, props: { ...apsara.props, enableBackupLog: 1 } };
    expect(messages(backupMeetsRpo, [withLog, dumpOf(withLog, "30")], { config: { rpoMinutes: 60 } })).toEqual([]);
    expect(messages(backupRetention, [docdb, dumpOf(docdb, "7")], { config: { minRetentionDays: { mongodb: 30 } } })).toEqual([
      'backup "main-db-backup-backup" of mongodb database "documents" keeps 7 days; at least 30 required',
    ]);
  });

  it("take a per-engine RPO where the service cannot back up as often: ElastiCache snapshots every 2 h pass a redis RPO of 120, not 60", () => {
    const snapshots = { ...backupOf(redis, (p) => (p.spec.schedule = "0 */2 * * *")), urn: "urn:pulumi:prod::platform::kubernetes:batch/v1:CronJob::cache-backup" };
    const postgresDaily = backupOf(db, (p) => (p.spec.schedule = "0 2 * * *"));
    const config = { rpoMinutes: 60, rpoMinutesByEngine: { redis: 120 } };
    // The override is for redis only: the PostgreSQL database is still held to 60.
    expect(messages(backupMeetsRpo, [redis, snapshots, db, postgresDaily], { config })).toEqual([
      'database "main-db-instance": best backup (CronJob "main-db-backup-backup" (0 2 * * *)) may lose 1440 minutes; the stack\'s RPO is 60',
    ]);
    expect(messages(backupMeetsRpo, [redis, snapshots], { config: { rpoMinutes: 60 } })).toEqual([
      'database "cache": best backup (CronJob "main-db-backup-backup" (0 */2 * * *)) may lose 120 minutes; the stack\'s RPO is 60',
    ]);
    const sixHourly = { ...snapshots, props: { ...snapshots.props, spec: { ...snapshots.props!.spec, schedule: "0 */6 * * *" } } };
    expect(messages(backupMeetsRpo, [redis, sixHourly], { config })).toEqual([
      'database "cache": best backup (CronJob "main-db-backup-backup" (0 */6 * * *)) may lose 360 minutes; the stack\'s RPO for redis is 120',
    ]);
  });

  it("count a read replica as covered by its source's backups, and still require the source's", () => {
    const replica = cloud("aws:rds/instance:Instance", "main-db-replica-1", { replicateSourceDb: "main-db-instance-1a2b", backupRetentionPeriod: 0 }, { dependencies: [db.urn!] });
    const readOnly = cloud("alicloud:rds/readOnlyInstance:ReadOnlyInstance", "main-db-replica-2", { masterDbInstanceId: "pgm-1" });
    const rules = promRule([stale("main-db-backup")]);
    for (const policy of dataProtectionPolicies) {
      expect({ policy: policy.name, found: messages(policy, [db, backupOf(db), replica, readOnly, rules], { config: policy.name === "backup-frequency-meets-rpo" ? { rpoMinutes: 60 } : {} }) }).toEqual({ policy: policy.name, found: [] });
    }
    // A replica source-less in the inputs is a primary and needs a backup of its own.
    const { replicateSourceDb: _source, ...primary } = replica.props;
    expect(messages(dataProtectionPolicies[0], [db, backupOf(db), { ...replica, props: primary }])).toEqual(['database "main-db-replica-1" has no backup']);
    // During preview the source may be unknown: undecided, judged at update.
    expect(messages(dataProtectionPolicies[0], [db, backupOf(db), { ...replica, props: { ...replica.props, replicateSourceDb: UNKNOWN } }])).toEqual([]);
  });

  it("ignore databases outside production for the backup requirement and stay quiet while rules are unknown", () => {
    const staging = cloud("aws:rds/instance:Instance", "stg", { engine: "postgres" }, { stack: "staging" });
    expect(messages(prodDatabaseStaleBackupAlert, [staging])).toEqual([]);
    const unknownRules = variant(promRule([]), (p) => (p.props.spec = UNKNOWN));
    expect(messages(prodDatabaseStaleBackupAlert, [db, backupOf(db), unknownRules])).toEqual([]);
    expect(messages(alertRuleLabels, unknownRules)).toEqual([]);
  });
});
