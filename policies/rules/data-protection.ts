/**
 * Data protection across resources, from the dependencies the engine records: every prod database has a
 * backup and an alert when that backup goes stale, and backups are frequent and kept long enough for the
 * stack's recovery point objective.
 */
import { cronMaxPeriodMinutes, cronProblem } from "../../components/lib/cron";
import { environmentOf, ENVIRONMENTS_PARAM, isReadReplica, isTrue } from "./common";
import { known, stackCheck, StackProblem, StackResource, StackView } from "./framework";
import { CRON_JOB, PROMETHEUS_RULE } from "./k8s";

type Engine = "postgres" | "redis" | "mysql" | "mongodb";

/** Managed database types and how to read their engine. */
const DATABASE_TYPES: Record<string, (props: any) => Engine | undefined> = {
  "aws:rds/instance:Instance": (p) => engineName(p.engine),
  "aws:elasticache/replicationGroup:ReplicationGroup": () => "redis",
  "alicloud:rds/instance:Instance": (p) => engineName(p.engine),
  "alicloud:kvstore/instance:Instance": () => "redis",
  "aws:docdb/cluster:Cluster": () => "mongodb",
  "alicloud:mongodb/instance:Instance": () => "mongodb",
};

function engineName(engine: unknown): Engine | undefined {
  const e = String(engine ?? "").toLowerCase();
  if (e.startsWith("postgres")) return "postgres";
  if (e.startsWith("mysql") || e.startsWith("mariadb")) return "mysql";
  if (e.startsWith("redis") || e.startsWith("valkey")) return "redis";
  return undefined;
}

/**
 * The stack's databases that hold data of their own. Read replicas are left out: their data is the primary's,
 * which these checks already require to be backed up (a replica whose source is not known yet during preview
 * is left out too, and judged at update).
 */
function databases(stack: StackView): Array<{ db: StackResource; engine: Engine | undefined }> {
  return stack
    .ofType(...Object.keys(DATABASE_TYPES))
    .filter((db) => known(() => isReadReplica(db.type, db.props)) === false)
    .map((db) => ({ db, engine: known(() => DATABASE_TYPES[db.type](db.props)) }));
}

const BACKUP_SELECTOR_PARAM = {
  backupCronJobLabels: {
    type: "object" as const,
    default: { "backup.platform/mode": "backup" },
    description: "Labels that mark a CronJob as a database backup (BackupJob sets backup.platform/mode: backup).",
  },
};

function isBackupCronJob(r: StackResource, labels: Record<string, string>): boolean {
  if (r.type !== CRON_JOB) return false;
  return known(() => Object.entries(labels).every(([k, v]) => r.props.metadata?.labels?.[k] === v)) === true;
}

/** Backups of `db`: CronJobs, AWS Backup selections and Alibaba RDS backup policies that depend on it. */
function backupsOf(stack: StackView, db: StackResource, labels: Record<string, string>): StackResource[] {
  return stack
    .dependents(db)
    .filter((r) => isBackupCronJob(r, labels) || r.type === "aws:backup/selection:Selection" || r.type === "alicloud:rds/backupPolicy:BackupPolicy");
}

function inScope(db: StackResource, environments: string[]): boolean {
  return environments.includes(known(() => environmentOf(db.urn, db.props)) ?? "");
}

export const prodDatabaseBackup = stackCheck<{ environments: string[]; backupCronJobLabels: Record<string, string> }>({
  name: "prod-database-backup",
  description: "Every production database has a backup that depends on it: a backup CronJob (BackupJob), an AWS Backup selection or an Alibaba Cloud RDS backup policy. Read replicas (replicateSourceDb, ApsaraDB read-only instances) are covered by their source's backups.",
  severity: "critical",
  remediation: "Add a BackupJob for the database (platform:backups) or a cloud-native backup plan.",
  enforcementLevel: "mandatory",
  category: "data-protection",
  config: { ...ENVIRONMENTS_PARAM, ...BACKUP_SELECTOR_PARAM },
  validate: (stack, config) =>
    databases(stack)
      .filter(({ db }) => inScope(db, config.environments))
      .filter(({ db }) => backupsOf(stack, db, config.backupCronJobLabels).length === 0)
      .map(({ db }) => ({ urn: db.urn, message: `database "${db.name}" has no backup` })),
});

/** Alert rules of the stack: `{alert, labels, annotations}` from PrometheusRule objects. */
export function prometheusAlerts(stack: StackView): Array<{ alert: string; labels: Record<string, string>; annotations: Record<string, string>; source: StackResource }> {
  const out: Array<{ alert: string; labels: Record<string, string>; annotations: Record<string, string>; source: StackResource }> = [];
  for (const rule of stack.ofType(PROMETHEUS_RULE)) {
    const groups = known(() => rule.props.spec?.groups ?? []) ?? [];
    for (const g of groups) {
      for (const r of known(() => g.rules ?? []) ?? []) {
        const alert = known(() => ({ alert: r.alert, labels: { ...(r.labels ?? {}) }, annotations: { ...(r.annotations ?? {}) } }));
        if (alert?.alert) out.push({ ...alert, source: rule });
      }
    }
  }
  return out;
}

export const prodDatabaseStaleBackupAlert = stackCheck<{
  environments: string[];
  backupCronJobLabels: Record<string, string>;
  staleAlerts: string[];
  backupNameLabel: string;
}>({
  name: "prod-database-stale-backup-alert",
  description: "Every production database's backup CronJob is watched by a stale-backup alert (an alert named in staleAlerts whose `backup` label names the backup).",
  severity: "high",
  remediation: "Provision the BackupJob's monitoring bundle through the AlertingStack (it carries BackupStale per backup).",
  enforcementLevel: "mandatory",
  category: "monitoring",
  config: {
    ...ENVIRONMENTS_PARAM,
    ...BACKUP_SELECTOR_PARAM,
    staleAlerts: { type: "array", items: { type: "string" }, default: ["BackupStale"], description: "Alert names that fire when a backup is older than its schedule allows." },
    backupNameLabel: { type: "string", default: "app.kubernetes.io/instance", description: "CronJob label whose value the alert's `backup` label carries." },
  },
  validate: (stack, config) => {
    const stale = prometheusAlerts(stack).filter((a) => config.staleAlerts.includes(a.alert));
    const watched = new Set(stale.map((a) => a.labels.backup));
    const problems: StackProblem[] = [];
    const rulesUnknown = stack.ofType(PROMETHEUS_RULE).some((r) => known(() => JSON.stringify(r.props.spec)) === undefined);
    if (rulesUnknown) return []; // rule content is computed during the update: judge it then
    for (const { db } of databases(stack).filter(({ db }) => inScope(db, config.environments))) {
      const backups = backupsOf(stack, db, config.backupCronJobLabels);
      if (backups.length === 0) {
        problems.push({ urn: db.urn, message: `database "${db.name}" has no backup to watch (see prod-database-backup)` });
        continue;
      }
      const cronJobs = backups.filter((b) => b.type === CRON_JOB);
      const names = cronJobs.map((c) => known(() => c.props.metadata?.labels?.[config.backupNameLabel]));
      if (names.some((n) => n === undefined) && cronJobs.length > 0) continue; // undecided during preview
      if (!names.some((n) => watched.has(n as string))) {
        problems.push({
          urn: db.urn,
          message: cronJobs.length
            ? `database "${db.name}": no ${config.staleAlerts.join("/")} alert watches backup ${names.map((n) => `"${n}"`).join(", ")}`
            : `database "${db.name}" has only native backups, which no ${config.staleAlerts.join("/")} alert watches`,
        });
      }
    }
    return problems;
  },
});

/** Minutes of data a mechanism may lose: point-in-time recovery ships logs every few minutes. */
const PITR_MINUTES = 5;

/** The best recovery point (minutes) the backups and native settings of `db` give, or undefined if unknown. */
function recoveryPointMinutes(stack: StackView, db: StackResource, labels: Record<string, string>): { minutes: number; how: string } | undefined {
  const candidates: Array<{ minutes: number; how: string }> = [];
  const p = db.props;
  const native = known(() => {
    if (db.type === "aws:rds/instance:Instance" && (p.backupRetentionPeriod ?? 1) > 0) return { minutes: PITR_MINUTES, how: "RDS point-in-time recovery" };
    if (db.type === "alicloud:kvstore/instance:Instance" && isTrue(p.enableBackupLog === 1 ? true : p.enableBackupLog)) return { minutes: PITR_MINUTES, how: "KVStore AOF log backup" };
    // DocumentDB restores to any second of its backup retention; ApsaraDB for MongoDB with its oplog (log) backup.
    if (db.type === "aws:docdb/cluster:Cluster" && (p.backupRetentionPeriod ?? 1) > 0) return { minutes: PITR_MINUTES, how: "DocumentDB point-in-time restore" };
    if (db.type === "alicloud:mongodb/instance:Instance" && isTrue(p.enableBackupLog === 1 ? true : p.enableBackupLog)) return { minutes: PITR_MINUTES, how: "ApsaraDB for MongoDB log backup" };
    return undefined;
  });
  if (native) candidates.push(native);
  for (const b of backupsOf(stack, db, labels)) {
    const c = known(() => {
      if (b.type === CRON_JOB) {
        const schedule = b.props.spec?.schedule;
        if (typeof schedule !== "string" || cronProblem(schedule)) return undefined;
        return { minutes: cronMaxPeriodMinutes(schedule), how: `CronJob "${b.props.metadata?.name ?? b.name}" (${schedule})` };
      }
      if (b.type === "alicloud:rds/backupPolicy:BackupPolicy" && isTrue(b.props.enableBackupLog)) return { minutes: PITR_MINUTES, how: "RDS log backup" };
      if (b.type === "aws:backup/selection:Selection") {
        const plan = stack.dependenciesOf(b).find((d) => d.type === "aws:backup/plan:Plan");
        if (plan && (plan.props.rules ?? []).some((rule: any) => isTrue(rule.enableContinuousBackup))) return { minutes: PITR_MINUTES, how: "AWS Backup continuous backup" };
      }
      return undefined;
    });
    if (c) candidates.push(c);
  }
  if (candidates.length === 0) return undefined;
  return candidates.reduce((best, c) => (c.minutes < best.minutes ? c : best));
}

export const backupMeetsRpo = stackCheck<{ rpoMinutes: number; rpoMinutesByEngine: Partial<Record<Engine, number>>; backupCronJobLabels: Record<string, string> }>({
  name: "backup-frequency-meets-rpo",
  description: "Each database's most frequent backup mechanism (backup CronJob schedule, point-in-time recovery, continuous backup) loses at most the stack's RPO.",
  severity: "high",
  remediation: "Back up more often (backups[].schedule) or enable point-in-time recovery; or relax rpoMinutes in policies/config/<stack>.json with the owner's sign-off.",
  enforcementLevel: "mandatory",
  category: "data-protection",
  config: {
    rpoMinutes: { type: "integer", minimum: 1, default: 1440, description: "Recovery point objective of the stack in minutes (prod: 60)." },
    rpoMinutesByEngine: {
      type: "object",
      properties: {
        postgres: { type: "integer", minimum: 1 }, redis: { type: "integer", minimum: 1 }, mysql: { type: "integer", minimum: 1 }, mongodb: { type: "integer", minimum: 1 },
      },
      additionalProperties: false,
      default: {},
      description:
        "RPO overrides per engine, for stores whose service cannot back up as often as rpoMinutes (prod: redis 120, because ElastiCache " +
        "takes at most 20 manual snapshots per node a day and has no log backups; its replicas cover node and zone loss).",
    },
    ...BACKUP_SELECTOR_PARAM,
  },
  validate: (stack, config) => {
    const problems: StackProblem[] = [];
    for (const { db, engine } of databases(stack)) {
      const rp = recoveryPointMinutes(stack, db, config.backupCronJobLabels);
      const rpo = (engine ? config.rpoMinutesByEngine?.[engine] : undefined) ?? config.rpoMinutes;
      if (rp && rp.minutes > rpo) {
        problems.push({ urn: db.urn, message: `database "${db.name}": best backup (${rp.how}) may lose ${rp.minutes} minutes; the stack's RPO${engine && config.rpoMinutesByEngine?.[engine] ? ` for ${engine}` : ""} is ${rpo}` });
      }
    }
    return problems;
  },
});

export const backupRetention = stackCheck<{ minRetentionDays: Record<string, number>; backupCronJobLabels: Record<string, string> }>({
  name: "backup-retention-minimum",
  description: "Backups of each database are kept at least the stack's minimum for its engine: the backup CronJob's RETENTION_DAYS and AWS Backup plan lifecycles.",
  severity: "high",
  remediation: "Raise backups[].retentionDays (or the backup plan's lifecycle.deleteAfter).",
  enforcementLevel: "mandatory",
  category: "data-protection",
  config: {
    minRetentionDays: {
      type: "object",
      properties: {
        postgres: { type: "integer", minimum: 1 }, redis: { type: "integer", minimum: 1 }, mysql: { type: "integer", minimum: 1 }, mongodb: { type: "integer", minimum: 1 },
      },
      additionalProperties: false,
      default: { postgres: 7, redis: 7, mysql: 7, mongodb: 7 },
      description: "Minimum backup retention in days per engine (prod: postgres 30, redis 7, mongodb 30).",
    },
    ...BACKUP_SELECTOR_PARAM,
  },
  validate: (stack, config) => {
    const problems: StackProblem[] = [];
    for (const { db, engine } of databases(stack)) {
      const min = engine ? config.minRetentionDays[engine] : undefined;
      if (!min) continue;
      for (const b of backupsOf(stack, db, config.backupCronJobLabels)) {
        const days = known(() => {
          if (b.type === CRON_JOB) {
            const containers = [...(b.props.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []), ...(b.props.spec?.jobTemplate?.spec?.template?.spec?.initContainers ?? [])];
            const env = containers.flatMap((c: any) => c.env ?? []).find((e: any) => e.name === "RETENTION_DAYS");
            return env?.value !== undefined ? Number(env.value) : undefined;
          }
          if (b.type === "aws:backup/selection:Selection") {
            const plan = stack.dependenciesOf(b).find((d) => d.type === "aws:backup/plan:Plan");
            const all = (plan?.props.rules ?? []).map((rule: any) => rule.lifecycle?.deleteAfter).filter((d: unknown) => typeof d === "number");
            return all.length ? Math.min(...all) : undefined;
          }
          return undefined;
        });
        if (typeof days === "number" && days < min) {
          problems.push({ urn: b.urn, message: `backup "${b.name}" of ${engine} database "${db.name}" keeps ${days} days; at least ${min} required` });
        }
      }
    }
    return problems;
  },
});

export const dataProtectionPolicies = [prodDatabaseBackup, prodDatabaseStaleBackupAlert, backupMeetsRpo, backupRetention];
