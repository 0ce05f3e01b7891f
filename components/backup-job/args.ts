import type * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import type { DatabaseConnection, EncryptionKeys, NativeBackupInfo, WorkloadIdentity } from "../lib/contracts";
import type { Transforms } from "../lib/transform";

/** Where dumps go. */
export interface BackupDestination {
  /**
   * `s3` (AWS S3 or any S3-compatible endpoint), `oss` (Alibaba Cloud OSS through its S3-compatible endpoint)
   * or `local` (a named Docker volume; Docker target only).
   * @default s3 on AWS, oss on Alibaba Cloud, local on Docker
   * @example "s3"
   */
  type: "s3" | "oss" | "local";
  /**
   * Existing bucket to write to. Omit to let the component create an encrypted, versioned, private bucket
   * with a lifecycle rule (cloud targets only).
   * Caution: switching between an existing and a created bucket moves where new backups land.
   * @default a bucket created by the component
   * @example "acme-prod-backups"
   */
  bucket?: pulumi.Input<string>;
  /**
   * Key prefix inside the bucket; objects land under `<prefix>/<backup name>/`.
   * @default "backups"
   * @example "db/orders"
   */
  prefix?: string;
  /**
   * S3-compatible endpoint for the aws cli (`--endpoint-url`). Required for OSS (its S3-compatible endpoint, e.g.
   * `https://s3.oss-cn-hangzhou-internal.aliyuncs.com`) and for S3 on the Docker target (e.g. a local MinIO).
   * @default AWS S3's regional endpoint
   * @example "https://s3.oss-cn-hangzhou-internal.aliyuncs.com"
   */
  endpointUrl?: string;
  /**
   * OSS: the bucket's region. On Kubernetes the job signs its requests for it and exchanges its RRSA token at the
   * region's VPC STS endpoint (`sts-vpc.<region>.aliyuncs.com`), so neither step leaves the VPC.
   * @default parsed from an `oss-<region>` endpoint host; otherwise the public `sts.aliyuncs.com`
   * @example "cn-hangzhou"
   */
  region?: string;
  /**
   * With a named `bucket`: how `retentionDays` is enforced, stated explicitly because the component does not own
   * the bucket. `true` adds an S3 lifecycle rule expiring `<prefix>/<backup name>/` after retentionDays on the
   * named bucket (AWS only; caution: S3 keeps one lifecycle configuration per bucket, so this replaces any rules
   * the bucket had). `false` leaves expiry to the bucket's owner. Created buckets always get their rule.
   * @default required with a named s3/oss bucket
   */
  lifecycleRule?: boolean;
  /**
   * Docker target with an S3-compatible endpoint only: static credentials, delivered to the aws cli as a
   * credentials file (0400, readable by the job's user only), never as environment variables.
   * Never used on Kubernetes, where workload identity provides short-lived credentials.
   * @default none
   */
  credentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
}

/** Restore verification: restore the newest backup into a scratch database and check it. */
export interface BackupVerification {
  /**
   * Turn the restore test off. Only allowed outside prod: a backup that was never restored is a hope.
   * @default true
   */
  enabled?: boolean;
  /**
   * Cron schedule of the restore test.
   * @default profile.backup.verifySchedule ("0 4 1 * *": monthly)
   * @example "0 4 * * 0"
   */
  schedule: string;
  /**
   * SQL returning one value that must not be empty, 0 or false on the restored copy.
   * @default none (only "at least one table")
   * @example "SELECT count(*) FROM orders WHERE created_at > now() - interval '2 days'"
   */
  query?: string;
}

/** Container images; pinned by tag or digest. */
export interface BackupImages {
  /** Database client image (pg_dump/pg_restore or redis-cli, bash, coreutils). @default postgres:16.6-bookworm / redis:7.4.1-bookworm */
  client?: string;
  /** aws cli image for uploads and downloads on Kubernetes, and for ElastiCache snapshots. @default amazon/aws-cli:2.22.35 */
  awsCli?: string;
  /** Python 3 image (standard library only) that calls the ApsaraDB for Redis OpenAPI for native snapshots. @default python:3.13.1-slim-bookworm */
  python?: string;
}

/** Provider-native backup plan settings (AWS Backup in prod). */
export interface NativePlanArgs {
  /**
   * Create an AWS Backup vault, plan and selection for the data store.
   * @default true in prod on AWS when the data store publishes a resource ARN
   */
  enabled?: boolean;
  /**
   * AWS: ARN of an existing AWS Backup vault in another region that every recovery point is copied to (a copy
   * action on the plan's rule, kept as long as the original). Needs the plan (`enabled`).
   * @default none
   * @example "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr"
   */
  copyToVaultArn?: pulumi.Input<string>;
  /** AWS: provider for another region; when given, the component creates the copy vault there. @default none */
  copyRegionProvider?: aws.Provider;
  /**
   * Alibaba Cloud ApsaraDB RDS (PostgreSQL): region the instance's backups are also copied to (an
   * `rds.RdsInstanceCrossBackupPolicy`, kept `retentionDays`, at least 7; log backups too when the instance has
   * point-in-time recovery). The instance is `nativeBackup.resourceId`.
   * @default none
   * @example "cn-shanghai"
   */
  copyToRegion?: string;
}

export type BackupJobRole =
  | "script" | "credentials" | "serviceAccount" | "backupCronJob" | "verifyCronJob"
  | "bucket" | "role" | "policy" | "volume" | "metricsVolume" | "backupContainer" | "verifyContainer"
  | "vault" | "copyVault" | "plan" | "selection" | "crossRegionBackup";

export interface BackupJobArgs {
  /** How to reach the data store; the password is read from `connection.secretRef` or `connection.password`. */
  connection: DatabaseConnection;
  /**
   * Provider-native backup facts published by MonitoredDatabase; they count towards the achievable RPO.
   * @default none (only the dump schedule counts)
   */
  nativeBackup?: NativeBackupInfo;
  /**
   * Cron schedule of the dump (5 fields, evaluated in `timeZone`).
   * @default profile.backup.schedule ("0 2 * * *") for PostgreSQL, profile.backup.redisSchedule ("0 * * * *") for Redis
   * @example "0 2 * * *"
   */
  schedule: string;
  /** IANA time zone of the schedules. @default "Etc/UTC" @example "Asia/Shanghai" */
  timeZone?: string;
  /** Days backups are kept (bucket lifecycle, local pruning). @default profile.backup.retentionDays @example 30 */
  retentionDays: number;
  /**
   * Local destination: keep exactly the newest N backups as well.
   * @default retentionDays worth of runs at the schedule's shortest period
   */
  retentionCount?: number;
  /** Recovery point objective in minutes; refused when the mechanisms cannot meet it. @example 60 */
  rpoMinutes: number;
  /** Recovery time objective in minutes; the restore test must finish within it. @example 240 */
  rtoMinutes: number;
  /** Where backups go. */
  destination: BackupDestination;
  /** Restore verification. */
  verify: BackupVerification;
  /** Kubernetes with a cloud bucket: OIDC trust for the job's ServiceAccount (IRSA / RRSA). */
  identity?: WorkloadIdentity;
  /** Encryption keys; `backups` encrypts the bucket and the AWS Backup vault. */
  keys?: EncryptionKeys;
  /** AWS Backup plan (prod). */
  nativePlan?: NativePlanArgs;
  images?: BackupImages;
  /**
   * Kubernetes: seconds a backup Job may run before it is killed; must be shorter than the schedule's period.
   * @default min(half the shortest period, 4 h)
   */
  activeDeadlineSeconds?: number;
  /** Kubernetes: how late a missed run may still start. @default min(900, a quarter of the period) */
  startingDeadlineSeconds?: number;
  /** Kubernetes: retries of a failed backup Job. @default 1 */
  backoffLimit?: number;
  /**
   * Kubernetes: scratch space for one dump. It is the `sizeLimit` of the dump `emptyDir` and the containers'
   * ephemeral-storage request (their limit adds 1Gi for /tmp and logs), so a large dump is evicted on its own
   * instead of filling the node disk under the apps beside it. At most 1Ti.
   * @default 10Gi (the stack config derives it from the database: PostgreSQL storage, Redis memory)
   */
  stagingSize?: string;
  /** Requests/limits of the job containers. @default 100m/256Mi requests, 1/1Gi limits */
  resources?: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  /**
   * Protect the created bucket and vault from deletion.
   * @default true in prod
   */
  protect?: boolean;
  /** Per-child arg transforms (escape hatch). */
  transforms?: Transforms<BackupJobRole>;
}
