import { LIMITS } from "../../components/lib/limits";
import { z } from "zod";
import type { DatabaseConnection } from "../../components/lib/contracts";
import { dnsLabel, parseOrThrow, Problems, ValidationError } from "../../components/lib/validation";
import {
  ENGINES,
  MonitoredDatabase,
  resolveDatabaseSettings,
  SIZE_CLASSES,
  type DatabaseTarget,
  type Engine,
  type MonitoredDatabaseArgs,
} from "../../components/monitored-database";
import { RETENTION_RANGE } from "../../components/monitored-database/sizes";
import { type DataStoreDeps, managedStoreArgs, requirePlacement } from "./data-store-placement";
import type { SectionContext } from "./types";

/**
 * `platform:databases`: the data stores of the stack. Each entry becomes one MonitoredDatabase; the target
 * (docker, aws, alicloud) follows the platform, the rest defaults from the environment profile.
 */
export const SECTION_KEY = "databases";
const PREFIX = `platform:${SECTION_KEY}`;

const thresholdPairSchema = z
  .object({
    warning: z.number().optional().describe("Value at which the warning alert fires."),
    critical: z.number().optional().describe("Value at which the critical alert fires; must not be reached before the warning."),
  })
  .strict();

const entrySchema = z
  .object({
    name: dnsLabel
      .max(24, { message: "must be at most 24 characters (it prefixes physical names)" })
      .describe("Database name (DNS label); prefixes child and physical names and is what services and backups reference. Caution: renaming replaces the data store."),
    engine: z.enum(ENGINES as [Engine, ...Engine[]]).describe("Engine: `postgres`, `redis` or `mongodb` (DocumentDB on aws, ApsaraDB for MongoDB on alicloud, the official image on docker). Caution: changing it replaces the data store (data is not migrated)."),
    version: z
      .string()
      .min(1)
      .describe("Engine version. Checked against what the target offers (components/monitored-database/catalog.ts): RDS PostgreSQL 13–17 as `16` or `16.4`; ApsaraDB PostgreSQL majors 10–17 (`16`); ElastiCache Redis OSS `6.0`, `6.2`, `7.0`, `7.1`; ApsaraDB Redis `4.0`–`7.0`; DocumentDB (MongoDB on aws) `4.0`, `5.0`, `8.0`; ApsaraDB for MongoDB `4.4`, `5.0`, `6.0`, `7.0`, `8.0`; Docker needs the full version the image tag is pinned to (`16.4`, `7.4.1`, `7.0.14`). Example: `16.4`"),
    size: z
      .enum(SIZE_CLASSES as [string, ...string[]])
      .optional()
      .describe("Size class, mapped per target to an instance type (components/monitored-database/sizes.ts) or a Docker memory limit. Default: profile (staging `small`, prod `large`)."),
    storageGb: z
      .number()
      .optional()
      .describe("Allocated storage in GB (PostgreSQL; MongoDB on alicloud, 20–16000; Redis is sized by memory, DocumentDB storage grows by itself); at least 20 on RDS and ApsaraDB. Caution: providers only grow storage. Default: profile (staging 20, prod 100)."),
    highAvailability: z
      .boolean()
      .optional()
      .describe("Standby in a second zone with automatic failover (RDS Multi-AZ, 2-node ElastiCache, ApsaraDB HA category, MongoDB replicas in a second zone); not on Docker. Default: profile (prod on)."),
    backupRetentionDays: z
      .number()
      .optional()
      .describe(`Native backup retention in days, checked against the provider's range (RDS/ElastiCache 0–35, ApsaraDB RDS 7–730, ApsaraDB Redis 7, Docker 0–${LIMITS.retentionDays}). Default: PostgreSQL staging 7 / prod 30, Redis 7.`),
    backupWindow: z.string().optional().describe("Daily native backup window, UTC `hh:mm-hh:mm`; must not overlap the maintenance window. Default: `18:00-19:00`."),
    maintenanceWindow: z.string().optional().describe("Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`. Default: `sun:20:00-sun:21:00`."),
    parameters: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .describe("Engine parameters (postgresql.conf / redis.conf keys); TLS is always forced. Example: `{log_min_duration_statement: 500}`"),
    thresholds: z
      .record(z.string(), thresholdPairSchema)
      .optional()
      .describe("Alert threshold overrides by name: PostgreSQL connectionsPercent, deadlocksPerHour, replicationLagSeconds, longTransactionSeconds, cacheHitPercent, storageUsedPercent; Redis memoryPercent, connectionsPercent, backupAgeSeconds; MongoDB connectionsPercent, replicationLagSeconds. Default: the seeds' values (components/monitored-database/thresholds.ts). Example: `{connectionsPercent: {warning: 70}}`"),
    extensions: z
      .array(z.string())
      .optional()
      .describe(
        "PostgreSQL extensions to load: `timescaledb` on alicloud (ApsaraDB RDS PostgreSQL; added to shared_preload_libraries, which then replaces ApsaraDB's default list, so name the others you need there; " +
          "the owner runs `CREATE EXTENSION timescaledb` in its migrations) and on docker (the pinned timescale/timescaledb image for the major of `version`, 14–17, which creates the extension in the database). " +
          "Refused on aws: RDS for PostgreSQL cannot load it. Default: none. Example: `[timescaledb]`",
      ),
    members: z
      .number()
      .optional()
      .describe(
        "MongoDB only: data-bearing members of the replica set. aws (DocumentDB): 1–16 instances, at least 2 with highAvailability; " +
          "alicloud (ApsaraDB for MongoDB): 3, 5 or 7 nodes; docker: 1. Caution: lowering it on aws deletes the highest-numbered instances. " +
          "Default: 3 with highAvailability (prod), else 1 (aws, docker) or 3 (alicloud, its smallest replica set). Example: `3`",
      ),
    readReplicas: z
      .number()
      .optional()
      .describe(
        "PostgreSQL read replicas (RDS read replicas, ApsaraDB read-only instances) with the primary's class and storage, " +
          "each watched by its own exporter (replica lag is read on the replica). Services get their hosts as `<PREFIX>_REPLICA_HOSTS`. " +
          "0–15 on aws, 0–32 on alicloud, not on docker. Caution: lowering it deletes the highest-numbered replicas. Default: 0. Example: `2`",
      ),
    cluster: z
      .object({
        shards: z.number().describe("Shards: ElastiCache node groups 1–500, ApsaraDB cluster-edition data shards 2–256. Example: `3`"),
        replicasPerShard: z
          .number()
          .optional()
          .describe("Replicas per shard: ElastiCache 0–5 (at least 1 in prod; nodes in all at most 500), ApsaraDB 1. Default: 1."),
      })
      .strict()
      .optional()
      .describe(
        "Redis cluster mode: ElastiCache cluster mode enabled (clients use the configuration endpoint; every node scraped with `shard` and `node` labels, so memory and replication alerts name the shard) " +
          "or the ApsaraDB cluster edition (shard classes `redis.shard.*`; its proxy endpoint shows the instance as one, per-shard figures are in CloudMonitor). " +
          "Not on docker: the dev stack keeps a single Redis (cluster clients work against it). Caution: turning it on or off replaces the store. Default: off. Example: `{shards: 3, replicasPerShard: 1}`",
      ),
    instanceClass: z
      .string()
      .optional()
      .describe(
        "Exact provider instance type, overriding the one `size` maps to; checked against the target's classes " +
          "(RDS `db.<family>.<size>`, ElastiCache `cache.<family>.<size>`, ApsaraDB `pg.*` / `redis.*` by shape, as their availability is per zone). " +
          "Managed targets only. Default: the size class mapping. Example: `db.r7g.2xlarge`",
      ),
    logicalDatabases: z
      .array(
        z
          .object({
            name: z.string().describe("Database name, `[a-z][a-z0-9_]{0,30}`. Example: `orders`"),
            user: z.string().optional().describe("Owner login role with its own generated password. Default: the database name. Example: `orders_svc`"),
          })
          .strict(),
      )
      .optional()
      .describe(
        "PostgreSQL only: further databases on this instance, each owned by its own role with a generated password " +
          "(a Pulumi secret; on Kubernetes the Secret `<name>-db-<database>`). Services connect with `connections[].database: <name>/<database>`. " +
          "At most 32. Caution: removing an entry does not drop the database. Default: none. Example: `[{name: orders}, {name: billing, user: billing_svc}]`",
      ),
  })
  .strict();

/** The raw section: a list of databases; absent = none. */
export const schema = z.array(entrySchema).default([]).describe("Data stores of the stack, one MonitoredDatabase each.");
export type DatabasesConfig = z.output<typeof schema>;
export type DatabaseConfig = DatabasesConfig[number];

/** Parses the raw section (undefined = no databases). */
export function parseDatabases(raw: unknown): DatabasesConfig {
  return parseOrThrow(schema, raw, "stack config", PREFIX);
}

/** One validated database: component args minus what only exists at build time (placement, keys). */
export interface DatabasePlan {
  name: string;
  engine: Engine;
  target: DatabaseTarget;
  args: Omit<MonitoredDatabaseArgs, "placement" | "encryptionKeyId">;
}
export type DatabasesPlan = DatabasePlan[];

/** Where the stack's databases run: Docker on the docker target, otherwise the platform cloud's managed service. */
export function databaseTarget(sctx: SectionContext): DatabaseTarget | undefined {
  if (sctx.platform.target === "docker") return "docker";
  return sctx.platform.cloud === "none" ? undefined : sctx.platform.cloud;
}

/**
 * Pure: config + context -> validated MonitoredDatabase args. Every problem is reported with its key path
 * (`platform:databases[0].storageGb`) before anything is registered.
 */
export function planDatabases(parsed: DatabasesConfig, sctx: SectionContext): DatabasesPlan {
  if (parsed.length === 0) return [];
  const target = databaseTarget(sctx);
  if (!target) {
    throw new ValidationError("stack config", [
      `${PREFIX}: managed databases need platform:cloud aws or alicloud when platform:target is kubernetes (got cloud "none"); ` +
        "set platform:cloud, or use platform:target docker for local databases",
    ]);
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const plans: DatabasesPlan = [];
  const defaults = sctx.profile.database;
  parsed.forEach((entry, i) => {
    const at = `${PREFIX}[${i}]`;
    const first = seen.get(entry.name);
    if (first !== undefined) problems.push(`${at}.name: duplicates ${PREFIX}[${first}].name (got "${entry.name}")`);
    seen.set(entry.name, i);

    const managed = target !== "docker";
    // Retention: PostgreSQL from the profile (staging 7, prod 30); Redis RDB snapshots 7 days (Paimon playbook).
    // A profile value below the provider's minimum is raised to it; an explicit value is validated as given.
    let retention = entry.backupRetentionDays;
    if (retention === undefined) {
      retention = entry.engine === "redis" ? sctx.profile.backup.redisRetentionDays : defaults.backupRetentionDays;
      if (managed) {
        const range = RETENTION_RANGE[entry.engine][target];
        retention = Math.min(range.max, Math.max(range.min, retention));
      }
    }
    const args: DatabasePlan["args"] = {
      engine: entry.engine,
      target,
      version: entry.version,
      size: (entry.size as DatabasePlan["args"]["size"]) ?? defaults.size,
      ...(entry.engine === "postgres" || (entry.engine === "mongodb" && target === "alicloud")
        ? { storageGb: entry.storageGb ?? defaults.storageGb }
        : entry.storageGb !== undefined
          ? { storageGb: entry.storageGb }
          : {}),
      // Docker cannot do HA: the profile default is dropped there, an explicit request is an error below.
      highAvailability: entry.highAvailability ?? (managed ? defaults.highAvailability : false),
      backupRetentionDays: retention,
      pointInTimeRecovery: managed && retention > 0 ? defaults.pointInTimeRecovery : false,
      backupWindow: entry.backupWindow ?? defaults.backupWindow,
      maintenanceWindow: entry.maintenanceWindow ?? defaults.maintenanceWindow,
      parameters: entry.parameters ?? {},
      thresholds: entry.thresholds ?? {},
      deletionProtection: defaults.deletionProtection,
      protect: defaults.deletionProtection,
      ...(entry.instanceClass !== undefined ? { instanceClass: entry.instanceClass } : {}),
      ...(entry.readReplicas !== undefined ? { readReplicas: entry.readReplicas } : {}),
      ...(entry.cluster !== undefined ? { cluster: { ...entry.cluster } } : {}),
      ...(entry.members !== undefined ? { members: entry.members } : {}),
      ...(entry.extensions !== undefined ? { extensions: [...entry.extensions] } : {}),
      ...(entry.logicalDatabases ? { logicalDatabases: entry.logicalDatabases.map((l) => ({ ...l })) } : {}),
    };
    const local = new Problems("stack config", at);
    resolveDatabaseSettings(args as MonitoredDatabaseArgs, sctx.platform.environment, local);
    try {
      local.throwIfAny();
    } catch (e) {
      problems.push(...(e as ValidationError).problems);
    }
    plans.push({ name: entry.name, engine: entry.engine, target, args });
  });
  if (problems.length > 0) throw new ValidationError("stack config", problems);
  return plans;
}

/** Outputs of earlier sections the databases need. */
export type DatabasesDeps = DataStoreDeps;

/** Registers one MonitoredDatabase per planned entry, keyed by name. */
export function buildDatabases(plan: DatabasesPlan, sctx: SectionContext, deps: DatabasesDeps = {}): Record<string, MonitoredDatabase> {
  requirePlacement(plan, deps, PREFIX, (p) => p.engine);
  const out: Record<string, MonitoredDatabase> = {};
  for (const p of plan) out[p.name] = new MonitoredDatabase(p.name, { ...p.args, ...managedStoreArgs(p.target, deps) }, sctx.platform);
  return out;
}

/** Separates a data store from one of its logical databases in a reference: `main-db/orders`. */
export const LOGICAL_SEPARATOR = "/";

/** Names services may reference: each data store, and `<store>/<database>` for its logical databases. */
export function databaseNames(plan: DatabasesPlan): string[] {
  return plan.flatMap((p) => [p.name, ...(p.args.logicalDatabases ?? []).map((l) => `${p.name}${LOGICAL_SEPARATOR}${l.name}`)]);
}

/** Every connection services may reference, keyed like `databaseNames`. */
export function databaseConnections(built: Record<string, MonitoredDatabase>): Record<string, DatabaseConnection> {
  return Object.fromEntries(
    Object.entries(built).flatMap(([name, db]) => [
      [name, db.connection],
      ...Object.entries(db.logicalConnections).map(([logical, conn]) => [`${name}${LOGICAL_SEPARATOR}${logical}`, conn]),
    ]),
  );
}

export const plan = planDatabases;
export const build = buildDatabases;
