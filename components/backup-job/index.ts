import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type * as docker from "@pulumi/docker";
import type * as alicloud from "@pulumi/alicloud";
import type { MonitoringBundle } from "../lib/monitoring";
import type { PlatformContext } from "../lib/platform";
import { buildBackupAlerts, staleGraceSeconds } from "./alerts";
import type { BackupJobArgs } from "./args";
import { registerNamedBucketLifecycle, registerOssBucket, registerS3Bucket } from "./bucket";
import { localDestination, registerDockerBackup } from "./docker";
import { elasticacheSnapshotPolicy, kvstoreBackupPolicy, registerBucketIdentity, registerWorkloadIdentity } from "./identity";
import { registerKubernetesBackup } from "./kubernetes";
import { type NativePlanResources, registerAlicloudCrossRegionBackup, registerAwsBackupPlan } from "./native";
import { registerKubernetesSnapshots, snapshotLocation } from "./snapshot";
import { type ResolvedBackup, validateBackupJobArgs } from "./validate";

export type { BackupDestination, BackupImages, BackupJobArgs, BackupJobRole, BackupVerification, NativePlanArgs } from "./args";
export { BACKUP_ALERTS, backupAlertCatalog, buildBackupAlerts, staleAfterSeconds, staleGraceSeconds } from "./alerts";
export { achievableRpo, ALICLOUD_REGION, AWS_REGION, awsBackupSchedule, backupVaultArnRegion, CROSS_REGION_RETENTION, PITR_RPO_MINUTES } from "./native";
export { type BackupMethod, DEFAULT_IMAGES, ELASTICACHE_MANUAL_SNAPSHOTS_PER_DAY, ELASTICACHE_SNAPSHOT_SCHEDULE, snapshotsPerDay, MIN_PERIOD_MINUTES, MIN_RESTORE_MINUTES, ossRegionOf, type ResolvedBackup, scratchGroupId, validateBackupJobArgs } from "./validate";
export { buildSnapshotCronJobSpec, KVSTORE_ENDPOINT, snapshotEnv } from "./snapshot";

/** Constant type token: never change it (use aliases if the module moves). */
export const BACKUP_JOB_TYPE = "platform:backup:BackupJob";

/**
 * Scheduled logical backups (pg_dump custom format / Redis RDB / mongodump) with checksums, retention, a monthly
 * restore test, cloud-native backup plans in prod, and the alerts that say when any of it stops working. A managed
 * Redis (ElastiCache, ApsaraDB) refuses the replication handshake a dump needs: its backup set takes on-demand native
 * snapshots through the cloud's API instead and restore-tests them there (see snapshot.ts).
 *
 * Kubernetes: two CronJobs (backup, verify) with workload identity to an encrypted bucket.
 * Docker (dev): two scheduler containers writing to a named volume on the backend network.
 */
export class BackupJob extends pulumi.ComponentResource {
  /** Validated settings and derived values (periods, deadlines, achievable RPO). */
  readonly settings: ResolvedBackup;
  /** Where backups are written (`s3://bucket/prefix`, `file:///...`; native snapshots: `elasticache://<group>/<set>-*`, `kvstore://<instance>`). */
  readonly destinationUrl: pulumi.Output<string>;
  /** The bucket the component created, when it created one. */
  readonly bucketName?: pulumi.Output<string>;
  readonly bucketResources: pulumi.Resource[] = [];
  readonly identityResources: pulumi.Resource[] = [];
  readonly script?: k8s.core.v1.ConfigMap;
  readonly credentials?: k8s.core.v1.Secret;
  readonly serviceAccount?: k8s.core.v1.ServiceAccount;
  readonly backupCronJob?: k8s.batch.v1.CronJob;
  readonly verifyCronJob?: k8s.batch.v1.CronJob;
  readonly volume?: docker.Volume;
  readonly backupContainer?: docker.Container;
  readonly verifyContainer?: docker.Container;
  /** AWS Backup vault/plan/selection (prod on AWS). */
  readonly nativePlan?: NativePlanResources;
  /** ApsaraDB RDS cross-region backup policy (`nativePlan.copyToRegion`). */
  readonly crossRegionBackup?: alicloud.rds.RdsInstanceCrossBackupPolicy;
  /** Alert rules for the AlertingStack. */
  readonly monitoring: MonitoringBundle;

  constructor(name: string, args: BackupJobArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    // Validate before anything is registered: a bad arg must not leave half a component behind.
    const r = validateBackupJobArgs(name, args, ctx);
    super(BACKUP_JOB_TYPE, name, {}, opts);
    this.settings = r;
    const transforms = args.transforms;

    // Destination ---------------------------------------------------------------------------------------
    let bucket: pulumi.Input<string> | undefined = args.destination.bucket;
    if (r.destination.createBucket) {
      const inputs = { name, ctx, parent: this, retentionDays: r.retentionDays, kmsKeyId: args.keys?.backups, protect: r.protect, transforms };
      const created = r.destination.type === "s3" ? registerS3Bucket(inputs) : registerOssBucket(inputs);
      this.bucketName = created.bucketName;
      this.bucketResources.push(...created.resources);
      bucket = created.bucketName;
    } else if (r.destination.lifecycleRule && bucket !== undefined) {
      this.bucketResources.push(
        registerNamedBucketLifecycle({ name, parent: this, ctx, bucket, keyPrefix: `${r.destination.prefix}/${name}/`, retentionDays: r.retentionDays }),
      );
    }
    this.destinationUrl =
      r.method === "snapshot"
        ? snapshotLocation(args.nativeBackup!.redisSnapshot!, name)
        : r.destination.type === "local"
        ? pulumi.output(localDestination(r.engine))
        : pulumi.interpolate`s3://${bucket!}/${r.destination.prefix}`;

    // Workload --------------------------------------------------------------------------------------------
    if (r.method === "snapshot") {
      // Checked by validation: snapshot mode has a redisSnapshot source and an identity of its cloud.
      const source = args.nativeBackup!.redisSnapshot!;
      const id = registerWorkloadIdentity({
        name, ctx, parent: this, identity: args.identity!, serviceAccount: r.names.serviceAccount, maxSessionSeconds: r.credentialSessionSeconds,
        policyDocument: source.cloud === "aws"
          ? pulumi.all([source.replicationGroupId, source.kmsKeyArn]).apply(([group, key]) => elasticacheSnapshotPolicy(group, name, r.snapshot!.scratchGroupId, key))
          : source.instanceId.apply(kvstoreBackupPolicy),
        purpose: "ApsaraDB for Redis backups of one instance",
      });
      this.identityResources.push(...id.resources);
      const k = registerKubernetesSnapshots({ r, ctx, parent: this, source, serviceAccountAnnotations: id.annotations, transforms });
      this.script = k.script;
      this.serviceAccount = k.serviceAccount;
      this.backupCronJob = k.backupCronJob;
      this.verifyCronJob = k.verifyCronJob;
    } else if (ctx.target === "kubernetes") {
      let annotations: pulumi.Input<Record<string, string>> | undefined;
      if (args.identity && bucket !== undefined) {
        const id = registerBucketIdentity({
          name, ctx, parent: this, identity: args.identity, serviceAccount: r.names.serviceAccount,
          bucketName: bucket, prefix: `${r.destination.prefix}/${name}`, kmsKeyArn: args.keys?.backups,
          maxSessionSeconds: r.credentialSessionSeconds,
        });
        annotations = id.annotations;
        this.identityResources.push(...id.resources);
      }
      const k = registerKubernetesBackup({
        r, ctx, parent: this, connection: args.connection, destinationUrl: this.destinationUrl,
        serviceAccountAnnotations: annotations, transforms,
      });
      this.script = k.script;
      this.credentials = k.credentials;
      this.serviceAccount = k.serviceAccount;
      this.backupCronJob = k.backupCronJob;
      this.verifyCronJob = k.verifyCronJob;
    } else {
      const d = registerDockerBackup({
        r, ctx, parent: this, connection: args.connection, destinationUrl: this.destinationUrl,
        credentials: args.destination.credentials, transforms,
      });
      this.volume = d.volume;
      this.backupContainer = d.backupContainer;
      this.verifyContainer = d.verifyContainer;
    }

    // Cloud-native plan -------------------------------------------------------------------------------------
    if (r.nativePlan && args.nativeBackup?.resourceId) {
      this.nativePlan = registerAwsBackupPlan({
        name, ctx, parent: this, resourceArn: args.nativeBackup.resourceId, schedule: r.schedule, timeZone: r.timeZone,
        retentionDays: r.retentionDays, kmsKeyArn: args.keys?.backups, copyToVaultArn: args.nativePlan?.copyToVaultArn,
        copyRegionProvider: args.nativePlan?.copyRegionProvider, protect: r.protect, transforms,
      });
    }

    if (r.copyToRegion !== undefined && args.nativeBackup?.resourceId) {
      this.crossRegionBackup = registerAlicloudCrossRegionBackup({
        name, ctx, parent: this, instanceId: args.nativeBackup.resourceId, region: r.copyToRegion,
        retentionDays: r.retentionDays, logBackups: args.nativeBackup.pointInTimeRecovery, transforms,
      });
    }

    // Monitoring ------------------------------------------------------------------------------------------
    // The restore test's deadline is the RTO and it runs monthly: it gets its whole deadline as grace.
    const verifyGrace = r.startingDeadlineSeconds + r.verify.activeDeadlineSeconds;
    this.monitoring = {
      ruleGroups: buildBackupAlerts({
        name, target: ctx.target, environment: ctx.environment, namespace: ctx.namespace,
        backupCronJob: r.names.backupCronJob, verifyCronJob: r.names.verifyCronJob,
        maxPeriodMinutes: r.maxPeriodMinutes, graceSeconds: staleGraceSeconds(r.startingDeadlineSeconds, r.activeDeadlineSeconds),
        verify: r.verify.enabled ? { maxPeriodMinutes: r.verify.maxPeriodMinutes, graceSeconds: verifyGrace } : undefined,
      }),
      dashboards: [],
      scrapeTargets: [],
    };

    this.registerOutputs({ destinationUrl: this.destinationUrl, achievableRpoMinutes: r.achievableRpoMinutes });
  }
}
