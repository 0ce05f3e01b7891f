import type { DatabaseTarget, Engine } from "./args";

/**
 * What each target offers, in one place: engine versions and instance classes. Validation refuses a
 * version or class the target does not have at plan time, instead of letting the cloud API refuse it
 * halfway through an update.
 *
 * Sources: RDS for PostgreSQL supported majors (13–17 in standard support), ElastiCache for Redis OSS
 * engine versions (6.0, 6.2, 7.0, 7.1; 7.2+ is Valkey), ApsaraDB RDS PostgreSQL `EngineVersion` values
 * (10.0–17.0), ApsaraDB for Redis `EngineVersion` values (4.0–7.0), Amazon DocumentDB engine versions (4.0, 5.0,
 * 8.0), ApsaraDB for MongoDB `EngineVersion` values still sold (4.4–8.0), and the official Docker images.
 */
export interface VersionRule {
  /** Versions a client may write (exact strings), or a pattern for the Docker image tags. */
  accepts: (version: string) => boolean;
  /** Human description of what is allowed, for error messages and docs. */
  allowed: string;
}

function oneOf(values: string[]): VersionRule {
  return { accepts: (v) => values.includes(v), allowed: `one of ${values.join(", ")}` };
}

function majorsWithMinor(majors: number[], minor: RegExp, example: string): VersionRule {
  return {
    accepts: (v) => {
      const [major, ...rest] = v.split(".");
      return majors.includes(Number(major)) && /^\d+$/.test(major) && (rest.length === 0 || minor.test(rest.join(".")));
    },
    allowed: `a major ${majors.join(", ")} (${example})`,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const VERSION_CATALOG: Record<Engine, Record<DatabaseTarget, VersionRule>> = {
  postgres: {
    // RDS takes the major alone (latest minor) or a full major.minor.
    aws: majorsWithMinor(range(13, 17), /^\d+$/, 'e.g. "16" or "16.4"'),
    // ApsaraDB takes majors only, written "16" or "16.0".
    alicloud: majorsWithMinor(range(10, 17), /^0$/, 'major only, e.g. "16" or "16.0"; ApsaraDB picks the minor'),
    // The image tag is pinned to the full version.
    docker: majorsWithMinor(range(13, 17), /^\d+$/, 'with its minor, e.g. "16.4" (the image tag is pinned to it)'),
  },
  redis: {
    aws: oneOf(["6.0", "6.2", "7.0", "7.1"]),
    alicloud: oneOf(["4.0", "5.0", "6.0", "7.0"]),
    docker: majorsWithMinor(range(6, 8), /^\d+\.\d+$/, 'full version, e.g. "7.4.1" (the image tag is pinned to it)'),
  },
  mongodb: {
    // DocumentDB speaks the MongoDB 4.0, 5.0 and 8.0 APIs (the cluster's engine version).
    aws: oneOf(["4.0", "5.0", "8.0"]),
    alicloud: oneOf(["4.4", "5.0", "6.0", "7.0", "8.0"]),
    docker: majorsWithMinor(range(5, 8), /^\d+\.\d+$/, 'full version, e.g. "7.0.14" (the image tag is pinned to it)'),
  },
};

/** Problem text when `version` is not offered by the target, else undefined. */
export function versionProblem(engine: Engine, target: DatabaseTarget, version: string, imageOverride: boolean): string | undefined {
  // A custom Docker image names its own version; only the managed services have a fixed catalog.
  if (target === "docker" && imageOverride) return undefined;
  const rule = VERSION_CATALOG[engine][target];
  if (target === "docker" && version.split(".").length < (engine === "postgres" ? 2 : 3)) {
    return {
      postgres: "must be a full PostgreSQL version like 16.4 on docker (the image tag is pinned to it)",
      redis: "must be a full Redis version like 7.4.1 on docker (the image tag is pinned to it)",
      mongodb: "must be a full MongoDB version like 7.0.14 on docker (the image tag is pinned to it)",
    }[engine];
  }
  return rule.accepts(version) ? undefined : `is not offered for ${engine} on ${target}; use ${rule.allowed}`;
}

/**
 * Instance class families per managed target. AWS classes are `<prefix>.<family>.<size>` with a known set of
 * families; the burstable families (t3, t4g) stop at 2xlarge (RDS) / medium (ElastiCache). Alibaba Cloud
 * classes are checked by shape only: their availability differs per region and zone, which only the API knows.
 */
interface ClassRule {
  pattern: RegExp;
  allowed: string;
  /** Classes that cannot run Performance Insights (RDS: the micro and small burstables). */
  noInsights?: RegExp;
}

const SIZES = "(micro|small|medium|large|xlarge|\\d{1,2}xlarge)";
const RDS_FAMILIES = ["t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m7g", "m7i", "r5", "r5b", "r5d", "r6g", "r6gd", "r6i", "r6id", "r7g", "r7i", "x2g"];
/** DocumentDB instance classes: the burstable t3/t4g come in medium only. */
const DOCDB_FAMILIES = ["t3", "t4g", "r5", "r6g", "r6gd", "r8g"];
const CACHE_FAMILIES = ["t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn"];

export const INSTANCE_CLASS_RULES: Record<Engine, Record<Exclude<DatabaseTarget, "docker">, ClassRule>> = {
  postgres: {
    aws: {
      pattern: new RegExp(`^db\\.(${RDS_FAMILIES.join("|")})\\.${SIZES}$`),
      allowed: `an RDS class db.<family>.<size> with family one of ${RDS_FAMILIES.join(", ")}, e.g. db.r7g.xlarge`,
      noInsights: /^db\.(t3|t4g)\.(micro|small)$/,
    },
    alicloud: { pattern: /^pg\.[a-z0-9]+(\.[a-z0-9]+){1,3}$/, allowed: "an ApsaraDB RDS PostgreSQL class like pg.n2.2c.2m or pg.x4.xlarge.2c" },
  },
  redis: {
    aws: {
      pattern: new RegExp(`^cache\\.(${CACHE_FAMILIES.join("|")})\\.${SIZES}$`),
      allowed: `an ElastiCache node type cache.<family>.<size> with family one of ${CACHE_FAMILIES.join(", ")}, e.g. cache.r7g.large`,
    },
    alicloud: { pattern: /^redis\.[a-z0-9]+(\.[a-z0-9]+){1,4}$/, allowed: "an ApsaraDB for Redis class like redis.master.small.default" },
  },
  mongodb: {
    aws: {
      pattern: new RegExp(`^db\\.(${DOCDB_FAMILIES.join("|")})\\.${SIZES}$`),
      allowed: `a DocumentDB instance class db.<family>.<size> with family one of ${DOCDB_FAMILIES.join(", ")}, e.g. db.r6g.large`,
    },
    alicloud: { pattern: /^(dds|mdb)\.[a-z0-9]+(\.[a-z0-9]+){1,4}$/, allowed: "an ApsaraDB for MongoDB class like dds.mongo.mid or mdb.shard.4x.large.d" },
  },
};

const BURSTABLE_MAX: Record<string, RegExp> = {
  // t-class sizes that exist: RDS up to 2xlarge, ElastiCache micro/small/medium, DocumentDB medium only.
  db: /^(micro|small|medium|large|xlarge|2xlarge)$/,
  cache: /^(micro|small|medium)$/,
  docdb: /^medium$/,
};
const BURSTABLE_RANGE: Record<string, string> = {
  db: "burstable RDS classes go up to 2xlarge",
  cache: "burstable node types are micro, small or medium",
  docdb: "burstable DocumentDB classes are medium only",
};

/** Problem text when `instanceClass` is not a class the target offers (or cannot run what is asked of it). */
export function instanceClassProblem(
  engine: Engine,
  target: Exclude<DatabaseTarget, "docker">,
  instanceClass: string,
  enhancedMonitoring: boolean,
): string | undefined {
  const rule = INSTANCE_CLASS_RULES[engine][target];
  if (typeof instanceClass !== "string" || !rule.pattern.test(instanceClass)) return `must be ${rule.allowed}`;
  if (target === "aws") {
    const [classPrefix, family, size] = instanceClass.split(".");
    const prefix = engine === "mongodb" ? "docdb" : classPrefix;
    if ((family === "t3" || family === "t4g") && !BURSTABLE_MAX[prefix].test(size)) {
      return `is not a ${family} size (${BURSTABLE_RANGE[prefix]})`;
    }
    if (enhancedMonitoring && rule.noInsights?.test(instanceClass)) {
      return "cannot run Performance Insights (enhancedMonitoring, on in prod); use db.t4g.medium or larger";
    }
  }
  return undefined;
}

/** PostgreSQL extensions the library provisions (`extensions`): the ones a target cannot load are refused. */
export type PostgresExtension = "timescaledb";
export const POSTGRES_EXTENSIONS: readonly PostgresExtension[] = ["timescaledb"];

/**
 * Where each extension can run, and why not elsewhere. RDS for PostgreSQL does not ship TimescaleDB (it is not in
 * its supported-extensions list, so `shared_preload_libraries` cannot name it); ApsaraDB RDS PostgreSQL ships it;
 * on Docker the Timescale image replaces the PostgreSQL one.
 */
export const EXTENSION_SUPPORT: Record<PostgresExtension, Record<DatabaseTarget, string | undefined>> = {
  timescaledb: {
    aws: "is not available on RDS for PostgreSQL (RDS cannot load timescaledb); run it on alicloud (ApsaraDB RDS PostgreSQL), on docker, or on a TimescaleDB service outside this stack",
    alicloud: undefined,
    docker: undefined,
  },
};

/** TimescaleDB release of the Docker image (timescale/timescaledb:<release>-pg<major>) and the majors it is built for. */
export const TIMESCALEDB_DOCKER = { release: "2.17.2", majors: [14, 15, 16, 17] };

/**
 * Libraries RDS for PostgreSQL accepts in `shared_preload_libraries` (its parameter's allowed values); anything else
 * makes the parameter group invalid or the instance fail to start.
 */
export const RDS_PRELOAD_LIBRARIES = [
  "auto_explain",
  "orafce",
  "pg_cron",
  "pg_hint_plan",
  "pg_partman_bgw",
  "pg_prewarm",
  "pg_similarity",
  "pg_stat_statements",
  "pg_tle",
  "pg_transport",
  "pgaudit",
  "pglogical",
  "plprofiler",
];

/**
 * Read replicas a PostgreSQL primary may have: RDS up to 15 per source, ApsaraDB RDS PostgreSQL up to 32
 * read-only instances; none on Docker (one container, no streaming replica).
 */
export const READ_REPLICA_MAX: Record<DatabaseTarget, number> = { aws: 15, alicloud: 32, docker: 0 };

/**
 * MongoDB replica-set members per target: DocumentDB clusters take 1 primary + up to 15 replicas; ApsaraDB for
 * MongoDB replica sets have 3, 5 or 7 nodes; Docker runs one mongod.
 */
export const MONGODB_MEMBERS: Record<DatabaseTarget, { allowed: number[]; text: string }> = {
  aws: { allowed: range(1, 16), text: "a whole number from 1 to 16 (DocumentDB instances)" },
  alicloud: { allowed: [3, 5, 7], text: "3, 5 or 7 (ApsaraDB for MongoDB replica-set nodes)" },
  docker: { allowed: [1], text: "1 on docker (a single mongod container)" },
};
