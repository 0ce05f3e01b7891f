import * as pulumi from "@pulumi/pulumi";
import { installMocks, plaintextStrings, Recorder, settle, unwrapSecrets } from "../../helpers/mocks";
import type { DatabaseConnection, NativeBackupInfo, RedisSnapshotSource } from "../../../components/lib/contracts";
import type { Environment, PlatformContext, Cloud } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { BackupJob, type BackupJobArgs, scratchGroupId } from "../../../components/backup-job";
import { elasticacheSnapshotPolicy, kvstoreBackupPolicy } from "../../../components/backup-job/identity";
import { shippedScript } from "../../../components/backup-job/script";
import { elasticacheRestoreTemplate } from "../../../components/monitored-database/redis/aws";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

const ctx = (environment: Environment, cloud: Cloud): PlatformContext => ({
  project: "platform", environment, target: "kubernetes", cloud, namespace: "apps", providers: {},
  monitoringLabels: { release: "prom" }, tags: { Team: "data" }, runbookBaseUrl: "https://example.com/runbooks/",
});

const redis = (cluster = false): DatabaseConnection => ({
  engine: "redis",
  host: pulumi.output("cache.internal"),
  port: pulumi.output(6379),
  password: pulumi.secret("r3dis-auth-token-value"),
  tls: true,
  ...(cluster ? { cluster: true } : {}),
  secretRef: { name: pulumi.output("cache"), passwordKey: "password", urlKey: "url" },
});

const template = elasticacheRestoreTemplate({
  nodeType: "cache.r7g.large", engineVersion: "7.1", port: 6379, subnetGroupName: "cache-subnets", securityGroupIds: ["sg-0123"],
  parameterGroupName: "default.redis7.cluster.on", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/data", shards: 3,
});

const elasticache = (shards = 3): RedisSnapshotSource => ({
  cloud: "aws", replicationGroupId: pulumi.output("cache-rg"), shards, restoreTemplate: template,
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/data",
});
const apsara = (shards = 4, regionId: string | null = "cn-hangzhou"): RedisSnapshotSource => ({
  cloud: "alicloud", instanceId: pulumi.output("r-bp1abc"), shards, clusterEdition: shards > 1, ...(regionId ? { regionId } : {}),
});

const native = (source: RedisSnapshotSource | undefined, target: "aws" | "alicloud" = source?.cloud ?? "aws"): NativeBackupInfo => ({
  engine: "redis", target, retentionDays: 7, pointInTimeRecovery: false, snapshotIntervalMinutes: 1440,
  resourceId: pulumi.output(target === "aws" ? "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:cache-rg" : "r-bp1abc"),
  ...(source ? { redisSnapshot: source } : {}),
});

const identity = (cloud: "aws" | "alicloud") => ({ cloud, providerArn: "arn:provider", issuerUrl: "https://oidc.local/id/X" });

function args(source: RedisSnapshotSource, overrides: Partial<BackupJobArgs> = {}): BackupJobArgs {
  return {
    connection: redis(source.shards > 1),
    nativeBackup: native(source),
    // ElastiCache takes at most 20 manual snapshots per node a day: every 2 hours there.
    schedule: source.cloud === "aws" ? "0 */2 * * *" : "0 * * * *",
    retentionDays: 7,
    rpoMinutes: source.cloud === "aws" ? 120 : 60,
    rtoMinutes: 240,
    destination: { type: source.cloud === "aws" ? "s3" : "oss" },
    verify: { schedule: "0 4 1 * *" },
    identity: identity(source.cloud),
    ...overrides,
  };
}

const pod = (name: string) => unwrapSecrets(rec.one("kubernetes:batch/v1:CronJob", name).inputs).spec.jobTemplate.spec.template.spec;
const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

function validationMessage(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error("expected a ValidationError");
}

describe("managed Redis on AWS: on-demand ElastiCache snapshots and a restore test in ElastiCache", () => {
  test("one aws cli container per CronJob, no bucket, no password, the scripts that shellcheck and the integration tests check", async () => {
    const job = new BackupJob("cache", args(elasticache()), ctx("prod", "aws"));
    await settle();
    expect(job.settings.method).toBe("snapshot");
    expect(job.bucketName).toBeUndefined();
    expect(rec.byType("aws:s3/bucketV2:BucketV2")).toHaveLength(0);
    expect(rec.byType("aws:backup/plan:Plan")).toHaveLength(0);
    expect(await new Promise((resolve) => job.destinationUrl.apply(resolve))).toBe("elasticache://cache-rg/cache-*");

    const backup = pod("cache-backup");
    expect(backup.initContainers).toBeUndefined();
    const [snap] = backup.containers;
    expect(snap).toMatchObject({ name: "snapshot", image: "amazon/aws-cli:2.22.35", command: ["bash", "/opt/backup/redis-snapshot-aws.sh", "snapshot"] });
    expect(envOf(snap)).toMatchObject({ REPLICATION_GROUP_ID: "cache-rg", BACKUP_NAME: "cache", RETENTION_DAYS: "7", EXPECTED_SHARDS: "3", SNAPSHOT_TIMEOUT_SECONDS: String(3600 - 120) });
    expect(snap.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(snap.resources.limits["ephemeral-storage"]).toBe("1Gi");
    // Nothing of the data store's password reaches a snapshot pod: it talks to the API only.
    expect(JSON.stringify(backup)).not.toContain("REDISCLI_AUTH");

    const verify = pod("cache-verify");
    expect(verify.terminationGracePeriodSeconds).toBe(90);
    expect(backup.terminationGracePeriodSeconds).toBeUndefined();
    const [restore] = verify.containers;
    expect(restore.command).toEqual(["bash", "/opt/backup/redis-snapshot-aws.sh", "verify"]);
    const env = envOf(restore);
    expect(env.VERIFY_GROUP_ID).toBe("rt-cache");
    expect(JSON.parse(env.RESTORE_TEMPLATE)).toEqual(template);
    // The restore test has the RTO as its deadline and stops waiting early enough to delete its scratch group.
    expect(env.RESTORE_TIMEOUT_SECONDS).toBe(String(240 * 60 - 300));
    expect(unwrapSecrets(rec.one("kubernetes:batch/v1:CronJob", "cache-verify").inputs).spec.jobTemplate.spec.activeDeadlineSeconds).toBe(240 * 60);

    const script = unwrapSecrets(rec.one("kubernetes:core/v1:ConfigMap", "cache-script").inputs);
    expect(Object.keys(script.data)).toEqual(["redis-snapshot-aws.sh"]);
    expect(script.data["redis-snapshot-aws.sh"]).toBe(shippedScript("redis-snapshot-aws.sh"));

    const policy = JSON.parse(unwrapSecrets(rec.one("aws:iam/rolePolicy:RolePolicy", "cache-policy").inputs).policy);
    expect(policy).toEqual(JSON.parse(elasticacheSnapshotPolicy("cache-rg", "cache", "rt-cache", "arn:aws:kms:us-east-1:123456789012:key/data")));
    const sa = unwrapSecrets(rec.one("kubernetes:core/v1:ServiceAccount", "cache-service-account").inputs);
    expect(Object.keys(sa.metadata.annotations)).toEqual(["eks.amazonaws.com/role-arn"]);

    const np = unwrapSecrets(rec.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "cache-network-policy").inputs);
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toEqual([]);
    // DNS and HTTPS to the API only: the data store's own port stays closed to the job.
    expect(np.spec.egress.flatMap((e: any) => e.ports.map((p: any) => p.port))).toEqual([53, 53, 443]);
    expect(plaintextStrings(rec.resources.map((r) => r.inputs)).filter((s) => s.value.includes("r3dis-auth-token-value"))).toEqual([]);
  });

  test("the IAM policy is scoped to the group, this set's snapshots and its scratch group; never Resource \"*\" for ElastiCache", () => {
    const policy = JSON.parse(elasticacheSnapshotPolicy("cache-rg", "cache", "rt-cache"));
    const byAction = (action: string) => policy.Statement.filter((s: any) => [s.Action].flat().includes(action)).flatMap((s: any) => [s.Resource].flat());
    expect(byAction("elasticache:DeleteSnapshot")).toEqual(["arn:aws:elasticache:*:*:snapshot:cache-*"]);
    expect(byAction("elasticache:DeleteReplicationGroup")).toContain("arn:aws:elasticache:*:*:replicationgroup:rt-cache");
    expect(byAction("elasticache:DeleteReplicationGroup")).not.toContain("arn:aws:elasticache:*:*:replicationgroup:cache-rg");
    expect(byAction("elasticache:CreateSnapshot")).toContain("arn:aws:elasticache:*:*:replicationgroup:cache-rg");
    for (const s of policy.Statement) {
      if ([s.Action].flat().some((a: string) => a.startsWith("elasticache:"))) expect([s.Resource].flat()).not.toContain("*");
    }
    expect(policy.Statement.find((s: any) => s.Sid === "Key")).toBeUndefined();
  });

  test("the scratch group id fits ElastiCache's rules for any backup set name", () => {
    for (const name of ["cache", "0cache", "a--b", "x".repeat(45)]) {
      const id = scratchGroupId(name);
      expect(id).toMatch(/^[a-z][a-z0-9-]{0,39}$/);
      expect(id).not.toMatch(/--|-$/);
    }
    expect(scratchGroupId("x".repeat(45))).not.toBe(scratchGroupId(`${"x".repeat(44)}y`));
  });

  test("the restore template mirrors the original without replicas, in both cluster modes", () => {
    expect(template).toMatchObject({ NumNodeGroups: 3, ReplicasPerNodeGroup: 0, AutomaticFailoverEnabled: true, TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true, SnapshotRetentionLimit: 0 });
    const single = elasticacheRestoreTemplate({ nodeType: "cache.t4g.small", engineVersion: "7.1", port: 6379, subnetGroupName: "s", securityGroupIds: ["sg-1"] });
    expect(single).toMatchObject({ NumCacheClusters: 1, AutomaticFailoverEnabled: false });
    expect(single).not.toHaveProperty("NumNodeGroups");
    expect(single).not.toHaveProperty("KmsKeyId");
    expect(single).not.toHaveProperty("CacheParameterGroupName");
  });
});

describe("managed Redis on Alibaba Cloud: on-demand ApsaraDB backups, downloaded and checked by redis-check-rdb", () => {
  test("snapshot in Python, restore check as fetch (Python) then redis-check-rdb (redis image), RAM scoped to the instance", async () => {
    const job = new BackupJob("cache", args(apsara()), ctx("prod", "alicloud"));
    await settle();
    expect(job.settings.method).toBe("snapshot");
    expect(rec.byType("alicloud:oss/bucket:Bucket")).toHaveLength(0);

    const [snap] = pod("cache-backup").containers;
    expect(snap).toMatchObject({ image: "python:3.13.1-slim-bookworm", command: ["python3", "/opt/backup/redis-snapshot-alicloud.py", "snapshot"] });
    expect(envOf(snap)).toMatchObject({
      INSTANCE_ID: "r-bp1abc", REGION_ID: "cn-hangzhou", EXPECTED_SHARDS: "4", KVSTORE_ENDPOINT: "https://r-kvstore.aliyuncs.com", CLUSTER_EDITION: "1",
      ALIBABA_CLOUD_STS_ENDPOINT: "https://sts-vpc.cn-hangzhou.aliyuncs.com", PYTHONDONTWRITEBYTECODE: "1",
    });

    const verify = pod("cache-verify");
    const [fetch] = verify.initContainers;
    const [check] = verify.containers;
    expect(fetch.command).toEqual(["python3", "/opt/backup/redis-snapshot-alicloud.py", "fetch"]);
    expect(check).toMatchObject({ image: "redis:7.4.1-bookworm", command: ["bash", "/opt/backup/redis-check-rdbs.sh"] });
    // The newest backup must be younger than the stale threshold: hourly, 15 min start grace, 30 min deadline.
    expect(envOf(fetch)).toMatchObject({ STAGING_DIR: "/staging", MAX_AGE_SECONDS: String(3600 + 900 + 1800) });
    expect(verify.volumes.find((v: any) => v.name === "staging").emptyDir.sizeLimit).toBe("10Gi");

    const script = unwrapSecrets(rec.one("kubernetes:core/v1:ConfigMap", "cache-script").inputs);
    expect(Object.keys(script.data).sort()).toEqual(["redis-check-rdbs.sh", "redis-snapshot-alicloud.py"]);
    const ram = JSON.parse(unwrapSecrets(rec.one("alicloud:ram/policy:Policy", "cache-policy").inputs).policyDocument);
    expect(ram).toEqual(JSON.parse(kvstoreBackupPolicy("r-bp1abc")));
    expect(ram.Statement[0].Resource).toEqual(["acs:kvstore:*:*:instance/r-bp1abc"]);
    const sa = unwrapSecrets(rec.one("kubernetes:core/v1:ServiceAccount", "cache-service-account").inputs);
    expect(Object.keys(sa.metadata.annotations)).toEqual(["pod-identity.alibabacloud.com/role-name"]);
  });
});

describe("bad input for a managed Redis backup set fails before anything is registered", () => {
  test("dump-only settings, a missing identity and a missing region are all reported in one run", () => {
    const message = validationMessage(() =>
      new BackupJob("cache", args(apsara(1, null), {
        destination: { type: "oss", bucket: "acme-backups", prefix: "redis", lifecycleRule: false },
        identity: undefined,
      }), ctx("prod", "alicloud")));
    expect(message).toContain("destination.bucket: does not apply to a managed Redis: its backups are native ApsaraDB for Redis snapshots");
    expect(message).toContain("destination.prefix: does not apply");
    expect(message).toContain("destination.lifecycleRule: does not apply");
    expect(message).toContain("identity: is required for native ApsaraDB for Redis snapshots on Kubernetes");
    expect(message).toContain("nativeBackup.redisSnapshot.regionId: must be the instance's Alibaba Cloud region id");
    expect(rec.resources).toHaveLength(0);
  });

  test("a managed Redis without its snapshot handle is refused: redis-cli --rdb would fail on every run", () => {
    const message = validationMessage(() => new BackupJob("cache", args(elasticache(1), { nativeBackup: native(undefined, "aws") }), ctx("prod", "aws")));
    expect(message).toContain("nativeBackup.redisSnapshot: is required for a managed Redis (ElastiCache): it refuses SYNC");
  });

  test("ElastiCache's daily snapshot limit, its name limit and the RPO it cannot meet, each with the reason", () => {
    const message = validationMessage(() =>
      new BackupJob("0cache--hot", args(elasticache(1), { schedule: "0 * * * *", rpoMinutes: 60 }), ctx("prod", "aws")));
    expect(message).toContain('name: must start with a letter, hold no "--" and be at most 24 characters');
    expect(message).toContain('schedule: takes 24 snapshots a day; ElastiCache allows at most 20 manual snapshots per node in any 24 hours');
    const rpo = validationMessage(() => new BackupJob("cache", args(elasticache(1), { rpoMinutes: 60 }), ctx("prod", "aws")));
    expect(rpo).toContain("rpoMinutes: cannot be met: the best recovery point is 120 min old");
    expect(rpo).toContain('ElastiCache takes at most 20 manual snapshots per node a day and has no log backups, so "0 */2 * * *" (120 min) is the best regular schedule');
    // 20 a day is allowed: 20 hours at minute 0.
    expect(() => new BackupJob("cache", args(elasticache(1), { schedule: "0 0-19 * * *", rpoMinutes: 300 }), ctx("prod", "aws"))).not.toThrow();
  });

  test("a scratch-space size for ElastiCache, an identity of the other cloud, a shard count of 0", () => {
    const message = validationMessage(() =>
      new BackupJob("cache", args(elasticache(0), { stagingSize: "20Gi", identity: identity("alicloud") }), ctx("prod", "aws")));
    expect(message).toContain("stagingSize: does not apply to a managed Redis");
    expect(message).toContain("identity.cloud: must be aws for ElastiCache snapshots");
    expect(message).toContain("nativeBackup.redisSnapshot.shards: must be a positive integer (got 0)");
  });
});
