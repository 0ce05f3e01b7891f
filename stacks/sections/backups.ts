import { LIMITS } from "../../components/lib/limits";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as aws from "@pulumi/aws";
import { ALICLOUD_REGION, AWS_REGION, BackupJob, type BackupJobArgs, backupVaultArnRegion, ELASTICACHE_SNAPSHOT_SCHEDULE, ossRegionOf, validateBackupJobArgs } from "../../components/backup-job";
import type { DatabaseConnection, EncryptionKeys, NativeBackupInfo, WorkloadIdentity } from "../../components/lib/contracts";
import { cronMaxPeriodMinutes, cronProblem } from "../../components/lib/cron";
import { dnsLabel, memoryQuantity, parseOrThrow, pinnedImage, Problems, secretConfigKeyName, ValidationError } from "../../components/lib/validation";
import type { Engine } from "../../components/monitored-database";
import { LOGICAL_SEPARATOR } from "./databases";
import type { RequiredSecret, SectionContext } from "./types";

/** Config key of this section. */
export const KEY = "backups";
const PREFIX = `platform:${KEY}`;

const destinationSchema = z
  .object({
    type: z.enum(["s3", "oss", "local"]).describe("`s3` (AWS S3 or an S3-compatible endpoint), `oss` (Alibaba Cloud OSS through its S3-compatible endpoint) or `local` (a Docker volume; Docker target only)."),
    bucket: z
      .string()
      .min(3)
      .optional()
      .describe("Existing bucket to write to. Omit to have one created (versioned, KMS-encrypted, TLS-only, private, expiring after retentionDays). Default: a created bucket. Example: `acme-prod-backups`"),
    prefix: z.string().optional().describe("Key prefix inside the bucket; objects land under `<prefix>/<backup name>/`. Default: `backups`."),
    lifecycleRule: z
      .boolean()
      .optional()
      .describe("With a named bucket, required: `true` adds a lifecycle rule expiring `<prefix>/<backup name>/` after retentionDays (s3 on AWS; caution: it replaces the bucket's existing lifecycle configuration), `false` leaves expiry to the bucket's owner. Created buckets always get their rule."),
    endpointUrl: z
      .string()
      .optional()
      .describe("S3-compatible endpoint for the aws cli. Default: the regional S3 endpoint; for oss the S3-compatible VPC endpoint of `alicloud:region`, `https://s3.oss-<alicloud:region>-internal.aliyuncs.com`."),
    credentials: z
      .strictObject({
        accessKeyIdSecret: secretConfigKeyName("backupS3AccessKeyId").describe("Name of the secret config key holding the access key id. Required. Example: `backupS3AccessKeyId`"),
        secretAccessKeySecret: secretConfigKeyName("backupS3SecretAccessKey").describe("Name of the secret config key holding the secret access key. Required. Example: `backupS3SecretAccessKey`"),
      })
      .optional()
      .describe(
        "Docker target with an s3/oss destination (required there): names of the secret config keys holding the S3-compatible server's " +
          "access key, read only as Pulumi secrets and mounted into the job as an aws cli credentials file (0400), never as environment variables. " +
          "Refused on Kubernetes, where workload identity (IRSA / RRSA) gives the job short-lived credentials. Default: none. " +
          "Example: `{accessKeyIdSecret: backupS3AccessKeyId, secretAccessKeySecret: backupS3SecretAccessKey}`",
      ),
  })
  .strict();

const copyToSchema = z.strictObject({
  region: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Region the copies go to; must differ from the stack's region (`aws:region` / `alicloud:region`). AWS without vaultArn: a vault is created there (encrypted with the region's AWS Backup key). " +
        "Required on Alibaba Cloud. Default: the vaultArn's region. Example: `eu-west-1`, `cn-shanghai`",
    ),
  vaultArn: z
    .string()
    .min(1)
    .optional()
    .describe(
      "AWS only: an existing AWS Backup vault in another region (a cross-account vault needs its access policy to allow this account). " +
        "Default: a vault created in region. Example: `arn:aws:backup:eu-west-1:123456789012:backup-vault:dr`",
    ),
});

const entrySchema = z
  .object({
    name: dnsLabel.describe("Backup set name (DNS label); prefixes the CronJobs, bucket and alerts."),
    database: z
      .string()
      .min(1)
      .describe("Name of a database in `platform:databases`, or `<store>/<database>` for one of its `logicalDatabases` (dumped with that database's own role; the store's native backups cover every logical database too). A Redis on ElastiCache or ApsaraDB for Redis (Kubernetes on aws/alicloud) refuses the SYNC a dump needs: its set takes on-demand native snapshots through the cloud's API at `schedule`, kept `retentionDays`, and the restore test restores the newest (ElastiCache: into a scratch replication group; ApsaraDB: downloads every shard's RDB and runs redis-check-rdb). Example: `main-db/orders`"),
    schedule: z
      .string()
      .optional()
      .describe("Cron schedule of the dump or native snapshot (5 fields, in timeZone); the job deadline must fit inside the period. ElastiCache takes at most 20 manual snapshots per node a day, so more runs are refused there. Default: `0 2 * * *` (PostgreSQL, MongoDB), `0 * * * *` (Redis), `0 */2 * * *` (Redis on ElastiCache)."),
    timeZone: z.string().optional().describe("IANA time zone of the schedules. Default: `Etc/UTC`. Example: `Asia/Shanghai`"),
    retentionDays: z
      .number()
      .optional()
      .describe(`Days dumps are kept (bucket lifecycle rule, local pruning), 1 to ${LIMITS.retentionDays}. Default: dev 7, staging 7, prod 30 (Redis 7).`),
    verifySchedule: z.string().optional().describe("Cron schedule of the restore test into a scratch database. Default: `0 4 1 * *` (monthly)."),
    verifyQuery: z
      .string()
      .optional()
      .describe("PostgreSQL only: SQL returning one value that must not be empty, 0 or false on the restored copy. Default: only \"at least one table\". Example: `SELECT count(*) FROM orders`"),
    rpoMinutes: z
      .number()
      .optional()
      .describe(`Recovery point objective in minutes (at most ${LIMITS.objectiveMinutes}); refused when the dump period, PITR and native snapshots cannot meet it. Default: profile (dev/staging 1440, prod 60), or the schedule's longest gap where nothing meets the profile (Docker; Redis on ElastiCache: 120).`),
    rtoMinutes: z.number().optional().describe(`Recovery time objective in minutes (at most ${LIMITS.objectiveMinutes}); the restore test must finish within it. Default: 240.`),
    stagingSize: memoryQuantity
      .optional()
      .describe("Kubernetes: scratch space for one dump, or for the ApsaraDB for Redis restore test's downloaded RDB files (emptyDir sizeLimit and ephemeral-storage request; the limit adds 1Gi), up to 1Ti. Refused for ElastiCache, whose restore test runs in ElastiCache. Default: the database's size (PostgreSQL storageGb, Redis memory of its size class, times shards + 1 for a cluster). Example: `50Gi`"),
    clientImage: pinnedImage
      .optional()
      .describe(
        "Image with the database client (pg_dump/pg_restore or redis-cli, bash, coreutils); on Docker with an s3/oss destination it must also " +
          "hold the aws cli; for ApsaraDB for Redis it runs redis-check-rdb; refused for ElastiCache (the aws cli image does the work). Pinned by tag or digest. Default: `postgres:16.6-bookworm` / `redis:7.4.1-bookworm` / `mongo:7.0.14`. Example: `registry.example.com/ops/pg-backup:16.6-aws2`",
      ),
    destination: destinationSchema
      .optional()
      .describe("Where dumps go. Refused for a Redis on ElastiCache or ApsaraDB for Redis: its native snapshots stay in the service. Default: `local` on Docker, `s3` on AWS, `oss` on Alibaba Cloud."),
    copyTo: copyToSchema
      .optional()
      .describe(
        "Cross-region copy of the database's native backups, so a region-wide loss does not take the backups with it. " +
          "AWS: a copy action on the AWS Backup plan's rule (the plan is turned on for this database in any environment; PostgreSQL on RDS, MongoDB on DocumentDB). " +
          "Alibaba Cloud: ApsaraDB RDS cross-region backup of the PostgreSQL instance (log backups too when it has PITR). " +
          "Allowed in every environment on a cloud (prod is where it matters); refused on Docker and for a logical database (`<store>/<database>`: set it on the store's backup set), " +
          "once per database. Default: none (native backups stay in the stack's region). Example: `{vaultArn: arn:aws:backup:eu-west-1:123456789012:backup-vault:dr}`",
      ),
  })
  .strict();

/** `platform:backups`: a list of backup sets; absent = none. */
export const schema = z.array(entrySchema).default([]).describe("Backup sets, one BackupJob each.");
export type BackupsConfig = z.output<typeof schema>;

/** Validated plan: BackupJob args minus the outputs only known at build time (connection, native facts). */
export interface PlannedBackup {
  name: string;
  database: string;
  engine: Engine;
  args: Omit<BackupJobArgs, "connection" | "nativeBackup" | "identity" | "keys">;
  /** AWS: region of the copy vault the build creates (copyTo.region without vaultArn), through a provider for that region. */
  copyVaultRegion?: string;
  /** Secret config keys of the destination's static credentials (Docker with s3/oss), read at build time. */
  credentialSecrets?: { accessKeyId: string; secretAccessKey: string };
}
export type BackupsPlan = PlannedBackup[];

/** Parses the raw section (undefined = no backups). */
export function parse(raw: unknown): BackupsConfig {
  return parseOrThrow(schema, raw, "stack config", PREFIX);
}

function defaultDestination(sctx: SectionContext): BackupJobArgs["destination"]["type"] {
  if (sctx.platform.target === "docker") return "local";
  return sctx.platform.cloud === "alicloud" ? "oss" : "s3";
}

/**
 * OSS is reached through its S3-compatible endpoint. The VPC-internal endpoint of the stack's region
 * (`alicloud:region`) is the default, so switching `platform:cloud` to alicloud needs no extra setting and
 * backup traffic never leaves the VPC.
 */
export function defaultOssEndpoint(): string | undefined {
  const region = alicloudRegion();
  return region ? `https://s3.oss-${region}-internal.aliyuncs.com` : undefined;
}

function alicloudRegion(): string | undefined {
  return new pulumi.Config("alicloud").get("region");
}

/** The OSS bucket's region: the one its endpoint names, else the stack's. */
function ossRegion(endpointUrl: string | undefined): { region?: string } {
  const region = ossRegionOf(endpointUrl) ?? alicloudRegion();
  return region ? { region } : {};
}

/**
 * The profile's RPO, except where nothing can meet it: Docker has no point-in-time recovery or provider snapshot,
 * and ElastiCache allows a snapshot every ~2 hours at best (20 a day, no log backups). A prod RPO the schedule cannot
 * meet must not leak in as a default there: the schedule's period is the honest default; an explicit rpoMinutes is
 * still checked against the schedule.
 */
function defaultRpo(sctx: SectionContext, schedule: string, elasticacheSnapshots = false): number {
  const profileRpo = sctx.profile.backup.rpoMinutes;
  if ((sctx.platform.target !== "docker" && !elasticacheSnapshots) || cronProblem(schedule)) return profileRpo;
  return Math.max(profileRpo, cronMaxPeriodMinutes(schedule));
}

/**
 * A managed Redis (ElastiCache, ApsaraDB for Redis on a Kubernetes stack) refuses the SYNC a dump needs: its backup
 * set takes native snapshots through the cloud's API (BackupJob method `snapshot`).
 */
function takesNativeSnapshots(sctx: SectionContext, engine: Engine): boolean {
  const { cloud, target } = sctx.platform;
  return engine === "redis" && target === "kubernetes" && (cloud === "aws" || cloud === "alicloud");
}

/** What the native backups of a managed store will be, from the profile (the real facts arrive at build time). */
function expectedNative(sctx: SectionContext, engine: Engine): NativeBackupInfo | undefined {
  const { cloud, target } = sctx.platform;
  if (target === "docker" || cloud === "none") return undefined;
  const db = sctx.profile.database;
  const placeholder = pulumi.output("placeholder");
  const redisSnapshot: NativeBackupInfo["redisSnapshot"] = !takesNativeSnapshots(sctx, engine)
    ? undefined
    : cloud === "aws"
      ? { cloud, replicationGroupId: placeholder, shards: 1, restoreTemplate: {} }
      // The plan reports a missing alicloud:region itself, under the backup set's key.
      : { cloud: "alicloud", instanceId: placeholder, shards: 1, clusterEdition: false, regionId: stackRegion("alicloud") ?? "cn-hangzhou" };
  return {
    ...(redisSnapshot ? { redisSnapshot } : {}),
    engine,
    target: cloud,
    retentionDays: db.backupRetentionDays,
    pointInTimeRecovery: engine !== "redis" && db.pointInTimeRecovery,
    snapshotIntervalMinutes: 1440,
    // Every managed store publishes its ARN / instance id; the plan checks what the build will select.
    resourceId: pulumi.output("placeholder"),
  };
}

/**
 * Pure: validates every backup set against the profile, the target and the known databases and returns
 * component args. Throws one ValidationError with key paths like `platform:backups[0].schedule`.
 */
export function planBackups(
  parsed: BackupsConfig,
  sctx: SectionContext,
  knownDatabases: Record<string, Engine>,
  /** Dump scratch space per database (`dumpStagingSize`), when the databases planned. */
  stagingSizes: Record<string, string> = {},
): BackupsPlan {
  const p = new Problems("stack config", PREFIX);
  const names = new Set<string>();
  const plan: BackupsPlan = [];
  const problems: string[] = [];
  const copiedBy = new Map<string, number>();
  parsed.forEach((entry, index) => {
    if (names.has(entry.name)) p.add([index, "name"], entry.name, "must be unique among backups");
    names.add(entry.name);
    const engine = knownDatabases[entry.database];
    if (!engine) {
      p.add([index, "database"], entry.database, `must name a database in platform:databases (known: ${Object.keys(knownDatabases).join(", ") || "none"})`);
      return;
    }
    const copy = entry.copyTo ? planCopy(entry.copyTo, entry.database, engine, sctx, p, index, copiedBy) : undefined;
    const profile = sctx.profile.backup;
    const snapshots = takesNativeSnapshots(sctx, engine);
    if (snapshots) refuseDumpKeys(entry, sctx.platform.cloud as "aws" | "alicloud", p, index);
    const dest = (snapshots ? undefined : entry.destination) ?? { type: defaultDestination(sctx) };
    // ElastiCache allows 20 manual snapshots per node a day: its sets default to every 2 hours, not hourly.
    const elasticache = snapshots && sctx.platform.cloud === "aws";
    const schedule = entry.schedule ?? (elasticache ? ELASTICACHE_SNAPSHOT_SCHEDULE : engine === "redis" ? profile.redisSchedule : profile.schedule);
    const args: PlannedBackup["args"] = {
      schedule,
      timeZone: entry.timeZone ?? profile.timeZone,
      retentionDays: entry.retentionDays ?? (engine === "redis" ? profile.redisRetentionDays : profile.retentionDays),
      rpoMinutes: entry.rpoMinutes ?? defaultRpo(sctx, schedule, elasticache),
      rtoMinutes: entry.rtoMinutes ?? profile.rtoMinutes,
      destination: {
        type: dest.type,
        bucket: dest.bucket,
        prefix: dest.prefix,
        ...(dest.lifecycleRule !== undefined ? { lifecycleRule: dest.lifecycleRule } : {}),
        ...(snapshots
          ? {}
          : {
              endpointUrl: dest.endpointUrl ?? (dest.type === "oss" ? defaultOssEndpoint() : undefined),
              // The bucket's region signs requests and picks the VPC STS endpoint for RRSA (the stack's region).
              ...(dest.type === "oss" ? ossRegion(dest.endpointUrl) : {}),
            }),
      },
      verify: { schedule: entry.verifySchedule ?? profile.verifySchedule, query: entry.verifyQuery },
      // ElastiCache restore tests run in ElastiCache: no scratch space in the cluster.
      ...(!(snapshots && sctx.platform.cloud === "aws") && (entry.stagingSize ?? stagingSizes[entry.database])
        ? { stagingSize: entry.stagingSize ?? stagingSizes[entry.database] }
        : {}),
      ...(entry.clientImage ? { images: { client: entry.clientImage } } : {}),
      ...(copy?.nativePlan ? { nativePlan: copy.nativePlan } : {}),
    };
    const credentialSecrets = dest.credentials
      ? { accessKeyId: dest.credentials.accessKeyIdSecret, secretAccessKey: dest.credentials.secretAccessKeySecret }
      : undefined;
    // Check the component args now (with placeholder outputs) so a bad value fails before anything registers.
    try {
      validateBackupJobArgs(entry.name, {
        ...args,
        destination: { ...args.destination, ...(credentialSecrets ? { credentials: { accessKeyId: "<secret>", secretAccessKey: "<secret>" } } : {}) },
        connection: placeholderConnection(engine),
        nativeBackup: expectedNative(sctx, engine),
        identity: sctx.platform.target === "kubernetes" && dest.type !== "local"
          ? { cloud: dest.type === "oss" ? "alicloud" : "aws", providerArn: "", issuerUrl: "" }
          : undefined,
      }, sctx.platform, "stack config", `${PREFIX}[${index}]`);
    } catch (e) {
      if (e instanceof ValidationError) problems.push(...e.problems.map(rename));
      else throw e;
    }
    plan.push({
      name: entry.name, database: entry.database, engine, args,
      ...(copy?.vaultRegion ? { copyVaultRegion: copy.vaultRegion } : {}),
      ...(credentialSecrets ? { credentialSecrets } : {}),
    });
  });
  if (!p.empty || problems.length > 0) {
    let own: string[] = [];
    try {
      p.throwIfAny();
    } catch (e) {
      own = (e as ValidationError).problems.slice();
    }
    throw new ValidationError("stack config", [...own, ...problems]);
  }
  return withOneNativePlanPerStore(plan);
}

/**
 * An AWS Backup plan selects a whole instance, so one store gets one plan (vault, rules, selection), whatever number of
 * backup sets dump it: the set with copyTo, else the set of the store itself, else its first logical database's set.
 * Without this, a store with five logical databases got six identical plans and vaults.
 */
function withOneNativePlanPerStore(plan: BackupsPlan): BackupsPlan {
  const store = (entry: PlannedBackup) => entry.database.split(LOGICAL_SEPARATOR)[0];
  const owners = new Map<string, PlannedBackup>();
  const rank = (entry: PlannedBackup) => (entry.args.nativePlan ? 0 : entry.database === store(entry) ? 1 : 2);
  for (const entry of plan) {
    const current = owners.get(store(entry));
    if (!current || rank(entry) < rank(current)) owners.set(store(entry), entry);
  }
  return plan.map((entry) => (owners.get(store(entry)) === entry ? entry : { ...entry, args: { ...entry.args, nativePlan: { enabled: false } } }));
}

/**
 * Keys that shape a dump and do not apply to a native-snapshot backup set: refused with the reason, so nobody
 * believes a managed Redis is being copied to a bucket it never reaches.
 */
function refuseDumpKeys(entry: BackupsConfig[number], cloud: "aws" | "alicloud", p: Problems, index: number): void {
  const service = cloud === "aws" ? "ElastiCache" : "ApsaraDB for Redis";
  const why = `does not apply to a Redis on ${service}: it refuses the SYNC a dump needs, so this backup set takes native ${service} snapshots ` +
    "(kept by the service for retentionDays) and restore-tests them there";
  if (entry.destination !== undefined) p.add([index, "destination"], entry.destination, `${why}; remove destination`);
  if (entry.verifyQuery !== undefined) p.add([index, "verifyQuery"], entry.verifyQuery, `${why}; remove verifyQuery`);
  if (cloud === "aws") {
    if (entry.stagingSize !== undefined) p.add([index, "stagingSize"], entry.stagingSize, `${why} (the restore test runs in ElastiCache); remove stagingSize`);
    if (entry.clientImage !== undefined) p.add([index, "clientImage"], entry.clientImage, `${why} (the aws cli image does the work); remove clientImage`);
  }
  if (cloud === "alicloud" && stackRegion("alicloud") === undefined) {
    p.add([index, "database"], entry.database, `is a Redis on ${service}: its backups are taken through the regional R-kvstore API, so alicloud:region must be set`);
  }
}

/** The region a cloud's provider uses: its stack config (`aws:region`, `alicloud:region`), else the SDK's environment. */
function stackRegion(cloud: "aws" | "alicloud"): string | undefined {
  const configured = new pulumi.Config(cloud).get("region");
  if (configured) return configured;
  return cloud === "aws" ? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION : process.env.ALIBABA_CLOUD_REGION ?? process.env.ALICLOUD_REGION;
}

type CopyTo = NonNullable<BackupsConfig[number]["copyTo"]>;

/**
 * Checks `backups[i].copyTo` against the target, cloud, engine and stack region and returns the component's
 * nativePlan args (plus the region of a vault the build creates). Problems go to `p` under `[index, "copyTo", ...]`.
 */
function planCopy(
  copyTo: CopyTo,
  database: string,
  engine: Engine,
  sctx: SectionContext,
  p: Problems,
  index: number,
  copiedBy: Map<string, number>,
): { nativePlan?: BackupJobArgs["nativePlan"]; vaultRegion?: string } | undefined {
  const { target, cloud } = sctx.platform;
  const at = [index, "copyTo"];
  if (target !== "kubernetes" || (cloud !== "aws" && cloud !== "alicloud")) {
    p.add(at, copyTo, `copies a managed data store's native backups: needs target kubernetes with cloud aws or alicloud (target is ${target}, cloud ${cloud})`);
    return undefined;
  }
  const [store, logical] = database.split(LOGICAL_SEPARATOR);
  if (logical !== undefined) {
    p.add(at, copyTo, `the native backups of ${store} cover its logical databases: set copyTo on the backup set of database ${store}`);
    return undefined;
  }
  const earlier = copiedBy.get(database);
  if (earlier !== undefined) {
    p.add(at, copyTo, `is already set for database ${database} by ${PREFIX}[${earlier}].copyTo: the native backups are copied once per database`);
    return undefined;
  }
  copiedBy.set(database, index);
  const here = stackRegion(cloud);
  const regionKey = cloud === "aws" ? "aws:region" : "alicloud:region";
  const checkRegion = (key: string, region: string) => {
    if (here === undefined) p.add([...at, key], region, `cannot be checked against the stack's region: ${regionKey} is not set`);
    else if (region === here) p.add([...at, key], region, `must differ from the stack's region (${regionKey} is ${here}): a copy in the same region shares its outages`);
  };
  if (cloud === "alicloud") {
    let ok = true;
    if (engine !== "postgres") {
      p.add([index, "database"], database, `is ${engine}: ApsaraDB cross-region backup is set up for RDS PostgreSQL only; remove copyTo`);
      ok = false;
    }
    if (copyTo.vaultArn !== undefined) {
      p.add([...at, "vaultArn"], copyTo.vaultArn, "is for AWS Backup; on Alibaba Cloud set copyTo.region only");
      ok = false;
    }
    if (copyTo.region === undefined) {
      p.add([...at, "region"], undefined, "is required on Alibaba Cloud (the region ApsaraDB RDS copies the backups to), e.g. cn-shanghai");
      return undefined;
    }
    if (!ALICLOUD_REGION.test(copyTo.region)) {
      p.add([...at, "region"], copyTo.region, "must be an Alibaba Cloud region id like cn-shanghai");
      return undefined;
    }
    checkRegion("region", copyTo.region);
    return ok ? { nativePlan: { copyToRegion: copyTo.region } } : undefined;
  }
  if (engine === "redis") {
    p.add([index, "database"], database, "is redis: AWS Backup does not cover ElastiCache, so there is no plan to copy from; remove copyTo (a cross-region copy is for PostgreSQL and MongoDB)");
    return undefined;
  }
  if (copyTo.vaultArn === undefined && copyTo.region === undefined) {
    p.add(at, copyTo, "needs vaultArn (an existing AWS Backup vault in another region) or region (a vault is created there)");
    return undefined;
  }
  if (copyTo.region !== undefined && !AWS_REGION.test(copyTo.region)) {
    p.add([...at, "region"], copyTo.region, "must be an AWS region id like eu-west-1");
    return undefined;
  }
  if (copyTo.vaultArn !== undefined) {
    const arnRegion = backupVaultArnRegion(copyTo.vaultArn);
    if (arnRegion === undefined) {
      p.add([...at, "vaultArn"], copyTo.vaultArn, "must be an AWS Backup vault ARN like arn:aws:backup:eu-west-1:123456789012:backup-vault:dr");
      return undefined;
    }
    if (copyTo.region !== undefined && copyTo.region !== arnRegion) {
      p.add([...at, "region"], copyTo.region, `must match the region of copyTo.vaultArn (${arnRegion}), or be left out`);
      return undefined;
    }
    checkRegion("vaultArn", arnRegion);
    return { nativePlan: { enabled: true, copyToVaultArn: copyTo.vaultArn } };
  }
  checkRegion("region", copyTo.region!);
  return { nativePlan: { enabled: true }, vaultRegion: copyTo.region };
}

/** Component arg names → config key names where they differ. */
function rename(problem: string): string {
  return problem
    .replace(/\.nativePlan\.copyToVaultArn:/, ".copyTo.vaultArn:")
    .replace(/\.nativePlan\.copyToRegion:/, ".copyTo.region:")
    .replace(/\.nativePlan\.enabled:/, ".copyTo:")
    .replace(/\.verify\.schedule:/, ".verifySchedule:")
    .replace(/\.verify\.query:/, ".verifyQuery:")
    .replace(/\.images\.client:/, ".clientImage:");
}

/** Every secret config key the backup destinations read (static S3 credentials on Docker). */
export function backupsRequiredSecrets(parsed: BackupsConfig): RequiredSecret[] {
  return parsed.flatMap((entry, i) => {
    const c = entry.destination?.credentials;
    if (!c) return [];
    return [
      { key: c.accessKeyIdSecret, usedBy: `${PREFIX}[${i}].destination.credentials.accessKeyIdSecret` },
      { key: c.secretAccessKeySecret, usedBy: `${PREFIX}[${i}].destination.credentials.secretAccessKeySecret` },
    ];
  });
}

function placeholderConnection(engine: Engine): DatabaseConnection {
  return {
    engine,
    host: pulumi.output("placeholder"),
    port: pulumi.output({ postgres: 5432, redis: 6379, mongodb: 27017 }[engine]),
    ...(engine === "mongodb" ? { url: pulumi.secret("placeholder"), database: pulumi.output("placeholder") } : {}),
    password: pulumi.secret("placeholder"),
    tls: true,
  };
}

export interface BackupsDeps {
  databases: Record<string, { connection: DatabaseConnection; nativeBackup: NativeBackupInfo }>;
  identity?: WorkloadIdentity;
  keys?: EncryptionKeys;
}

/** Registers one BackupJob per planned backup set. */
export function buildBackups(plan: BackupsPlan, sctx: SectionContext, deps: BackupsDeps): Record<string, BackupJob> {
  const out: Record<string, BackupJob> = {};
  plan.forEach((entry, index) => {
    const db = deps.databases[entry.database];
    if (!db) {
      throw new ValidationError("stack config", [`${PREFIX}[${index}].database: database "${entry.database}" was not built (got ${Object.keys(deps.databases).join(", ") || "none"})`]);
    }
    const credentials = entry.credentialSecrets
      ? { accessKeyId: sctx.secrets.get(entry.credentialSecrets.accessKeyId), secretAccessKey: sctx.secrets.get(entry.credentialSecrets.secretAccessKey) }
      : undefined;
    // copyTo.region without a vault ARN: the component creates the copy vault in that region.
    const copyRegionProvider = entry.copyVaultRegion ? new aws.Provider(`${entry.name}-copy-region`, { region: entry.copyVaultRegion }) : undefined;
    // ApsaraDB for Redis snapshots go through the regional OpenAPI; the instance does not publish its region.
    const rs = db.nativeBackup.redisSnapshot;
    const nativeBackup = rs?.cloud === "alicloud" ? { ...db.nativeBackup, redisSnapshot: { ...rs, regionId: rs.regionId ?? stackRegion("alicloud") } } : db.nativeBackup;
    out[entry.name] = new BackupJob(entry.name, {
      ...entry.args,
      ...(copyRegionProvider ? { nativePlan: { ...entry.args.nativePlan, copyRegionProvider } } : {}),
      destination: { ...entry.args.destination, ...(credentials ? { credentials } : {}) },
      connection: db.connection,
      nativeBackup,
      identity: deps.identity,
      keys: deps.keys,
    }, sctx.platform);
  });
  return out;
}

/** Largest RDB snapshot of a Redis of each size class, in GiB (its memory: cache.t4g.small 1.4, m7g.large 6.4, r7g.large 13). */
const REDIS_DUMP_GI: Record<string, number> = { small: 2, medium: 8, large: 16 };

/**
 * Scratch space one dump of a planned database needs: a logical dump is at most the data it reads, so PostgreSQL
 * gets its allocated storage and Redis the memory of its size class (Docker databases are small by design).
 */
export function dumpStagingSize(db: { engine: string; args: { storageGb?: number; size?: string } }): string {
  if (db.engine === "postgres" && db.args.storageGb !== undefined) return `${db.args.storageGb}Gi`;
  return `${REDIS_DUMP_GI[db.args.size ?? "small"] ?? 2}Gi`;
}
