import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { RedisSnapshotSource } from "../lib/contracts";
import { restrictedContainerSecurityContext, tmpVolume } from "../lib/k8s";
import type { PlatformContext } from "../lib/platform";
import type { Transforms } from "../lib/transform";
import { staleAfterSeconds, staleGraceSeconds } from "./alerts";
import { type KubernetesBackupResources, registerBackupWorkload, wrapInCronJob } from "./kubernetes";
import { SNAPSHOT_SCRIPTS, shippedScript } from "./script";
import type { ResolvedBackup } from "./validate";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Container = k8s.types.input.core.v1.Container;
type CronJobSpec = k8s.types.input.batch.v1.CronJobSpec;

const SCRIPT_DIR = "/opt/backup";
const STAGING_DIR = "/staging";
/** The script stops waiting this long before the Job's deadline, so it fails with its own message and cleans up. */
const SCRIPT_MARGIN_SECONDS = 120;
/** The restore test also leaves time to delete its scratch replication group before the deadline. */
const RESTORE_CLEANUP_SECONDS = 300;
/** Time a terminated restore test gets to delete its scratch group (the default 30 s can cut its retries short). */
const SCRATCH_CLEANUP_GRACE_SECONDS = 90;

/**
 * ApsaraDB for Redis OpenAPI endpoint. The central host serves every region (RegionId is a parameter of each call).
 * The VPC endpoints (`r-kvstore-vpc.<region>.aliyuncs.com`) exist for some regions only, and the endpoint tables
 * disagree on which (cn-hangzhou has none in either), so the job uses the central host through the cluster's NAT.
 */
export const KVSTORE_ENDPOINT = "https://r-kvstore.aliyuncs.com";

/** Where a snapshot backup set's backups live, for the component's `destinationUrl` output. */
export function snapshotLocation(source: RedisSnapshotSource, setName: string): pulumi.Output<string> {
  return source.cloud === "aws"
    ? pulumi.interpolate`elasticache://${source.replicationGroupId}/${setName}-*`
    : pulumi.interpolate`kvstore://${source.instanceId}`;
}

export interface SnapshotCronJobInputs {
  r: ResolvedBackup;
  source: RedisSnapshotSource;
  mode: "backup" | "verify";
  labels: Record<string, string>;
  serviceAccountName: pulumi.Input<string>;
  configMapName: pulumi.Input<string>;
}

/** Environment every snapshot container shares: which data store, which backup set, how long to wait. */
export function snapshotEnv(r: ResolvedBackup, source: RedisSnapshotSource, mode: "backup" | "verify"): EnvVar[] {
  const deadline = mode === "verify" ? r.verify.activeDeadlineSeconds : r.activeDeadlineSeconds;
  const common: EnvVar[] = [
    { name: "BACKUP_NAME", value: r.name },
    { name: "EXPECTED_SHARDS", value: String(source.shards) },
    { name: "SNAPSHOT_TIMEOUT_SECONDS", value: String(Math.max(60, r.activeDeadlineSeconds - SCRIPT_MARGIN_SECONDS)) },
    // Read-only root filesystem: tools that want a home directory get the writable /tmp.
    { name: "HOME", value: "/tmp" },
  ];
  if (source.cloud === "aws") {
    return [
      ...common,
      { name: "REPLICATION_GROUP_ID", value: source.replicationGroupId },
      { name: "RETENTION_DAYS", value: String(r.retentionDays) },
      ...(mode === "verify"
        ? [
            { name: "VERIFY_GROUP_ID", value: r.snapshot!.scratchGroupId },
            { name: "RESTORE_TEMPLATE", value: pulumi.output(source.restoreTemplate).apply((t) => JSON.stringify(t)) },
            { name: "RESTORE_TIMEOUT_SECONDS", value: String(Math.max(60, deadline - RESTORE_CLEANUP_SECONDS)) },
          ]
        : []),
    ];
  }
  const region = r.snapshot!.regionId!;
  // The restore test checks the newest backup; one older than the stale-backup threshold proves nothing new.
  const maxAge = staleAfterSeconds(r.maxPeriodMinutes, staleGraceSeconds(r.startingDeadlineSeconds, r.activeDeadlineSeconds));
  return [
    ...common,
    { name: "INSTANCE_ID", value: source.instanceId },
    { name: "REGION_ID", value: region },
    { name: "KVSTORE_ENDPOINT", value: KVSTORE_ENDPOINT },
    ...(source.clusterEdition ? [{ name: "CLUSTER_EDITION", value: "1" }] : []),
    { name: "ALIBABA_CLOUD_STS_ENDPOINT", value: `https://sts-vpc.${region}.aliyuncs.com` },
    { name: "STS_DURATION_SECONDS", value: String(r.credentialSessionSeconds) },
    { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
    ...(mode === "verify" ? [{ name: "STAGING_DIR", value: STAGING_DIR }, { name: "MAX_AGE_SECONDS", value: String(maxAge) }] : []),
  ];
}

/**
 * CronJob spec (pure data) of a native-snapshot backup set.
 * - ElastiCache: one aws cli container. Backup takes an on-demand snapshot and prunes this set's expired ones;
 *   verify restores the newest into a scratch replication group and deletes it again.
 * - ApsaraDB for Redis: backup is one Python container (CreateBackup, wait for every shard). Verify downloads the
 *   newest backup's RDB files over the VPC in an init container, then `redis-check-rdb` checks each in the redis image.
 */
export function buildSnapshotCronJobSpec(i: SnapshotCronJobInputs): CronJobSpec {
  const { r, source, mode } = i;
  const tmp = tmpVolume("tmp", "256Mi");
  const env = snapshotEnv(r, source, mode);
  const needsStaging = source.cloud === "alicloud" && mode === "verify";
  const mounts = [
    { name: "script", mountPath: SCRIPT_DIR, readOnly: true },
    tmp.mount,
    ...(needsStaging ? [{ name: "staging", mountPath: STAGING_DIR }] : []),
  ];
  // Only the ApsaraDB restore test stores data (the downloaded RDB files); API calls need /tmp only.
  const storage = needsStaging ? { request: r.stagingSize, limit: r.ephemeralStorageLimit } : { request: "256Mi", limit: "1Gi" };
  const resources = {
    requests: { ...r.resources.requests, "ephemeral-storage": storage.request },
    limits: { ...r.resources.limits, "ephemeral-storage": storage.limit },
  };
  const container = (name: string, image: string, command: string[]): Container => ({
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command,
    env,
    resources,
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: mounts,
  });
  const [awsScript] = SNAPSHOT_SCRIPTS.aws;
  const [pythonScript, checkScript] = SNAPSHOT_SCRIPTS.alicloud;
  const volumes = [
    { name: "script", configMap: { name: i.configMapName, defaultMode: 0o555 } },
    tmp.volume,
    ...(needsStaging ? [{ name: "staging", emptyDir: { sizeLimit: r.stagingSize } }] : []),
  ];
  if (source.cloud === "aws") {
    const command = mode === "backup" ? "snapshot" : "verify";
    return wrapInCronJob(r, mode, i.labels, i.serviceAccountName, {
      containers: [container(command, r.images.awsCli, ["bash", `${SCRIPT_DIR}/${awsScript}`, command])],
      volumes,
      // A killed restore test still deletes its scratch group: up to 10 DeleteReplicationGroup tries, a few s apart.
      ...(mode === "verify" ? { terminationGracePeriodSeconds: SCRATCH_CLEANUP_GRACE_SECONDS } : {}),
    });
  }
  if (mode === "backup") {
    return wrapInCronJob(r, mode, i.labels, i.serviceAccountName, {
      containers: [container("snapshot", r.images.python, ["python3", `${SCRIPT_DIR}/${pythonScript}`, "snapshot"])],
      volumes,
    });
  }
  return wrapInCronJob(r, mode, i.labels, i.serviceAccountName, {
    initContainers: [container("fetch", r.images.python, ["python3", `${SCRIPT_DIR}/${pythonScript}`, "fetch"])],
    containers: [container("verify", r.images.client, ["bash", `${SCRIPT_DIR}/${checkScript}`])],
    volumes,
  });
}

export interface KubernetesSnapshotInputs {
  r: ResolvedBackup;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  source: RedisSnapshotSource;
  serviceAccountAnnotations?: pulumi.Input<Record<string, string>>;
  transforms?: Transforms<string>;
}

/**
 * A native-snapshot set: the shared backup workload with the cloud's scripts. Its pods never reach the data store
 * itself (no database port in the NetworkPolicy): they call the cloud's API, its token service and (ApsaraDB restore
 * test) the backup download host over HTTPS.
 */
export function registerKubernetesSnapshots(i: KubernetesSnapshotInputs): Omit<KubernetesBackupResources, "credentials"> {
  const { r, source } = i;
  return registerBackupWorkload({
    r, ctx: i.ctx, parent: i.parent, transforms: i.transforms, serviceAccountAnnotations: i.serviceAccountAnnotations,
    scripts: Object.fromEntries(SNAPSHOT_SCRIPTS[source.cloud].map((file) => [file, shippedScript(file)])),
    databasePort: undefined,
    cronJobSpec: (mode, labels, names) => buildSnapshotCronJobSpec({ ...names, r, source, mode, labels }),
  });
}
