import { cronMaxPeriodMinutes, cronMinPeriodMinutes, cronProblem, parseCron } from "../lib/cron";
import { LIMITS } from "../lib/limits";
import { boundedId, k8sName } from "../lib/naming";
import type { PlatformContext } from "../lib/platform";
import { cpuMillis, cpuQuantity, imagePinProblem, memoryBytes, memoryQuantity, Problems } from "../lib/validation";
import type { BackupJobArgs } from "./args";
import { achievableRpo, ALICLOUD_REGION, awsBackupScheduleProblem, backupVaultArnRegion, CROSS_REGION_RETENTION } from "./native";

export const DEFAULT_IMAGES = {
  postgres: "postgres:16.6-bookworm",
  redis: "redis:7.4.1-bookworm",
  // mongodump, mongorestore and mongosh (drops the verify scratch database), bash and coreutils; runs as uid 999.
  mongodb: "mongo:7.0.14",
  awsCli: "amazon/aws-cli:2.22.35",
  // Python 3 standard library only: signs the ApsaraDB for Redis OpenAPI calls of a native-snapshot backup set.
  python: "python:3.13.1-slim-bookworm",
} as const;

/** ElastiCache takes at most this many manual snapshots per node in any 24 hours (its backup constraints). */
export const ELASTICACHE_MANUAL_SNAPSHOTS_PER_DAY = 20;
/** The most frequent regular cron schedule within that limit: every 2 hours (12 a day). */
export const ELASTICACHE_SNAPSHOT_SCHEDULE = "0 */2 * * *";
/** `<set>-YYYYMMDD-HHMMSS` must fit ElastiCache's 40 characters: the set name gets 24. */
const ELASTICACHE_SET_NAME_MAX = 24;
const ELASTICACHE_SET_NAME = new RegExp(`^(?=.{1,${ELASTICACHE_SET_NAME_MAX}}$)[a-z](?:-?[a-z0-9])*$`);

/**
 * Most runs of a schedule in any 24 hours: every (hour, minute) pair it fires at, once a day. A day restriction only
 * removes runs, and two days' runs at the same (hour, minute) are 24 h apart, so no 24-hour window holds more.
 */
export function snapshotsPerDay(expression: string): number {
  const s = parseCron(expression);
  return s.minutes.length * s.hours.length;
}

/** A logical dump or snapshot restore needs at least this long; anything faster needs a hot standby. */
export const MIN_RESTORE_MINUTES = 30;
/** Dumping more often than this is a replication job, not a backup. */
export const MIN_PERIOD_MINUTES = 5;
/** CronJob names are limited to 52 characters (the controller appends an 11-character suffix). */
const CRONJOB_NAME_MAX = 52;

/**
 * How a backup set takes its backups. `dump`: a logical dump (pg_dump, redis-cli --rdb, mongodump) uploaded to a
 * bucket or volume. `snapshot`: a managed Redis (ElastiCache, ApsaraDB for Redis) refuses `SYNC`, so the job asks the
 * cloud's API for an on-demand native snapshot and restore-tests it there (scripts/redis-snapshot-*.{sh,py}).
 */
export type BackupMethod = "dump" | "snapshot";

/** Everything the builders need, derived once from validated args. */
export interface ResolvedBackup {
  name: string;
  engine: "postgres" | "redis" | "mongodb";
  method: BackupMethod;
  /** `snapshot`: the cloud whose API takes the snapshots, its shard count and the restore test's scratch group id (AWS). */
  snapshot?: { cloud: "aws" | "alicloud"; shards: number; scratchGroupId: string; regionId?: string };
  /** Redis cluster mode: the dump reads every shard through the configuration endpoint (backup.sh REDIS_CLUSTER=1). */
  redisCluster: boolean;
  schedule: string;
  timeZone: string;
  minPeriodMinutes: number;
  maxPeriodMinutes: number;
  retentionDays: number;
  retentionCount: number;
  activeDeadlineSeconds: number;
  startingDeadlineSeconds: number;
  backoffLimit: number;
  verify: { enabled: boolean; schedule: string; maxPeriodMinutes: number; query?: string; activeDeadlineSeconds: number };
  /** `lifecycleRule`: add an expiry rule to a named S3 bucket. */
  destination: { type: "s3" | "oss" | "local"; createBucket: boolean; lifecycleRule: boolean; prefix: string; endpointUrl?: string; region?: string };
  /**
   * Lifetime of the short-lived bucket credentials a job gets (RRSA session): the longest job deadline, within the
   * 1-12 h a RAM role allows, so a slow upload or restore never outlives its credentials.
   */
  credentialSessionSeconds: number;
  achievableRpoMinutes: number;
  images: { client: string; awsCli: string; python: string };
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  /** Dump scratch space (emptyDir sizeLimit, ephemeral-storage request) and the containers' ephemeral-storage limit. */
  stagingSize: string;
  ephemeralStorageLimit: string;
  protect: boolean;
  nativePlan: boolean;
  /** Alibaba Cloud ApsaraDB RDS: region the instance's backups are copied to. */
  copyToRegion?: string;
  /** Kubernetes object names (stable: alerts select on them). */
  names: { backupCronJob: string; verifyCronJob: string; serviceAccount: string; configMap: string; secret: string };
}

/** Dump scratch space when nothing says how big the database is. */
export const DEFAULT_STAGING_SIZE = "10Gi";
const DEFAULT_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } };

/**
 * Validates BackupJob args synchronously and resolves defaults. Throws one ValidationError naming every bad
 * key path, the bad value and what is allowed. Registers nothing.
 */
export function validateBackupJobArgs(
  name: string,
  args: BackupJobArgs,
  ctx: PlatformContext,
  source = `BackupJob "${name}" args`,
  prefix = "",
): ResolvedBackup {
  const p = new Problems(source, prefix);
  const engine = args.connection?.engine;

  const baseName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) ? name : undefined;
  if (!baseName) p.add("name", name, "must be a DNS label (lowercase letters, digits, '-')");
  else if (ctx.target === "kubernetes" && `${name}-verify`.length > CRONJOB_NAME_MAX) {
    p.add("name", name, `must be at most ${CRONJOB_NAME_MAX - 7} characters (CronJob names are limited to ${CRONJOB_NAME_MAX})`);
  }

  // --- schedules ------------------------------------------------------------------------------------------
  const scheduleProblem = cronProblem(args.schedule);
  if (scheduleProblem) p.add("schedule", args.schedule, `must be a 5-field cron expression: ${scheduleProblem}`);
  const minPeriod = scheduleProblem ? 1440 : cronMinPeriodMinutes(args.schedule);
  const maxPeriod = scheduleProblem ? 1440 : cronMaxPeriodMinutes(args.schedule);
  if (!scheduleProblem && minPeriod < MIN_PERIOD_MINUTES) {
    p.add("schedule", args.schedule, `must leave at least ${MIN_PERIOD_MINUTES} minutes between runs (runs every ${minPeriod} min)`);
  }
  const periodSeconds = minPeriod * 60;
  const activeDeadlineSeconds = args.activeDeadlineSeconds ?? Math.min(Math.floor(periodSeconds / 2), 4 * 3600);
  if (!Number.isInteger(activeDeadlineSeconds) || activeDeadlineSeconds < 60) {
    p.add("activeDeadlineSeconds", args.activeDeadlineSeconds, "must be an integer of at least 60 seconds");
  } else if (!scheduleProblem && activeDeadlineSeconds >= periodSeconds) {
    p.add("schedule", args.schedule,
      `runs every ${minPeriod} min, more often than the job deadline of ${activeDeadlineSeconds}s allows; lengthen the period or shorten activeDeadlineSeconds`);
  }
  const startingDeadlineSeconds = args.startingDeadlineSeconds ?? Math.min(900, Math.floor(periodSeconds / 4));
  if (!Number.isInteger(startingDeadlineSeconds) || startingDeadlineSeconds < 10 || startingDeadlineSeconds >= periodSeconds) {
    p.add("startingDeadlineSeconds", startingDeadlineSeconds, `must be an integer from 10 to below the period (${periodSeconds}s)`);
  }
  const backoffLimit = args.backoffLimit ?? 1;
  if (!Number.isInteger(backoffLimit) || backoffLimit < 0 || backoffLimit > 3) {
    p.add("backoffLimit", backoffLimit, "must be an integer from 0 to 3 (a backup that keeps failing needs a human)");
  }
  const timeZone = args.timeZone ?? "Etc/UTC";
  if (!isTimeZone(timeZone)) p.add("timeZone", timeZone, "must be an IANA time zone like Etc/UTC or Asia/Shanghai");

  // --- retention ------------------------------------------------------------------------------------------
  if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1 || args.retentionDays > LIMITS.retentionDays) {
    p.add("retentionDays", args.retentionDays, `must be a whole number of days from 1 to ${LIMITS.retentionDays}`);
  }
  const retentionCount = args.retentionCount ?? Math.max(1, Math.floor((Math.max(args.retentionDays, 1) * 1440) / minPeriod));
  if (!Number.isInteger(retentionCount) || retentionCount < 1) {
    p.add("retentionCount", args.retentionCount, "must be a positive integer");
  }

  // --- verification ---------------------------------------------------------------------------------------
  const verifyEnabled = args.verify?.enabled ?? true;
  const verifySchedule = args.verify?.schedule;
  const verifyProblem = verifyEnabled ? cronProblem(verifySchedule) : undefined;
  if (verifyProblem) p.add(["verify", "schedule"], verifySchedule, `must be a 5-field cron expression: ${verifyProblem}`);
  if (!verifyEnabled && ctx.environment === "prod") {
    p.add(["verify", "enabled"], false, "must stay on in prod: a backup that was never restored is a hope, not a backup");
  }
  const verifyMax = verifyEnabled && !verifyProblem ? cronMaxPeriodMinutes(verifySchedule) : 0;
  const verifyMin = verifyEnabled && !verifyProblem ? cronMinPeriodMinutes(verifySchedule) : 0;
  if (args.verify?.query !== undefined && (typeof args.verify.query !== "string" || args.verify.query.trim() === "")) {
    p.add(["verify", "query"], args.verify.query, "must be a non-empty SQL query");
  }
  if (args.verify?.query !== undefined && engine !== "postgres") {
    p.add(
      ["verify", "query"],
      args.verify.query,
      engine === "redis"
        ? "applies to PostgreSQL only (Redis snapshots are checked by their RDB header)"
        : "applies to PostgreSQL only (a MongoDB restore test needs at least one restored document and no failures)",
    );
  }

  // --- recovery objectives --------------------------------------------------------------------------------
  const rpo = achievableRpo(maxPeriod, args.nativeBackup);
  const onElasticache = engine === "redis" && ctx.target === "kubernetes" && args.nativeBackup?.redisSnapshot?.cloud === "aws";
  if (!Number.isFinite(args.rpoMinutes) || args.rpoMinutes <= 0 || args.rpoMinutes > LIMITS.objectiveMinutes) {
    p.add("rpoMinutes", args.rpoMinutes, `must be a positive number of minutes, at most ${LIMITS.objectiveMinutes} (7 days)`);
  } else if (!scheduleProblem && rpo.minutes > args.rpoMinutes) {
    const fix = ctx.target === "docker"
      ? `set schedule to dump at least every ${args.rpoMinutes} min (e.g. "${hourlyOrFaster(args.rpoMinutes)}") or raise rpoMinutes to ${rpo.minutes}; the Docker target has no point-in-time recovery`
      : onElasticache
        ? `ElastiCache takes at most ${ELASTICACHE_MANUAL_SNAPSHOTS_PER_DAY} manual snapshots per node a day and has no log backups, so "${ELASTICACHE_SNAPSHOT_SCHEDULE}" (120 min) is the best regular schedule; raise rpoMinutes (its replicas already cover a node or zone loss)`
        : "dump more often or enable point-in-time recovery";
    p.add("rpoMinutes", args.rpoMinutes, `cannot be met: the best recovery point is ${rpo.minutes} min old (${rpo.explanation}); ${fix}`);
  }
  if (!Number.isFinite(args.rtoMinutes) || args.rtoMinutes <= 0 || args.rtoMinutes > LIMITS.objectiveMinutes) {
    p.add("rtoMinutes", args.rtoMinutes, `must be a positive number of minutes, at most ${LIMITS.objectiveMinutes} (7 days)`);
  } else if (args.rtoMinutes < MIN_RESTORE_MINUTES) {
    p.add("rtoMinutes", args.rtoMinutes, `cannot be met by restoring a dump or snapshot (allow at least ${MIN_RESTORE_MINUTES} min, or run a hot standby)`);
  } else if (!verifyEnabled) {
    p.add("rtoMinutes", args.rtoMinutes, "cannot be claimed without restore verification (verify.enabled is false): nothing proves a restore fits");
  } else if (!verifyProblem && args.rtoMinutes * 60 >= verifyMin * 60) {
    p.add("rtoMinutes", args.rtoMinutes, `must be shorter than the restore-test period (${verifyMin} min): the restore test is given the RTO as its deadline`);
  }

  // --- method ---------------------------------------------------------------------------------------------
  const snapshotSource = engine === "redis" && ctx.target === "kubernetes" ? args.nativeBackup?.redisSnapshot : undefined;
  const method: BackupMethod = snapshotSource ? "snapshot" : "dump";
  const managedRedis = engine === "redis" && (args.nativeBackup?.target === "aws" || args.nativeBackup?.target === "alicloud");
  if (managedRedis && !snapshotSource) {
    p.add(
      ["nativeBackup", "redisSnapshot"],
      undefined,
      `is required for a managed Redis (${args.nativeBackup!.target === "aws" ? "ElastiCache" : "ApsaraDB for Redis"}): it refuses SYNC, so redis-cli --rdb cannot dump it; ` +
        "pass MonitoredDatabase.nativeBackup, which carries it, and the job takes native snapshots instead",
    );
  }
  if (snapshotSource && snapshotSource.cloud !== args.nativeBackup?.target) {
    p.add(["nativeBackup", "redisSnapshot", "cloud"], snapshotSource.cloud, `must match nativeBackup.target (${args.nativeBackup?.target})`);
  }
  if (snapshotSource && (!Number.isInteger(snapshotSource.shards) || snapshotSource.shards < 1)) {
    p.add(["nativeBackup", "redisSnapshot", "shards"], snapshotSource.shards, "must be a positive integer");
  }
  if (snapshotSource?.cloud === "aws") {
    // Snapshot names are `<set>-YYYYMMDD-HHMMSS`, and ElastiCache names take 1-40 letters, digits and single hyphens.
    if (baseName && !ELASTICACHE_SET_NAME.test(name)) {
      p.add("name", name, `must start with a letter, hold no "--" and be at most ${ELASTICACHE_SET_NAME_MAX} characters: ElastiCache snapshot names are "<name>-YYYYMMDD-HHMMSS", at most 40 characters`);
    }
    const perDay = scheduleProblem ? 0 : snapshotsPerDay(args.schedule);
    if (perDay > ELASTICACHE_MANUAL_SNAPSHOTS_PER_DAY) {
      p.add("schedule", args.schedule,
        `takes ${perDay} snapshots a day; ElastiCache allows at most ${ELASTICACHE_MANUAL_SNAPSHOTS_PER_DAY} manual snapshots per node in any 24 hours (e.g. "${ELASTICACHE_SNAPSHOT_SCHEDULE}", every 2 h)`);
    }
  }
  if (snapshotSource?.cloud === "alicloud" && (snapshotSource.regionId === undefined || !ALICLOUD_REGION.test(snapshotSource.regionId))) {
    p.add(["nativeBackup", "redisSnapshot", "regionId"], snapshotSource.regionId, "must be the instance's Alibaba Cloud region id like cn-hangzhou (the OpenAPI and STS endpoints are regional)");
  }

  // --- destination ----------------------------------------------------------------------------------------
  const dest = args.destination;
  const destType = dest?.type;
  if (!["s3", "oss", "local"].includes(destType)) p.add(["destination", "type"], destType, "must be s3, oss or local");
  const createBucket = method === "dump" && destType !== "local" && dest?.bucket === undefined;
  if (snapshotSource) {
    const service = snapshotSource.cloud === "aws" ? "ElastiCache" : "ApsaraDB for Redis";
    const why = `does not apply to a managed Redis: its backups are native ${service} snapshots, kept by ${service} for retentionDays, not files in a bucket`;
    for (const key of ["bucket", "prefix", "endpointUrl", "region", "lifecycleRule", "credentials"] as const) {
      if (dest?.[key] !== undefined) p.add(["destination", key], dest[key], why);
    }
    if (args.stagingSize !== undefined && snapshotSource.cloud === "aws") p.add("stagingSize", args.stagingSize, `${why} (the restore test runs in ${service} too)`);
    const cloud = snapshotSource.cloud;
    if (!args.identity) p.add("identity", undefined, `is required for native ${service} snapshots on Kubernetes (workload identity calls the ${cloud === "aws" ? "ElastiCache" : "R-kvstore"} API)`);
    else if (args.identity.cloud !== cloud) p.add(["identity", "cloud"], args.identity.cloud, `must be ${cloud} for ${service} snapshots`);
  } else if (ctx.target === "kubernetes") {
    if (destType === "local") {
      p.add(["destination", "type"], destType, "local is for the Docker target only; on Kubernetes use s3 (AWS) or oss (Alibaba Cloud)");
    }
    if (destType === "s3" || destType === "oss") {
      const cloud = destType === "s3" ? "aws" : "alicloud";
      if (!args.identity) p.add("identity", undefined, `is required for ${destType} on Kubernetes (workload identity instead of static keys)`);
      else if (args.identity.cloud !== cloud) p.add(["identity", "cloud"], args.identity.cloud, `must be ${cloud} for a ${destType} destination`);
      if (createBucket && ctx.cloud !== cloud) {
        p.add(["destination", "bucket"], undefined, `must name an existing bucket: the component creates ${destType} buckets only on cloud ${cloud} (cloud is ${ctx.cloud})`);
      }
    }
    if (dest?.credentials) {
      p.add(["destination", "credentials"], dest.credentials, "are for the Docker target only; on Kubernetes the job gets short-lived credentials from workload identity (IRSA / RRSA): remove them");
    }
  } else {
    if (!ctx.dockerNetworks) p.add("platform.dockerNetworks", undefined, "must be set on the Docker target (the job joins the backend network)");
    if (destType === "s3" || destType === "oss") {
      if (!dest.endpointUrl) p.add(["destination", "endpointUrl"], undefined, `is required for ${destType} on Docker (an S3-compatible server such as MinIO)`);
      if (dest.bucket === undefined) p.add(["destination", "bucket"], undefined, `must name an existing bucket for ${destType} on Docker`);
      if (!args.images?.client) p.add(["images", "client"], undefined, `must name an image with both the database client and the aws cli for ${destType} on Docker`);
      if (!dest.credentials) {
        p.add(["destination", "credentials"], undefined, `are required for ${destType} on Docker (there is no workload identity): name the secret config keys holding the access key id and secret`);
      }
    }
  }
  if (method === "dump" && destType === "oss" && !dest.endpointUrl) {
    p.add(["destination", "endpointUrl"], undefined, "is required for oss (its S3-compatible endpoint, e.g. https://s3.oss-cn-hangzhou-internal.aliyuncs.com)");
  }
  const region = destType === "oss" ? dest.region ?? ossRegionOf(dest.endpointUrl) : undefined;
  if (dest?.region !== undefined && (destType !== "oss" || !/^[a-z]{2,}(-[a-z0-9]+)+$/.test(dest.region))) {
    p.add(["destination", "region"], dest.region, destType === "oss" ? "must be an Alibaba Cloud region id like cn-hangzhou" : "applies to oss destinations only");
  }
  if (dest?.endpointUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(dest.endpointUrl)) {
    p.add(["destination", "endpointUrl"], dest.endpointUrl, "must be an http(s) URL");
  }
  if (dest?.endpointUrl?.startsWith("http://") && ctx.environment !== "dev") {
    p.add(["destination", "endpointUrl"], dest.endpointUrl, "must use https outside dev (encryption in transit)");
  }
  // A named bucket is not ours: its retention must be enforced by a rule we add, or explicitly left to its owner.
  const namedBucket = (destType === "s3" || destType === "oss") && dest?.bucket !== undefined;
  const lifecycleRule = namedBucket && dest.lifecycleRule === true;
  if (method === "dump" && namedBucket && dest.lifecycleRule === undefined) {
    p.add(
      ["destination", "lifecycleRule"],
      undefined,
      `must be set with a named bucket: retentionDays (${args.retentionDays}) is otherwise not enforced. true adds a lifecycle rule for the backup prefix ` +
        "(s3 on AWS; it replaces the bucket's existing lifecycle configuration), false leaves expiry to the bucket's owner",
    );
  }
  if (lifecycleRule && (destType !== "s3" || ctx.target !== "kubernetes" || ctx.cloud !== "aws")) {
    p.add(
      ["destination", "lifecycleRule"],
      true,
      "can add a rule only to an s3 bucket on cloud aws (OSS lifecycle rules belong to the bucket resource, and a local S3 server has no provider); set false and configure expiry on the bucket",
    );
  }
  if (!namedBucket && dest?.lifecycleRule !== undefined) {
    p.add(["destination", "lifecycleRule"], dest.lifecycleRule, "only applies to a named bucket (a created bucket always expires backups after retentionDays; local volumes are pruned)");
  }
  const prefixValue = dest?.prefix ?? "backups";
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]*[A-Za-z0-9]$|^[A-Za-z0-9]$/.test(prefixValue) || prefixValue.includes("//")) {
    p.add(["destination", "prefix"], prefixValue, "must be a key prefix of letters, digits, '.', '_', '-', '/' without leading or trailing '/'");
  }

  // --- images and resources -------------------------------------------------------------------------------
  const client = args.images?.client ?? (engine === "redis" ? DEFAULT_IMAGES.redis : engine === "mongodb" ? DEFAULT_IMAGES.mongodb : DEFAULT_IMAGES.postgres);
  const awsCli = args.images?.awsCli ?? DEFAULT_IMAGES.awsCli;
  const python = args.images?.python ?? DEFAULT_IMAGES.python;
  for (const [key, image] of [["client", client], ["awsCli", awsCli], ["python", python]] as const) {
    const problem = imagePinProblem(image);
    if (problem) p.add(["images", key], image, problem);
  }
  const resources = args.resources ?? DEFAULT_RESOURCES;
  for (const kind of ["requests", "limits"] as const) {
    if (!cpuQuantity.safeParse(resources[kind]?.cpu).success) p.add(["resources", kind, "cpu"], resources[kind]?.cpu, "must be a CPU quantity like 250m");
    if (!memoryQuantity.safeParse(resources[kind]?.memory).success) p.add(["resources", kind, "memory"], resources[kind]?.memory, "must be a memory quantity like 256Mi");
  }
  if (p.empty && (cpuMillis(resources.requests.cpu) > cpuMillis(resources.limits.cpu) || memoryBytes(resources.requests.memory) > memoryBytes(resources.limits.memory))) {
    p.add("resources", resources, "requests must not exceed limits");
  }
  const stagingSize = args.stagingSize ?? DEFAULT_STAGING_SIZE;
  if (!memoryQuantity.safeParse(stagingSize).success || memoryBytes(stagingSize) < 2 ** 20 || memoryBytes(stagingSize) > 2 ** 40) {
    p.add("stagingSize", args.stagingSize, "must be a storage quantity like 20Gi, from 1Mi to 1Ti");
  }
  if (!["postgres", "redis", "mongodb"].includes(engine)) p.add(["connection", "engine"], engine, "must be postgres, redis or mongodb");
  if (args.connection?.cluster === true && engine !== "redis") {
    p.add(["connection", "cluster"], true, `is Redis cluster mode; a ${engine} connection cannot be one`);
  }
  if (engine === "mongodb" && args.connection?.url === undefined && args.connection?.secretRef === undefined) {
    p.add(["connection", "url"], undefined, "is needed for mongodb (mongodump connects with the connection string)");
  }
  if (args.nativeBackup && args.nativeBackup.engine !== engine) {
    p.add(["nativeBackup", "engine"], args.nativeBackup.engine, `must match the connection engine (${engine})`);
  }

  const isProd = ctx.environment === "prod";
  const hasAwsResource = args.nativeBackup?.target === "aws" && args.nativeBackup.resourceId !== undefined;
  const nativePlan = args.nativePlan?.enabled ?? (isProd && ctx.cloud === "aws" && hasAwsResource && engine === "postgres");
  if (nativePlan && !hasAwsResource) {
    p.add(["nativePlan", "enabled"], true, "needs nativeBackup with target aws and a resourceId (the ARN the plan selects)");
  }
  // Cross-region copies: AWS Backup copy action (needs the plan) or ApsaraDB RDS cross-region backup.
  const copy = args.nativePlan;
  if ((copy?.copyToVaultArn !== undefined || copy?.copyRegionProvider !== undefined) && !nativePlan) {
    p.add(["nativePlan", "copyToVaultArn"], copy?.copyToVaultArn, "needs the AWS Backup plan (nativePlan.enabled; on by default in prod on AWS for RDS PostgreSQL): the copy is an action of its rule");
  }
  if (typeof copy?.copyToVaultArn === "string" && backupVaultArnRegion(copy.copyToVaultArn) === undefined) {
    p.add(["nativePlan", "copyToVaultArn"], copy.copyToVaultArn, "must be an AWS Backup vault ARN like arn:aws:backup:eu-west-1:123456789012:backup-vault:dr");
  }
  const copyToRegion = copy?.copyToRegion;
  if (copyToRegion !== undefined) {
    const rds = args.nativeBackup?.target === "alicloud" && args.nativeBackup.engine === "postgres" && args.nativeBackup.resourceId !== undefined;
    if (!rds) {
      p.add(["nativePlan", "copyToRegion"], copyToRegion,
        "is ApsaraDB RDS cross-region backup: needs nativeBackup with target alicloud, engine postgres and a resourceId (the RDS instance id); on AWS use copyToVaultArn");
    } else if (typeof copyToRegion !== "string" || !ALICLOUD_REGION.test(copyToRegion)) {
      p.add(["nativePlan", "copyToRegion"], copyToRegion, "must be an Alibaba Cloud region id like cn-shanghai");
    }
    if (Number.isInteger(args.retentionDays) && args.retentionDays > CROSS_REGION_RETENTION.max) {
      p.add("retentionDays", args.retentionDays, `must be at most ${CROSS_REGION_RETENTION.max} with a cross-region backup (ApsaraDB RDS keeps cross-region copies ${CROSS_REGION_RETENTION.min} to ${CROSS_REGION_RETENTION.max} days)`);
    }
  }
  if (nativePlan && !scheduleProblem) {
    const problem = awsBackupScheduleProblem(args.schedule, minPeriod);
    if (problem) p.add("schedule", args.schedule, `cannot drive the AWS Backup plan: ${problem}`);
  }

  p.throwIfAny();

  return {
    name,
    // Checked above: any other engine was reported and thrown.
    engine: engine as ResolvedBackup["engine"],
    method,
    ...(snapshotSource
      ? {
          snapshot: {
            cloud: snapshotSource.cloud,
            shards: snapshotSource.shards,
            scratchGroupId: scratchGroupId(name),
            ...(snapshotSource.cloud === "alicloud" ? { regionId: snapshotSource.regionId } : {}),
          },
        }
      : {}),
    redisCluster: engine === "redis" && args.connection.cluster === true,
    schedule: args.schedule,
    timeZone,
    minPeriodMinutes: minPeriod,
    maxPeriodMinutes: maxPeriod,
    retentionDays: args.retentionDays,
    retentionCount,
    activeDeadlineSeconds,
    startingDeadlineSeconds,
    backoffLimit,
    verify: {
      enabled: verifyEnabled,
      schedule: verifySchedule,
      maxPeriodMinutes: verifyMax,
      query: args.verify?.query,
      activeDeadlineSeconds: args.rtoMinutes * 60,
    },
    destination: { type: destType, createBucket, lifecycleRule, prefix: prefixValue, endpointUrl: dest.endpointUrl, region },
    credentialSessionSeconds: Math.min(MAX_SESSION_SECONDS, Math.max(MIN_SESSION_SECONDS, activeDeadlineSeconds, verifyEnabled ? args.rtoMinutes * 60 : 0)),
    achievableRpoMinutes: rpo.minutes,
    images: { client, awsCli, python },
    resources,
    stagingSize,
    ephemeralStorageLimit: p.empty ? `${Math.ceil(memoryBytes(stagingSize) / 2 ** 20) + 1024}Mi` : stagingSize,
    protect: args.protect ?? isProd,
    nativePlan,
    ...(copyToRegion !== undefined ? { copyToRegion } : {}),
    names: {
      backupCronJob: k8sName(name, "backup"),
      verifyCronJob: k8sName(name, "verify"),
      serviceAccount: k8sName(name, "backup"),
      configMap: k8sName(name, "backup-script"),
      secret: k8sName(name, "backup-credentials"),
    },
  };
}

/**
 * The restore test's scratch ElastiCache replication group: ids are at most 40 characters, start with a letter and
 * hold no double hyphen. Stable per backup set, so a run killed mid-test finds and deletes its leftover.
 */
export function scratchGroupId(name: string): string {
  return boundedId(["rt", name], 40).replace(/-{2,}/g, "-");
}

/** RAM roles allow sessions of 1 to 12 hours (MaxSessionDuration 3600-43200). */
const MIN_SESSION_SECONDS = 3600;
const MAX_SESSION_SECONDS = 43200;

/** `cn-hangzhou` from `https://s3.oss-cn-hangzhou-internal.aliyuncs.com` or `https://oss-cn-hangzhou.aliyuncs.com`. */
export function ossRegionOf(endpointUrl: string | undefined): string | undefined {
  const host = endpointUrl?.replace(/^https?:\/\//, "").split(/[/:]/)[0] ?? "";
  return /^(?:s3\.)?oss-([a-z]{2,}(?:-[a-z0-9]+)+?)(?:-internal)?\.aliyuncs\.com$/.exec(host)?.[1];
}

/** A cron expression that dumps at least every `minutes` minutes, for error messages. */
function hourlyOrFaster(minutes: number): string {
  if (minutes >= 60) return "0 * * * *";
  const step = Math.max(MIN_PERIOD_MINUTES, Math.floor(minutes / 5) * 5);
  return `*/${step} * * * *`;
}

function isTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
