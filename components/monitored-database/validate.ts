import type { PlatformContext } from "../lib/platform";
import { LIMITS } from "../lib/limits";
import type { Transforms } from "../lib/transform";
import { imagePinProblem, Problems } from "../lib/validation";
import type { DataPlacement } from "../lib/contracts";
import type * as pulumi from "@pulumi/pulumi";
import {
  DATABASE_TARGETS,
  ENGINES,
  MAX_LOGICAL_DATABASES,
  SIZE_CLASSES,
  type DatabaseChildRole,
  type DatabaseTarget,
  type Engine,
  type MonitoredDatabaseArgs,
  type SizeClass,
} from "./args";
import {
  EXTENSION_SUPPORT,
  instanceClassProblem,
  MONGODB_MEMBERS,
  POSTGRES_EXTENSIONS,
  RDS_PRELOAD_LIBRARIES,
  READ_REPLICA_MAX,
  TIMESCALEDB_DOCKER,
  versionProblem,
  type PostgresExtension,
} from "./catalog";
import { ALICLOUD_SHARD_CLASSES, resolveRedisCluster, type ResolvedRedisCluster } from "./redis/cluster";
import { INSTANCE_MEMORY_MIB, parameterProblems } from "./parameters";
import {
  DEFAULT_PORTS,
  DOCKER_MEMORY_MB,
  INSTANCE_CLASSES,
  MONGODB_ALICLOUD_STORAGE_GB,
  POSTGRES_MAX_STORAGE_GB,
  POSTGRES_MIN_STORAGE_GB,
  RETENTION_RANGE,
} from "./sizes";
import { resolveThresholds, type EngineThresholds } from "./thresholds";
import {
  BACKUP_WINDOW_FORMAT,
  MAINTENANCE_WINDOW_FORMAT,
  parseBackupWindow,
  parseMaintenanceWindow,
  windowMinutes,
  windowsOverlap,
} from "./windows";

/** Args after validation, with every default applied. Only this shape reaches the resource builders. */
export interface ResolvedDatabase {
  engine: Engine;
  target: DatabaseTarget;
  version: string;
  size: SizeClass;
  /** Provider instance type (managed targets). */
  instanceClass?: string;
  /** PostgreSQL; MongoDB on alicloud. */
  storageGb?: number;
  highAvailability: boolean;
  /** MongoDB replica-set members (data-bearing nodes); 1 for the other engines. */
  members: number;
  /** Redis cluster mode (managed targets). */
  redisCluster?: ResolvedRedisCluster;
  /** PostgreSQL read replicas (managed targets). */
  readReplicas: number;
  placement?: DataPlacement;
  encryptionKeyId?: pulumi.Input<string>;
  backupRetentionDays: number;
  pointInTimeRecovery: boolean;
  backupWindow: string;
  maintenanceWindow: string;
  parameters: Record<string, string>;
  thresholds: EngineThresholds;
  deletionProtection: boolean;
  protect: boolean;
  enhancedMonitoring: boolean;
  databaseName: string;
  username: string;
  /** PostgreSQL extensions (TimescaleDB). */
  extensions: PostgresExtension[];
  /** PostgreSQL: further databases with their own owner roles. */
  logicalDatabases: Array<{ name: string; user: string }>;
  port: number;
  publishPort?: number;
  /** Docker image (docker target). */
  image?: string;
  exporter: boolean;
  transforms: Transforms<DatabaseChildRole>;
}

/** Defaults that do not depend on the environment. */
export const DATABASE_DEFAULTS = {
  size: "small" as SizeClass,
  storageGb: 20,
  backupRetentionDays: 7,
  backupWindow: "18:00-19:00",
  maintenanceWindow: "sun:20:00-sun:21:00",
  databaseName: "app",
  username: "app",
};

const VERSION = /^\d+(\.\d+){0,2}$/;
const IDENTIFIER = /^[a-z][a-z0-9_]{0,30}$/;
const RESERVED_USERS = ["postgres", "rdsadmin", "admin", "root", "aliyun_root", "replicator"];
const RESERVED_DATABASES = ["postgres", "template0", "template1", "rdsadmin"];
const PARAMETER_KEY = /^[A-Za-z0-9_.-]+$/;
/** Parameters the component owns: credentials and forced TLS. */
const OWNED_PARAMETERS: Record<Engine, string[]> = {
  postgres: ["rds.force_ssl", "password_encryption"],
  redis: ["requirepass", "masterauth", "appendonly", "cluster-enabled"],
  // DocumentDB's cluster parameter `tls`; mongod's TLS and authorization settings.
  mongodb: ["tls", "net.tls.mode", "security.authorization"],
};

/** The admin account ApsaraDB for MongoDB creates (its name cannot be chosen). */
export const ALICLOUD_MONGODB_ADMIN = "root";

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

/**
 * Validates every setting that does not depend on the surrounding platform (shared by the component and
 * by the `databases` config section, which reports with `platform:databases[i]` key paths).
 */
export function resolveDatabaseSettings(
  args: MonitoredDatabaseArgs,
  environment: PlatformContext["environment"],
  problems: Problems,
): ResolvedDatabase | undefined {
  const engineOk = ENGINES.includes(args.engine);
  const targetOk = DATABASE_TARGETS.includes(args.target);
  if (!engineOk) problems.add("engine", args.engine, `must be one of ${ENGINES.join(", ")}`);
  if (!targetOk) problems.add("target", args.target, `must be one of ${DATABASE_TARGETS.join(", ")}`);
  if (!engineOk || !targetOk) return undefined;
  const { engine, target } = args;
  const managed = target !== "docker";

  // Version (against the target's catalog) and image.
  if (typeof args.version !== "string" || !VERSION.test(args.version)) {
    problems.add("version", args.version, "must be a version like 16, 16.4 or 7.4.1");
  } else {
    // The Timescale image is tagged by PostgreSQL major only; its major is checked with the extension.
    const timescaleImage = target === "docker" && Array.isArray(args.extensions) && args.extensions.includes("timescaledb");
    const problem = versionProblem(engine, target, args.version, args.image !== undefined || timescaleImage);
    if (problem) problems.add("version", args.version, problem);
  }
  if (args.image !== undefined) {
    if (managed) problems.add("image", args.image, "is only used by the docker target; remove it");
    else {
      const pin = imagePinProblem(args.image);
      if (pin) problems.add("image", args.image, pin);
    }
  }

  // Size.
  const size = args.size ?? DATABASE_DEFAULTS.size;
  if (!SIZE_CLASSES.includes(size)) problems.add("size", args.size, `must be one of ${SIZE_CLASSES.join(", ")}`);
  if (args.instanceClass !== undefined && !managed) {
    problems.add("instanceClass", args.instanceClass, "is only used by managed targets (aws, alicloud); use size on docker");
  }
  let instanceClass = managed ? args.instanceClass ?? INSTANCE_CLASSES[engine][target][size] : undefined;
  const enhancedMonitoring = args.enhancedMonitoring ?? environment === "prod";
  if (managed && args.instanceClass !== undefined) {
    const problem = instanceClassProblem(engine, target, args.instanceClass, enhancedMonitoring && engine === "postgres");
    if (problem) problems.add("instanceClass", args.instanceClass, problem);
  }

  // Storage (PostgreSQL only).
  let storageGb: number | undefined;
  if (engine === "postgres") {
    storageGb = args.storageGb ?? DATABASE_DEFAULTS.storageGb;
    const min = POSTGRES_MIN_STORAGE_GB[target];
    const max = POSTGRES_MAX_STORAGE_GB[target];
    if (!Number.isInteger(storageGb) || storageGb < min || storageGb > max) {
      problems.add("storageGb", args.storageGb, `must be a whole number of GB from ${min} to ${max} for postgres on ${target}`);
    }
  } else if (engine === "mongodb" && target === "alicloud") {
    storageGb = args.storageGb ?? DATABASE_DEFAULTS.storageGb;
    const { min, max } = MONGODB_ALICLOUD_STORAGE_GB;
    if (!Number.isInteger(storageGb) || storageGb < min || storageGb > max) {
      problems.add("storageGb", args.storageGb, `must be a whole number of GB from ${min} to ${max} for mongodb on alicloud`);
    }
  } else if (args.storageGb !== undefined) {
    problems.add(
      "storageGb",
      args.storageGb,
      engine === "redis"
        ? "is not used by redis (memory is set by size); remove it"
        : `is not used by mongodb on ${target} (${target === "aws" ? "DocumentDB storage grows by itself" : "the Docker volume is unbounded"}); remove it`,
    );
  }

  // High availability.
  const highAvailability = args.highAvailability ?? false;
  if (typeof highAvailability !== "boolean") problems.add("highAvailability", args.highAvailability, "must be true or false");
  else if (highAvailability && !managed) {
    problems.add("highAvailability", true, "is not available on the docker target (single container); use aws or alicloud");
  }

  // MongoDB replica-set members.
  let members = 1;
  if (engine === "mongodb") {
    const rule = MONGODB_MEMBERS[target];
    members = args.members ?? (target === "alicloud" ? 3 : target === "aws" && highAvailability === true ? 3 : 1);
    if (!isNonNegativeInt(members) || !rule.allowed.includes(members)) {
      problems.add("members", args.members, `must be ${rule.text}`);
      members = rule.allowed[0];
    } else if (target === "aws" && highAvailability === true && members < 2) {
      problems.add("members", members, "must be at least 2 with highAvailability on aws (a DocumentDB replica in another zone to fail over to)");
    }
  } else if (args.members !== undefined) {
    problems.add("members", args.members, `is only used by mongodb (${engine} uses ${engine === "postgres" ? "readReplicas and " : ""}highAvailability)`);
  }

  // Read replicas (PostgreSQL on managed targets).
  const readReplicas = args.readReplicas ?? 0;
  if (args.readReplicas !== undefined) {
    const max = READ_REPLICA_MAX[target];
    if (engine !== "postgres") {
      problems.add("readReplicas", args.readReplicas, `is only available for postgres (${engine} replicas come with highAvailability${engine === "redis" ? " or cluster mode" : ""})`);
    } else if (max === 0) {
      problems.add("readReplicas", args.readReplicas, `is not available on the ${target} target (a single container); use aws or alicloud`);
    } else if (!isNonNegativeInt(readReplicas) || readReplicas > max) {
      problems.add("readReplicas", args.readReplicas, `must be a whole number from 0 to ${max} for postgres on ${target}`);
    }
  }

  // Retention and PITR.
  const backupRetentionDays = args.backupRetentionDays ?? DATABASE_DEFAULTS.backupRetentionDays;
  if (managed) {
    const range = RETENTION_RANGE[engine][target];
    if (!isNonNegativeInt(backupRetentionDays) || backupRetentionDays < range.min || backupRetentionDays > range.max) {
      problems.add(
        "backupRetentionDays",
        args.backupRetentionDays,
        range.min === range.max
          ? `must be ${range.min} for ${engine} on ${target} (the provider's fixed retention)`
          : `must be a whole number of days from ${range.min} to ${range.max} for ${engine} on ${target}`,
      );
    }
  } else if (!isNonNegativeInt(backupRetentionDays) || backupRetentionDays > LIMITS.retentionDays) {
    problems.add("backupRetentionDays", args.backupRetentionDays, `must be a whole number of days from 0 to ${LIMITS.retentionDays}`);
  }
  const pointInTimeRecovery = args.pointInTimeRecovery ?? (managed && backupRetentionDays > 0);
  if (pointInTimeRecovery && (!managed || backupRetentionDays === 0)) {
    problems.add(
      "pointInTimeRecovery",
      true,
      managed ? "needs backupRetentionDays > 0" : "is not available on the docker target (use the BackupJob component)",
    );
  }

  // Windows.
  const backupWindow = args.backupWindow ?? DATABASE_DEFAULTS.backupWindow;
  const maintenanceWindow = args.maintenanceWindow ?? DATABASE_DEFAULTS.maintenanceWindow;
  const bw = typeof backupWindow === "string" ? parseBackupWindow(backupWindow) : undefined;
  const mw = typeof maintenanceWindow === "string" ? parseMaintenanceWindow(maintenanceWindow) : undefined;
  if (!bw) problems.add("backupWindow", backupWindow, `must be ${BACKUP_WINDOW_FORMAT}`);
  if (!mw) problems.add("maintenanceWindow", maintenanceWindow, `must be ${MAINTENANCE_WINDOW_FORMAT}`);
  if (bw && mw) {
    const minBackup = target === "aws" && engine === "redis" ? 60 : target === "aws" ? 30 : 0;
    if (windowMinutes(bw) < minBackup) {
      problems.add("backupWindow", backupWindow, `must be at least ${minBackup} minutes long on ${target} ${engine}`);
    }
    if (target === "aws" && windowMinutes(mw) < 60 && engine === "redis") {
      problems.add("maintenanceWindow", maintenanceWindow, "must be at least 60 minutes long on ElastiCache");
    } else if (target === "aws" && windowMinutes(mw) < 30) {
      problems.add("maintenanceWindow", maintenanceWindow, "must be at least 30 minutes long on RDS");
    }
    if (target === "alicloud" && (bw.start % 60 !== 0 || windowMinutes(bw) !== 60)) {
      problems.add("backupWindow", backupWindow, "must be a one-hour window starting on the hour on alicloud, e.g. 18:00-19:00");
    }
    if (windowsOverlap(backupWindow, maintenanceWindow)) {
      problems.add(
        "backupWindow",
        backupWindow,
        `must not overlap the maintenance window ${maintenanceWindow} (backups during maintenance are skipped or fail)`,
      );
    }
  }

  const extensions = resolveExtensions(args, engine, target, problems);

  // Parameters.
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(args.parameters ?? {})) {
    if (!PARAMETER_KEY.test(key)) {
      problems.add(["parameters", key], value, "parameter names may contain letters, digits, '_', '.' and '-' only");
    } else if (OWNED_PARAMETERS[engine].includes(key)) {
      problems.add(["parameters", key], value, `is managed by the component (TLS, credentials and persistence stay on); remove it`);
    } else if ((typeof value !== "string" && typeof value !== "number") || /[\s"'`$\\]/.test(String(value))) {
      problems.add(["parameters", key], value, "must be a string or number without whitespace, quotes, '$' or '\\'");
    } else {
      parameters[key] = String(value);
    }
  }

  // RDS refuses a preload library it does not ship (the parameter group or the instance start fails).
  if (engine === "postgres" && target === "aws" && parameters.shared_preload_libraries !== undefined) {
    const unknown = parameters.shared_preload_libraries.split(",").map((l) => l.trim()).filter((l) => l !== "" && !RDS_PRELOAD_LIBRARIES.includes(l));
    if (unknown.length > 0) {
      problems.add(
        ["parameters", "shared_preload_libraries"],
        parameters.shared_preload_libraries,
        `names ${unknown.join(", ")}, which RDS for PostgreSQL cannot load; allowed: ${RDS_PRELOAD_LIBRARIES.join(", ")}` +
          (unknown.includes("timescaledb") ? " (for TimescaleDB use alicloud or docker with extensions: [timescaledb])" : ""),
      );
    }
  }
  // The extensions' preload libraries join the given ones (ApsaraDB and Docker load them at start).
  if (extensions.length > 0 && target !== "aws") {
    const given = (parameters.shared_preload_libraries ?? "").split(",").map((l) => l.trim()).filter(Boolean);
    parameters.shared_preload_libraries = [...new Set([...given, ...extensions])].join(",");
  }

  const memoryMiB = managed ? (instanceClass ? INSTANCE_MEMORY_MIB[instanceClass] : undefined) : DOCKER_MEMORY_MB[engine][size];
  const memoryWhere = managed ? `of instance class ${instanceClass}` : `Docker memory limit of size ${size}`;
  for (const [key, message] of parameterProblems(engine, parameters, memoryMiB, memoryWhere)) {
    problems.add(["parameters", key], parameters[key], message);
  }

  const thresholds = resolveThresholds(engine, args.thresholds, problems);

  // Identity of the PostgreSQL database and user.
  const databaseName = args.databaseName ?? DATABASE_DEFAULTS.databaseName;
  const username = args.username ?? DATABASE_DEFAULTS.username;
  if (!IDENTIFIER.test(databaseName)) problems.add("databaseName", databaseName, "must match [a-z][a-z0-9_]{0,30}");
  if (!IDENTIFIER.test(username)) problems.add("username", username, "must match [a-z][a-z0-9_]{0,30}");
  else if (engine === "mongodb" && target === "alicloud" && args.username !== undefined) {
    problems.add("username", username, `cannot be chosen on ApsaraDB for MongoDB (the admin account is always ${ALICLOUD_MONGODB_ADMIN}); remove it`);
  } else if (RESERVED_USERS.includes(username)) {
    problems.add("username", username, `is reserved by the providers (${RESERVED_USERS.join(", ")}); choose another`);
  }

  const logicalDatabases = resolveLogicalDatabases(args, engine, databaseName, username, problems);

  if (args.publishPort !== undefined) {
    if (managed) problems.add("publishPort", args.publishPort, "is only used by the docker target");
    else if (!Number.isInteger(args.publishPort) || args.publishPort < 1 || args.publishPort > 65535) {
      problems.add("publishPort", args.publishPort, "must be a port between 1 and 65535");
    }
  }
  if (args.encryptionKeyId !== undefined && !managed) {
    problems.add("encryptionKeyId", "<key>", "is only used by managed targets; docker volumes are not KMS-encrypted");
  }

  // Redis cluster mode: shards and replicas per shard; ApsaraDB's cluster edition has its own shard classes.
  const redisCluster = resolveRedisCluster(args.cluster, engine, target, environment, instanceClass, args.instanceClass !== undefined, problems);
  if (redisCluster && target === "alicloud" && args.instanceClass === undefined) instanceClass = ALICLOUD_SHARD_CLASSES[size];
  if (redisCluster && args.highAvailability === true && redisCluster.replicasPerShard === 0) {
    problems.add("highAvailability", true, "needs cluster.replicasPerShard of at least 1 in cluster mode (failover promotes a shard's replica)");
  }

  const prod = environment === "prod";
  const image =
    target === "docker"
      ? args.image ??
        (extensions.includes("timescaledb")
          ? `timescale/timescaledb:${TIMESCALEDB_DOCKER.release}-pg${args.version.split(".")[0]}`
          : { postgres: `postgres:${args.version}-alpine`, redis: `redis:${args.version}-alpine`, mongodb: `mongo:${args.version}` }[engine])
      : undefined;
  return {
    engine,
    target,
    version: args.version,
    size,
    instanceClass,
    storageGb,
    highAvailability: redisCluster ? redisCluster.replicasPerShard > 0 : highAvailability === true,
    members,
    ...(redisCluster ? { redisCluster } : {}),
    readReplicas: engine === "postgres" && isNonNegativeInt(readReplicas) ? readReplicas : 0,
    placement: args.placement,
    encryptionKeyId: args.encryptionKeyId,
    backupRetentionDays: managed ? backupRetentionDays : 0,
    pointInTimeRecovery,
    backupWindow,
    maintenanceWindow,
    parameters,
    thresholds,
    deletionProtection: args.deletionProtection ?? prod,
    protect: args.protect ?? prod,
    enhancedMonitoring,
    databaseName,
    extensions,
    username: engine === "mongodb" && target === "alicloud" ? ALICLOUD_MONGODB_ADMIN : username,
    logicalDatabases,
    port: DEFAULT_PORTS[engine],
    publishPort: args.publishPort,
    image,
    exporter: args.exporter ?? true,
    transforms: args.transforms ?? {},
  };
}

/** Extensions: PostgreSQL only, known names, loadable on the target (TimescaleDB: its Docker image's majors). */
function resolveExtensions(args: MonitoredDatabaseArgs, engine: Engine, target: DatabaseTarget, problems: Problems): PostgresExtension[] {
  const entries = args.extensions ?? [];
  if (!Array.isArray(entries)) {
    problems.add("extensions", entries, `must be a list of extension names (${POSTGRES_EXTENSIONS.join(", ")})`);
    return [];
  }
  if (entries.length > 0 && engine !== "postgres") {
    problems.add("extensions", entries, `are PostgreSQL extensions; ${engine} has none`);
    return [];
  }
  const out: PostgresExtension[] = [];
  entries.forEach((name, i) => {
    if (!POSTGRES_EXTENSIONS.includes(name as PostgresExtension)) {
      problems.add(["extensions", i], name, `must be one of ${POSTGRES_EXTENSIONS.join(", ")}`);
      return;
    }
    const extension = name as PostgresExtension;
    const unsupported = EXTENSION_SUPPORT[extension][target];
    if (unsupported) {
      problems.add(["extensions", i], name, unsupported);
      return;
    }
    const major = Number(String(args.version).split(".")[0]);
    if (extension === "timescaledb" && target === "docker" && args.image === undefined && !TIMESCALEDB_DOCKER.majors.includes(major)) {
      problems.add("version", args.version, `must be a PostgreSQL major ${TIMESCALEDB_DOCKER.majors.join(", ")} with timescaledb ${TIMESCALEDB_DOCKER.release} on docker`);
    }
    if (!out.includes(extension)) out.push(extension);
  });
  return out;
}

/** Logical databases: PostgreSQL only, unique database and role names, none clashing with the admin's. */
function resolveLogicalDatabases(
  args: MonitoredDatabaseArgs,
  engine: Engine,
  databaseName: string,
  username: string,
  problems: Problems,
): Array<{ name: string; user: string }> {
  const entries = args.logicalDatabases ?? [];
  if (!Array.isArray(entries)) {
    problems.add("logicalDatabases", entries, "must be a list of { name, user? }");
    return [];
  }
  if (entries.length > 0 && engine !== "postgres") {
    problems.add("logicalDatabases", entries.length, `is only available for postgres (${engine} has no separate databases with their own users)`);
    return [];
  }
  if (entries.length > MAX_LOGICAL_DATABASES) {
    problems.add("logicalDatabases", entries.length, `must list at most ${MAX_LOGICAL_DATABASES} databases per instance; split them over several instances`);
  }
  const databases = new Map<string, number>([[databaseName, -1]]);
  const users = new Map<string, number>([[username, -1]]);
  const out: Array<{ name: string; user: string }> = [];
  entries.forEach((entry, i) => {
    const name = entry?.name;
    const user = entry?.user ?? name;
    let ok = true;
    if (typeof name !== "string" || !IDENTIFIER.test(name)) {
      problems.add(["logicalDatabases", i, "name"], name, "must match [a-z][a-z0-9_]{0,30}");
      ok = false;
    } else if (RESERVED_DATABASES.includes(name)) {
      problems.add(["logicalDatabases", i, "name"], name, `is reserved (${RESERVED_DATABASES.join(", ")})`);
      ok = false;
    } else if (databases.has(name)) {
      const first = databases.get(name)!;
      problems.add(["logicalDatabases", i, "name"], name, first < 0 ? "is the instance's main database (databaseName); choose another" : `duplicates logicalDatabases[${first}].name`);
      ok = false;
    }
    if (typeof user !== "string" || !IDENTIFIER.test(user)) {
      problems.add(["logicalDatabases", i, "user"], user, "must match [a-z][a-z0-9_]{0,30}");
      ok = false;
    } else if (RESERVED_USERS.includes(user)) {
      problems.add(["logicalDatabases", i, "user"], user, `is reserved by the providers (${RESERVED_USERS.join(", ")}); choose another`);
      ok = false;
    } else if (users.has(user)) {
      const first = users.get(user)!;
      problems.add(["logicalDatabases", i, "user"], user, first < 0 ? "is the instance's admin user (username); each database needs its own role" : `is already the owner of logicalDatabases[${first}]; each database needs its own role`);
      ok = false;
    }
    if (typeof name === "string") databases.set(name, databases.get(name) ?? i);
    if (typeof user === "string") users.set(user, users.get(user) ?? i);
    if (ok) out.push({ name, user });
  });
  return out;
}

function literalStrings(values: ReadonlyArray<unknown> | undefined): string[] {
  return (values ?? []).filter((v): v is string => typeof v === "string");
}

/** Checks that the platform can host the data store: placement for managed targets, networks for Docker. */
function checkPlatformFit(db: ResolvedDatabase, ctx: PlatformContext, problems: Problems): void {
  if (db.target === "docker") {
    if (ctx.target !== "docker") {
      problems.add("target", "docker", `a docker database needs the docker platform target (platform target is ${ctx.target}); use aws or alicloud`);
    } else if (!ctx.dockerNetworks) {
      problems.add("target", "docker", "needs the platform's Docker networks (PlatformContext.dockerNetworks)");
    }
    return;
  }
  if (ctx.cloud !== db.target) {
    problems.add("target", db.target, `must match the platform cloud (${ctx.cloud})`);
  }
  const p = db.placement;
  if (!p) {
    problems.add("placement", undefined, `is required for managed ${db.target} databases (vpcId, subnetIds, allowed sources from the network)`);
    return;
  }
  const cidrs = literalStrings(p.allowedCidrBlocks);
  const open = cidrs.find((c) => c === "0.0.0.0/0" || c === "::/0");
  if (open) problems.add(["placement", "allowedCidrBlocks"], open, "must not allow the whole internet; use the VPC CIDR");
  if (db.target === "aws") {
    if (p.subnetIds.length < 2) problems.add(["placement", "subnetIds"], p.subnetIds.length, "needs at least 2 private subnets in different zones (RDS/ElastiCache subnet groups)");
    if (p.allowedSecurityGroupIds.length < 1) problems.add(["placement", "allowedSecurityGroupIds"], 0, "needs at least one security group of the application tier");
  } else {
    if (p.subnetIds.length < 1) problems.add(["placement", "subnetIds"], 0, "needs at least one VSwitch");
    if (p.allowedCidrBlocks.length < 1) problems.add(["placement", "allowedCidrBlocks"], 0, "needs the VPC CIDR for the whitelist");
    const zones = p.zoneIds?.length ?? 0;
    if (zones < 1) problems.add(["placement", "zoneIds"], zones, "needs the zone of each VSwitch on alicloud");
    if (db.highAvailability && (zones < 2 || p.subnetIds.length < 2)) {
      problems.add(["placement", "zoneIds"], zones, "high availability on alicloud needs two VSwitches in two zones");
    }
  }
}

/**
 * Validates MonitoredDatabase args against the platform, synchronously and before anything is
 * registered. Throws one ValidationError naming every bad key, its value and what is allowed.
 */
export function validateMonitoredDatabaseArgs(name: string, args: MonitoredDatabaseArgs, ctx: PlatformContext): ResolvedDatabase {
  const problems = new Problems(`MonitoredDatabase "${name}" args`);
  if (!/^[a-z][a-z0-9-]{0,23}$/.test(name)) {
    problems.add("name", name, "must be 1-24 lowercase letters, digits or '-', starting with a letter (it prefixes physical names)");
  }
  const db = resolveDatabaseSettings(args, ctx.environment, problems);
  if (db) checkPlatformFit(db, ctx, problems);
  problems.throwIfAny();
  return db!;
}
