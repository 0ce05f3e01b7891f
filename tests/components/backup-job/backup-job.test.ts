import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, plaintextStrings, Recorder, settle, unwrapSecrets } from "../../helpers/mocks";
import type { DatabaseConnection, NativeBackupInfo } from "../../../components/lib/contracts";
import type { Environment, PlatformContext, Target, Cloud } from "../../../components/lib/platform";
import { alertRules } from "../../../components/lib/alerts";
import { ValidationError } from "../../../components/lib/validation";
import { BACKUP_ALERTS, BackupJob, type BackupJobArgs, awsBackupSchedule, backupAlertCatalog, buildBackupAlerts, ossRegionOf } from "../../../components/backup-job";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

function ctx(environment: Environment, target: Target, cloud: Cloud): PlatformContext {
  return {
    project: "platform", environment, target, cloud, namespace: "apps", providers: {},
    monitoringLabels: { release: "prom" }, tags: { Team: "data" }, runbookBaseUrl: "https://example.com/runbooks/",
    dockerNetworks: target === "docker" ? { frontend: "fe", backend: "be-net" } : undefined,
  };
}

function pg(secretRef = true): DatabaseConnection {
  return {
    engine: "postgres",
    host: pulumi.output("db.internal"),
    port: pulumi.output(5432),
    user: pulumi.output("app"),
    database: pulumi.output("orders"),
    password: pulumi.secret("s3cr3t-password"),
    tls: true,
    secretRef: secretRef ? { name: pulumi.output("orders-db"), passwordKey: "password", urlKey: "url" } : undefined,
  };
}

const rdsNative = (pitr: boolean): NativeBackupInfo => ({
  engine: "postgres", target: "aws", retentionDays: 30, pointInTimeRecovery: pitr, snapshotIntervalMinutes: 1440,
  resourceId: pulumi.output("arn:aws:rds:us-east-1:123456789012:db:orders"),
});

const k8sCtx = (environment: Environment): PlatformContext => ctx(environment, "kubernetes", "aws");

function k8sArgs(environment: Environment, overrides: Partial<BackupJobArgs> = {}): BackupJobArgs {
  return {
    connection: pg(),
    nativeBackup: rdsNative(true),
    schedule: "0 2 * * *",
    retentionDays: environment === "prod" ? 30 : 7,
    rpoMinutes: environment === "prod" ? 60 : 1440,
    rtoMinutes: 240,
    destination: { type: "s3" },
    verify: { schedule: "0 4 1 * *", query: "SELECT count(*) FROM orders" },
    identity: { cloud: "aws", providerArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.local/id/X", issuerUrl: "https://oidc.eks.local/id/X" },
    keys: { backups: "arn:aws:kms:us-east-1:123456789012:key/backups" },
    ...overrides,
  };
}

const cronJob = (name: string) => rec.one("kubernetes:batch/v1:CronJob", name).inputs;

describe("BackupJob on Kubernetes (AWS)", () => {
  test("prod: backup and verify CronJobs with safe job settings, pinned images, restricted pods, secret password", async () => {
    new BackupJob("orders", k8sArgs("prod"), k8sCtx("prod"));
    await settle();
    const backup = cronJob("orders-backup");
    expect(backup.metadata.name).toBe("orders-backup");
    expect(backup.spec).toMatchObject({
      schedule: "0 2 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", failedJobsHistoryLimit: 1, startingDeadlineSeconds: 900,
    });
    const job = backup.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(1);
    expect(job.activeDeadlineSeconds).toBe(4 * 3600);
    expect(job.activeDeadlineSeconds).toBeLessThan(86400);
    const pod = job.template.spec;
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const [dump] = pod.initContainers;
    const [upload] = pod.containers;
    expect(dump.image).toBe("postgres:16.6-bookworm");
    expect(upload.image).toBe("amazon/aws-cli:2.22.35");
    for (const c of [dump, upload]) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(c.resources.limits).toBeDefined();
      // The dump cannot fill the node disk: bounded scratch volume, requested and limited ephemeral storage.
      expect(c.resources.requests["ephemeral-storage"]).toBe("10Gi");
      expect(c.resources.limits["ephemeral-storage"]).toBe("11264Mi");
    }
    expect(pod.volumes.find((v: any) => v.name === "staging")).toEqual({ name: "staging", emptyDir: { sizeLimit: "10Gi" } });
    expect(dump.command).toEqual(["bash", "/opt/backup/backup.sh", "dump"]);
    expect(upload.command).toEqual(["bash", "/opt/backup/backup.sh", "upload"]);
    expect(dump.env).toContainEqual({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "orders-db", key: "password" } } });
    expect(upload.env.find((e: any) => e.name === "BACKUP_DESTINATION").value).toMatch(/^s3:\/\/.+\/backups$/);
    expect(upload.env.find((e: any) => e.name === "PGPASSWORD")).toBeUndefined();

    const verify = cronJob("orders-verify");
    expect(verify.spec.schedule).toBe("0 4 1 * *");
    expect(verify.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(240 * 60);
    expect(verify.spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: "VERIFY_QUERY", value: "SELECT count(*) FROM orders" });

    const script = rec.one("kubernetes:core/v1:ConfigMap", "orders-script").inputs;
    expect(script.data["backup.sh"]).toBe(fs.readFileSync(path.join(__dirname, "../../../components/backup-job/scripts/backup.sh"), "utf8"));
    expect(rec.byType("kubernetes:core/v1:Secret")).toHaveLength(0);
    const everything = rec.resources.flatMap((r) => plaintextStrings(r.inputs));
    expect(everything.filter((s) => s.value.includes("s3cr3t-password"))).toEqual([]);
  });

  test("prod: encrypted, versioned, private, TLS-only bucket with lifecycle = retention, protected", async () => {
    new BackupJob("orders", k8sArgs("prod"), k8sCtx("prod"));
    await settle();
    const bucket = rec.one("aws:s3/bucket:Bucket", "orders-bucket");
    expect(bucket.protect).toBe(true);
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(rec.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status).toBe("Enabled");
    expect(rec.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0].applyServerSideEncryptionByDefault)
      .toEqual({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/backups" });
    expect(rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    const policy = JSON.parse(rec.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    const rule = rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0];
    expect(rule.expiration.days).toBe(30);
    expect(rule.noncurrentVersionExpiration.noncurrentDays).toBe(30);
  });

  test("IRSA: role trusts only the job's ServiceAccount, policy is limited to the prefix and key, SA annotated", async () => {
    new BackupJob("orders", k8sArgs("staging"), k8sCtx("staging"));
    await settle();
    const role = rec.one("aws:iam/role:Role", "orders-role").inputs;
    const trust = JSON.parse(role.assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      "oidc.eks.local/id/X:sub": "system:serviceaccount:apps:orders-backup",
      "oidc.eks.local/id/X:aud": "sts.amazonaws.com",
    });
    const policy = JSON.parse(rec.one("aws:iam/rolePolicy:RolePolicy", "orders-policy").inputs.policy);
    expect(policy.Statement[0].Resource).toMatch(/^arn:aws:s3:::.+\/backups\/orders\/\*$/);
    expect(policy.Statement.map((s: any) => s.Action).flat()).not.toContain("s3:*");
    expect(policy.Statement.find((s: any) => s.Sid === "Key").Resource).toBe("arn:aws:kms:us-east-1:123456789012:key/backups");
    const sa = rec.one("kubernetes:core/v1:ServiceAccount").inputs;
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:/);
  });

  test("prod on AWS adds an AWS Backup vault (KMS), plan with continuous backup and cross-region copy, selection by ARN", async () => {
    new BackupJob("orders", k8sArgs("prod", { nativePlan: { copyToVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr" } }), k8sCtx("prod"));
    await settle();
    expect(rec.one("aws:backup/vault:Vault", "orders-vault").inputs.kmsKeyArn).toBe("arn:aws:kms:us-east-1:123456789012:key/backups");
    const rule = rec.one("aws:backup/plan:Plan").inputs.rules[0];
    expect(rule).toMatchObject({ schedule: "cron(0 2 * * ? *)", enableContinuousBackup: true, lifecycle: { deleteAfter: 30 } });
    expect(rule.copyActions[0].destinationVaultArn).toBe("arn:aws:backup:eu-west-1:123456789012:backup-vault:dr");
    expect(rec.one("aws:backup/selection:Selection").inputs.resources).toEqual(["arn:aws:rds:us-east-1:123456789012:db:orders"]);
  });

  test("Alibaba Cloud RDS: copyToRegion registers the instance's cross-region backup policy (no AWS Backup plan)", async () => {
    const alicloudArgs = (copyToRegion: string, retentionDays = 30) => k8sArgs("prod", {
      retentionDays,
      nativeBackup: { engine: "postgres", target: "alicloud", retentionDays: 30, pointInTimeRecovery: false, snapshotIntervalMinutes: 1440, resourceId: pulumi.output("pgm-orders") },
      rpoMinutes: 1440,
      destination: { type: "oss", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com" },
      identity: { cloud: "alicloud", providerArn: "acs:ram::1:oidc-provider/ack", issuerUrl: "https://oidc-ack.aliyuncs.com/c1" },
      nativePlan: { copyToRegion },
    });
    const job = new BackupJob("orders", alicloudArgs("cn-shanghai"), ctx("prod", "kubernetes", "alicloud"));
    await settle();
    expect(job.crossRegionBackup).toBeDefined();
    expect(rec.one("alicloud:rds/rdsInstanceCrossBackupPolicy:RdsInstanceCrossBackupPolicy", "orders-cross-region-backup").inputs)
      .toEqual({ instanceId: "pgm-orders", crossBackupRegion: "cn-shanghai", retention: 30, logBackupEnabled: "Disabled" });
    expect(rec.byType("aws:backup/plan:Plan")).toHaveLength(0);
    rec.clear();
    expect(() => new BackupJob("bad", alicloudArgs("Shanghai", 2000), ctx("prod", "kubernetes", "alicloud")))
      .toThrow(/nativePlan\.copyToRegion: must be an Alibaba Cloud region id like cn-shanghai \(got "Shanghai"\)[\s\S]*retentionDays: must be at most 1825 with a cross-region backup/);
    await settle();
    expect(rec.resources).toHaveLength(0);
  });

  test("staging: no AWS Backup plan, bucket not protected, 7-day lifecycle", async () => {
    new BackupJob("orders", k8sArgs("staging"), k8sCtx("staging"));
    await settle();
    expect(rec.byType("aws:backup/plan:Plan")).toHaveLength(0);
    expect(rec.one("aws:s3/bucket:Bucket").protect).toBe(false);
    expect(rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0].expiration.days).toBe(7);
  });

  test("without secretRef the password goes into a component Secret as a secret value", async () => {
    new BackupJob("orders", k8sArgs("staging", { connection: pg(false) }), k8sCtx("staging"));
    await settle();
    const secret = rec.one("kubernetes:core/v1:Secret", "orders-credentials");
    expect(plaintextStrings(secret.inputs).map((s) => s.value)).not.toContain("s3cr3t-password");
    expect(unwrapSecrets(secret.inputs).stringData.password).toBe("s3cr3t-password");
  });

  test("Alibaba Cloud: OSS bucket (private, versioned, KMS, lifecycle), RRSA role, endpoint passed to the job", async () => {
    new BackupJob("orders", k8sArgs("staging", {
      nativeBackup: { engine: "postgres", target: "alicloud", retentionDays: 7, pointInTimeRecovery: true },
      destination: { type: "oss", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com" },
      identity: { cloud: "alicloud", providerArn: "acs:ram::1:oidc-provider/ack", issuerUrl: "https://oidc-ack.aliyuncs.com/c1" },
      keys: { backups: "kms-key-1" },
    }), ctx("staging", "kubernetes", "alicloud"));
    await settle();
    const bucket = rec.one("alicloud:oss/bucket:Bucket").inputs;
    expect(bucket).toMatchObject({ acl: "private", versioning: { status: "Enabled" }, serverSideEncryptionRule: { sseAlgorithm: "KMS", kmsMasterKeyId: "kms-key-1" } });
    expect(bucket.lifecycleRules[0].expirations[0].days).toBe(7);
    const trust = JSON.parse(rec.one("alicloud:ram/role:Role").inputs.assumeRolePolicyDocument);
    expect(trust.Statement[0].Condition.StringEquals["oidc:sub"]).toBe("system:serviceaccount:apps:orders-backup");
    const storageEnv = cronJob("orders-backup").spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(storageEnv).toContainEqual({ name: "S3_ENDPOINT_URL", value: "https://oss-cn-hangzhou-internal.aliyuncs.com" });
    // RRSA: the script trades the webhook's token at the region's VPC STS; OSS wants virtual-hosted bucket names.
    expect(storageEnv).toEqual(expect.arrayContaining([
      { name: "STORAGE_IDENTITY", value: "rrsa" },
      { name: "S3_ADDRESSING_STYLE", value: "virtual" },
      { name: "ALIBABA_CLOUD_STS_ENDPOINT", value: "https://sts-vpc.cn-hangzhou.aliyuncs.com" },
      { name: "AWS_DEFAULT_REGION", value: "cn-hangzhou" },
      { name: "STS_DURATION_SECONDS", value: "14400" },
    ]));
    // Sessions as long as the longest job (the 4 h restore test), which the role must allow.
    expect(rec.one("alicloud:ram/role:Role").inputs.maxSessionDuration).toBe(14400);
  });

  test("ossRegionOf reads the region from OSS endpoints only", () => {
    expect(ossRegionOf("https://s3.oss-cn-hangzhou-internal.aliyuncs.com")).toBe("cn-hangzhou");
    expect(ossRegionOf("https://oss-ap-southeast-1.aliyuncs.com/")).toBe("ap-southeast-1");
    expect(ossRegionOf("https://minio.internal:9000")).toBeUndefined();
    expect(ossRegionOf(undefined)).toBeUndefined();
  });

  test("a Redis cluster connection: every container of both jobs gets REDIS_CLUSTER=1 and the configuration endpoint", async () => {
    const redis = (cluster: boolean): DatabaseConnection => ({
      engine: "redis", host: pulumi.output("clustercfg.sessions.abc123.use1.cache.amazonaws.com"), port: pulumi.output(6379),
      password: pulumi.secret("s3cr3t-password"), tls: true, ...(cluster ? { cluster: true } : {}),
      secretRef: { name: pulumi.output("sessions-redis"), passwordKey: "password", urlKey: "url" },
    });
    const redisArgs = { verify: { schedule: "0 4 1 * *" }, nativeBackup: undefined, schedule: "0 * * * *", retentionDays: 7 };
    new BackupJob("sessions", k8sArgs("prod", { ...redisArgs, connection: redis(true) }), k8sCtx("prod"));
    new BackupJob("single", k8sArgs("prod", { ...redisArgs, connection: redis(false) }), k8sCtx("prod"));
    await settle();
    for (const job of ["sessions-backup", "sessions-verify"]) {
      const pod = cronJob(job).spec.jobTemplate.spec.template.spec;
      for (const c of [...pod.initContainers, ...pod.containers]) {
        // The aws cli containers list and fetch the set's tar object too, so they must know it is a cluster backup.
        expect(c.env).toContainEqual({ name: "REDIS_CLUSTER", value: "1" });
      }
      const client = pod.initContainers[0].name === "dump" ? pod.initContainers[0] : pod.containers[0];
      expect(client.env).toContainEqual({ name: "REDIS_HOST", value: "clustercfg.sessions.abc123.use1.cache.amazonaws.com" });
      expect(client.env).toContainEqual({ name: "REDIS_TLS", value: "1" });
      expect(client.env).toContainEqual({ name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "sessions-redis", key: "password" } } });
    }
    for (const job of ["single-backup", "single-verify"]) {
      const pod = cronJob(job).spec.jobTemplate.spec.template.spec;
      for (const c of [...pod.initContainers, ...pod.containers]) expect(c.env.map((e: any) => e.name)).not.toContain("REDIS_CLUSTER");
    }
  });

  test("S3 on AWS gets none of the OSS/RRSA settings", async () => {
    new BackupJob("orders", k8sArgs("staging"), k8sCtx("staging"));
    await settle();
    const names = cronJob("orders-backup").spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(names.filter((n: string) => /STORAGE_IDENTITY|S3_ADDRESSING_STYLE|ALIBABA_CLOUD|STS_DURATION/.test(n))).toEqual([]);
  });
});

describe("BackupJob on Docker", () => {
  const dockerCtx = ctx("dev", "docker", "none");
  const dockerArgs = (overrides: Partial<BackupJobArgs> = {}): BackupJobArgs => ({
    connection: pg(false),
    schedule: "0 2 * * *",
    retentionDays: 7,
    rpoMinutes: 1440,
    rtoMinutes: 240,
    destination: { type: "local" },
    verify: { schedule: "0 4 1 * *" },
    ...overrides,
  });

  test("scheduler containers on the backend network, hardened, local volume, secret password env", async () => {
    new BackupJob("orders", dockerArgs(), dockerCtx);
    await settle();
    const c = rec.one("docker:index/container:Container", "orders-backup-container").inputs;
    expect(c.image).toBe("postgres:16.6-bookworm");
    expect(c.networksAdvanced).toEqual([{ name: "be-net" }]);
    expect(c).toMatchObject({ readOnly: true, user: "999:999", capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"] });
    expect(c.command).toEqual(["bash", "/opt/backup/scheduler.sh"]);
    const env = unwrapSecrets(c.envs) as string[];
    expect(env).toContain("BACKUP_DESTINATION=file:///var/lib/postgresql/backups");
    expect(env).toContain("CRON_MINUTES=0");
    expect(env).toContain("CRON_HOURS=2");
    expect(env).toContain("METRICS_TEXTFILE_DIR=/var/lib/postgresql/metrics");
    expect(plaintextStrings(c.envs).map((s) => s.value).join("\n")).not.toContain("s3cr3t-password");
    expect(c.uploads.map((u: any) => u.file)).toEqual(["/opt/backup/backup.sh", "/opt/backup/scheduler.sh"]);
    expect(rec.one("docker:index/container:Container", "orders-verify-container").inputs.envs).toBeDefined();
    expect(rec.byType("docker:index/volume:Volume").map((v) => v.name).sort()).toEqual(["orders-scripts-volume", "orders-volume"]);
    expect(rec.byType("kubernetes:batch/v1:CronJob")).toHaveLength(0);
  });

  test("with the stack's shared textfile volume: results go where node-exporter reads them, a copy stays in the job's volume", async () => {
    new BackupJob("orders", dockerArgs(), { ...dockerCtx, dockerMetricsVolume: "platform-dev-metrics-textfile" });
    await settle();
    for (const mode of ["backup", "verify"]) {
      const c = rec.one("docker:index/container:Container", `orders-${mode}-container`).inputs;
      expect(c.volumes).toContainEqual({ volumeName: "platform-dev-metrics-textfile", containerPath: "/metrics" });
      const env = unwrapSecrets(c.envs) as string[];
      expect(env).toContain("METRICS_TEXTFILE_DIR=/metrics");
      expect(env).toContain("METRICS_STATE_DIR=/var/lib/postgresql/metrics");
    }
  });
});

describe("BackupJob on Docker with an S3-compatible destination", () => {
  const s3Args = (overrides: Partial<BackupJobArgs["destination"]> = {}): BackupJobArgs => ({
    connection: pg(false), schedule: "0 2 * * *", retentionDays: 7, rpoMinutes: 1440, rtoMinutes: 240,
    destination: {
      type: "s3", bucket: "dev-backups", endpointUrl: "https://minio.internal:9000", lifecycleRule: false,
      credentials: { accessKeyId: pulumi.secret("AKIA-DOCKER-TEST"), secretAccessKey: pulumi.secret("docker-s3-secret-value") },
      ...overrides,
    },
    verify: { schedule: "0 4 1 * *" },
    images: { client: "registry.example.com/ops/pg-backup:16.6-aws2" },
  });

  test("the keys reach the aws cli only as a 0400 credentials file of the job's user, never as env or plaintext", async () => {
    new BackupJob("orders", s3Args(), ctx("dev", "docker", "none"));
    await settle();
    for (const mode of ["backup", "verify"]) {
      const c = rec.one("docker:index/container:Container", `orders-${mode}-container`).inputs;
      expect(c.image).toBe("registry.example.com/ops/pg-backup:16.6-aws2");
      const env = unwrapSecrets(c.envs) as string[];
      expect(env).toEqual(expect.arrayContaining([
        "BACKUP_DESTINATION=s3://dev-backups/backups", "S3_ENDPOINT_URL=https://minio.internal:9000", "AWS_SHARED_CREDENTIALS_FILE=/opt/backup/aws-credentials",
      ]));
      expect(env.filter((e) => /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)=/.test(e))).toEqual([]);
      const file = unwrapSecrets(c.uploads).find((u: any) => u.file === "/opt/backup/aws-credentials");
      expect(file).toMatchObject({ permissions: "0400", owner: "999", group: "999" });
      expect(file.content).toBe("[default]\naws_access_key_id = AKIA-DOCKER-TEST\naws_secret_access_key = docker-s3-secret-value\n");
      const plain = plaintextStrings(c).map((x) => x.value).join("\n");
      expect(plain).not.toContain("docker-s3-secret-value");
      expect(plain).not.toContain("AKIA-DOCKER-TEST");
    }
  });

  test("a local destination gets no credentials file", async () => {
    new BackupJob("orders", { ...s3Args(), destination: { type: "local" } }, ctx("dev", "docker", "none"));
    await settle();
    const c = rec.one("docker:index/container:Container", "orders-backup-container").inputs;
    expect(c.uploads.map((u: any) => u.file)).toEqual(["/opt/backup/backup.sh", "/opt/backup/scheduler.sh"]);
  });

  test("without credentials, or with them on Kubernetes, it is refused naming destination.credentials and never echoing them", async () => {
    expect(() => new BackupJob("orders", s3Args({ credentials: undefined }), ctx("dev", "docker", "none")))
      .toThrow(/destination\.credentials: are required for s3 on Docker \(there is no workload identity\)/);
    const onK8s = () => new BackupJob("orders", k8sArgs("staging", { destination: s3Args().destination }), k8sCtx("staging"));
    expect(onK8s).toThrow(/destination\.credentials: are for the Docker target only; on Kubernetes the job gets short-lived credentials from workload identity/);
    expect(onK8s).toThrow(/not shown because the key looks secret/);
    await settle();
    expect(rec.resources).toHaveLength(0);
  });
});

describe("bad input fails up front with key path and value, registering nothing", () => {
  const cases: Array<[string, Partial<BackupJobArgs>, RegExp, Environment?]> = [
    ["invalid cron", { schedule: "0 25 * * *" }, /schedule: must be a 5-field cron expression: hour value 25 is outside 0-23 \(got "0 25 \* \* \*"\)/],
    ["retention below 1 day", { retentionDays: 0 }, /retentionDays: must be a whole number of days from 1 to 3650 \(got 0\)/],
    ["RPO a daily dump without PITR cannot meet", { nativeBackup: rdsNative(false), rpoMinutes: 60 }, /rpoMinutes: cannot be met: the best recovery point is 1440 min old.*\(got 60\)/, "prod"],
    ["RTO below a restore's minimum", { rtoMinutes: 10 }, /rtoMinutes: cannot be met by restoring.*\(got 10\)/],
    ["local destination on Kubernetes", { destination: { type: "local" } }, /destination\.type: local is for the Docker target only.*\(got "local"\)/],
    ["schedule more frequent than the deadline", { schedule: "*/30 * * * *", activeDeadlineSeconds: 3600 }, /schedule: runs every 30 min, more often than the job deadline of 3600s allows.*\(got "\*\/30 \* \* \* \*"\)/],
    ["verification off in prod", { verify: { enabled: false, schedule: "0 4 1 * *" } }, /verify\.enabled: must stay on in prod.*\(got false\)/, "prod"],
    ["unpinned image", { images: { client: "postgres:latest" } }, /images\.client: must be pinned.*\(got "postgres:latest"\)/],
    ["s3 without workload identity", { identity: undefined }, /identity: is required for s3 on Kubernetes/],
    ["dump scratch space not a quantity", { stagingSize: "lots" }, /stagingSize: must be a storage quantity like 20Gi, from 1Mi to 1Ti \(got "lots"\)/],
    ["a region on an s3 destination", { destination: { type: "s3", region: "cn-hangzhou" } }, /destination\.region: applies to oss destinations only \(got "cn-hangzhou"\)/],
    ["dump scratch space above 1Ti", { stagingSize: "2Ti" }, /stagingSize: must be a storage quantity like 20Gi, from 1Mi to 1Ti \(got "2Ti"\)/],
    ["cluster mode on a PostgreSQL connection", { connection: { ...pg(), cluster: true } }, /connection\.cluster: is Redis cluster mode; a postgres connection cannot be one \(got true\)/],
    ["a copy vault without the AWS Backup plan", { nativePlan: { copyToVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr" } },
      /nativePlan\.copyToVaultArn: needs the AWS Backup plan \(nativePlan\.enabled; on by default in prod on AWS for RDS PostgreSQL\)/],
    ["a copy vault that is not a vault ARN", { nativePlan: { copyToVaultArn: "dr-vault" } }, /nativePlan\.copyToVaultArn: must be an AWS Backup vault ARN .*\(got "dr-vault"\)/, "prod"],
    ["an RDS cross-region backup of an AWS database", { nativePlan: { copyToRegion: "cn-shanghai" } },
      /nativePlan\.copyToRegion: is ApsaraDB RDS cross-region backup: needs nativeBackup with target alicloud, engine postgres and a resourceId .*\(got "cn-shanghai"\)/],
  ];
  test.each(cases)("%s", async (_label, overrides, message, env = "staging") => {
    expect(() => new BackupJob("orders", k8sArgs(env, overrides), k8sCtx(env))).toThrow(message);
    expect(() => new BackupJob("orders", k8sArgs(env, overrides), k8sCtx(env))).toThrow(ValidationError);
    await settle();
    expect(rec.resources).toHaveLength(0);
  });

  test("s3 on Docker without an endpoint is refused", async () => {
    const args: BackupJobArgs = {
      connection: pg(false), schedule: "0 2 * * *", retentionDays: 7,
      rpoMinutes: 1440, rtoMinutes: 240, destination: { type: "s3", bucket: "b" }, verify: { schedule: "0 4 1 * *" },
    };
    expect(() => new BackupJob("orders", args, ctx("dev", "docker", "none"))).toThrow(/destination\.endpointUrl: is required for s3 on Docker.*\(got undefined\)/);
    await settle();
    expect(rec.resources).toHaveLength(0);
  });

  test("the compliant counterpart of each case registers", async () => {
    new BackupJob("orders", k8sArgs("prod"), k8sCtx("prod"));
    await settle();
    expect(rec.resources.length).toBeGreaterThan(5);
  });
});

describe("alerts and runbooks", () => {
  test("each alert has severity, summary, runbook file; Kubernetes rules use kube-state-metrics", () => {
    const groups = buildBackupAlerts({
      name: "orders", target: "kubernetes", environment: "prod", namespace: "apps", backupCronJob: "orders-backup",
      verifyCronJob: "orders-verify", maxPeriodMinutes: 1440, graceSeconds: 3600, verify: { maxPeriodMinutes: 44640, graceSeconds: 3600 },
    });
    const rules = alertRules(groups);
    expect(rules.map((r) => r.alert).sort()).toEqual([...BACKUP_ALERTS].sort());
    expect(rules.find((r) => r.alert === "BackupStale")!.expr).toContain("absent(kube_cronjob_status_last_successful_time");
    expect(rules.find((r) => r.alert === "BackupStale")!.severity).toBe("critical");
    expect(rules.find((r) => r.alert === "BackupJobFailed")!.expr).toContain('job_name=~"orders-backup-[0-9]+"');
    for (const alert of BACKUP_ALERTS) {
      expect(fs.existsSync(path.join(__dirname, "../../../docs/runbooks", `${alert}.md`))).toBe(true);
    }
  });

  test("staging alerts warn instead of page; the component exposes them", async () => {
    const job = new BackupJob("orders", k8sArgs("staging"), k8sCtx("staging"));
    await settle();
    const rules = alertRules(job.monitoring.ruleGroups);
    expect(rules.find((r) => r.alert === "BackupStale")!.severity).toBe("warning");
  });

  test("AWS Backup cron translation", () => {
    expect(awsBackupSchedule("0 2 * * *")).toBe("cron(0 2 * * ? *)");
    expect(awsBackupSchedule("0 3 * * 0")).toBe("cron(0 3 ? * 1 *)");
  });
});

describe("alert catalog (the backup families platform:alerting.durations accepts)", () => {
  test("holds every backup alert, BackupStale critical only in prod", () => {
    for (const env of ["dev", "staging", "prod"] as const) {
      expect(alertRules(backupAlertCatalog(env)).map((r) => r.alert).sort()).toEqual([...BACKUP_ALERTS].sort());
    }
    const stale = (env: Environment) => alertRules(backupAlertCatalog(env)).find((r) => r.alert === "BackupStale")!.severity;
    expect([stale("staging"), stale("prod")]).toEqual(["warning", "critical"]);
  });
});
