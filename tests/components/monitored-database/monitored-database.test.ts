import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  MONITORED_DATABASE_TYPE,
  MonitoredDatabase,
  type MonitoredDatabaseArgs,
} from "../../../components/monitored-database";
import type { Environment } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import {
  installMocks,
  isSecretValue,
  MOCK_SECRET_PREFIX,
  outputOf,
  plaintextStrings,
  settle,
  unwrapSecrets,
  type Recorder,
} from "../../helpers/mocks";
import { PLACEMENT, platformContext, profileArgs, providerOutputs } from "./fixtures";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks({ outputs: providerOutputs });
});
beforeEach(() => rec.clear());

const RDS = "aws:rds/instance:Instance";
const REDIS_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const ALI_RDS = "alicloud:rds/instance:Instance";
const KVSTORE = "alicloud:kvstore/instance:Instance";
const CONTAINER = "docker:index/container:Container";

function build(name: string, env: Environment, cloud: "aws" | "alicloud" | "none", args: MonitoredDatabaseArgs, ctxOverrides = {}) {
  return new MonitoredDatabase(name, args, platformContext(env, cloud, ctxOverrides));
}

/** Every registered input, scanned for a generated secret outside a secret wrapper. */
function assertNoPlaintextSecrets(): void {
  const leaks = rec.resources.flatMap((r) =>
    plaintextStrings(r.inputs)
      .filter((s) => s.value.includes(MOCK_SECRET_PREFIX))
      .map((s) => `${r.type} ${r.name} ${s.path}`),
  );
  expect(leaks).toEqual([]);
}

function isOutputSecret(o: pulumi.Output<unknown>): Promise<boolean> {
  return (o as unknown as { isSecret: Promise<boolean> }).isSecret;
}

describe("engine x target x profile", () => {
  const matrix: Array<[Environment, "postgres" | "redis", "aws" | "alicloud" | "docker"]> = [];
  for (const engine of ["postgres", "redis"] as const) {
    matrix.push(["dev", engine, "docker"]);
    for (const target of ["aws", "alicloud"] as const) for (const env of ["dev", "staging", "prod"] as const) matrix.push([env, engine, target]);
  }
  test.each(matrix)("%s %s on %s registers under the component, leaks no secret and exposes monitoring", async (env, engine, target) => {
    const db = build("main", env, target === "docker" ? "none" : target, profileArgs(env, engine, target));
    await settle();
    rec.assertUniqueUrns();
    const component = rec.one(MONITORED_DATABASE_TYPE, "main");
    for (const r of rec.resources.filter((r) => r !== component)) expect(r.parent).toBe(component.urn);
    assertNoPlaintextSecrets();
    expect(await isOutputSecret(db.connection.password)).toBe(true);
    expect(await outputOf(db.connection.password)).toBe(`${MOCK_SECRET_PREFIX}main-password`);
    expect(db.monitoring.ruleGroups.length).toBe(1);
    expect(db.monitoring.dashboards).toHaveLength(1);
    expect(db.nativeBackup.engine).toBe(engine);
    expect(db.nativeBackup.target).toBe(target);
    if (target === "docker") {
      expect(db.monitoring.scrapeTargets).toHaveLength(1);
      expect(db.connection.secretRef).toBeUndefined();
    } else {
      expect(db.connection.secretRef?.passwordKey).toBe("password");
      expect(db.connection.secretRef?.urlKey).toBe("url");
      expect(db.monitoring.scrapeTargets).toEqual([]);
    }
  });
});

describe("PostgreSQL on AWS", () => {
  test("prod: Multi-AZ, deletion protection, protect, unique final snapshot, encryption, 30-day backups, insights", async () => {
    const db = build("main", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), encryptionKeyId: "arn:aws:kms:key/db" });
    build("orders", "prod", "aws", profileArgs("prod", "postgres", "aws"));
    await settle();
    const main = rec.one(RDS, "main-instance");
    const orders = rec.one(RDS, "orders-instance");
    const i = unwrapSecrets(main.inputs);
    expect(i.multiAz).toBe(true);
    expect(i.deletionProtection).toBe(true);
    expect(main.protect).toBe(true);
    expect(i.storageEncrypted).toBe(true);
    expect(i.kmsKeyId).toBe("arn:aws:kms:key/db");
    expect(i.skipFinalSnapshot).toBe(false);
    expect(i.finalSnapshotIdentifier).toMatch(/^main-final-[0-9a-f]{8}$/);
    expect(unwrapSecrets(orders.inputs).finalSnapshotIdentifier).toMatch(/^orders-final-[0-9a-f]{8}$/);
    expect(i.finalSnapshotIdentifier.slice(-8)).not.toBe(unwrapSecrets(orders.inputs).finalSnapshotIdentifier.slice(-8));
    expect(i.deleteAutomatedBackups).toBe(false);
    expect(i.copyTagsToSnapshot).toBe(true);
    expect(i.backupRetentionPeriod).toBe(30);
    expect(i.performanceInsightsEnabled).toBe(true);
    expect(i.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
    expect(i.publiclyAccessible).toBe(false);
    expect(i.backupWindow).toBe("18:00-19:00");
    expect(i.maintenanceWindow).toBe("sun:20:00-sun:21:00");
    expect(i.instanceClass).toBe("db.r7g.xlarge");
    expect(isSecretValue(main.inputs.password)).toBe(true);
    expect(await outputOf(db.nativeBackup.resourceId!)).toBe("arn:aws:rds:::db:main-instance");
    expect(db.nativeBackup).toMatchObject({ retentionDays: 30, pointInTimeRecovery: true, snapshotIntervalMinutes: 1440 });
  });

  test("staging: single AZ, 7-day retention, no deletion protection or protect, no insights", async () => {
    const db = build("main", "staging", "aws", profileArgs("staging", "postgres", "aws"));
    await settle();
    const rds = rec.one(RDS, "main-instance");
    const i = unwrapSecrets(rds.inputs);
    expect(i.multiAz).toBe(false);
    expect(i.backupRetentionPeriod).toBe(7);
    expect(i.deletionProtection).toBe(false);
    expect(rds.protect).toBe(false);
    expect(i.performanceInsightsEnabled).toBe(false);
    expect(i.enabledCloudwatchLogsExports).toEqual([]);
    // Still encrypted, still a final snapshot: those are not relaxed outside prod.
    expect(i.storageEncrypted).toBe(true);
    expect(i.skipFinalSnapshot).toBe(false);
    expect(db.nativeBackup.retentionDays).toBe(7);
  });

  test("security group admits only the application tier on 5432; parameter group forces TLS", async () => {
    build("main", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), parameters: { log_min_duration_statement: 500 } });
    await settle();
    const sg = rec.one("aws:ec2/securityGroup:SecurityGroup", "main-sg").inputs;
    expect(sg.vpcId).toBe("vpc-123");
    expect(sg.ingress).toHaveLength(1);
    expect(sg.ingress[0]).toMatchObject({ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-app"] });
    expect(JSON.stringify(sg)).not.toContain("0.0.0.0/0");
    const params = rec.one("aws:rds/parameterGroup:ParameterGroup", "main-params").inputs;
    expect(params.family).toBe("postgres16");
    expect(params.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "rds.force_ssl", value: "1" }),
        expect.objectContaining({ name: "log_min_duration_statement", value: "500" }),
      ]),
    );
    expect(rec.one("aws:rds/subnetGroup:SubnetGroup", "main-subnets").inputs.subnetIds).toEqual(["subnet-a", "subnet-b"]);
  });

  test("explicit deletion settings override the profile both ways", async () => {
    build("main", "staging", "aws", { ...profileArgs("staging", "postgres", "aws"), deletionProtection: true, protect: true, enhancedMonitoring: true });
    build("scratch", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), deletionProtection: false, protect: false });
    await settle();
    expect(rec.one(RDS, "main-instance").protect).toBe(true);
    expect(rec.one(RDS, "main-instance").inputs.deletionProtection).toBe(true);
    expect(rec.one(RDS, "main-instance").inputs.performanceInsightsEnabled).toBe(true);
    expect(rec.one(RDS, "scratch-instance").protect).toBe(false);
    expect(rec.one(RDS, "scratch-instance").inputs.deletionProtection).toBe(false);
  });

  test("explicit provider is used and transforms adjust a child", async () => {
    const provider = new aws.Provider("aws-explicit", { region: "eu-west-1" });
    new MonitoredDatabase(
      "main",
      { ...profileArgs("staging", "postgres", "aws"), transforms: { instance: (a) => ({ ...a, instanceClass: "db.m7g.2xlarge" }) } },
      platformContext("staging", "aws", { providers: { aws: provider } }),
    );
    await settle();
    const rds = rec.one(RDS, "main-instance");
    expect(rds.inputs.instanceClass).toBe("db.m7g.2xlarge");
    expect(rds.provider).toContain("aws-explicit");
    expect(rec.one("aws:ec2/securityGroup:SecurityGroup", "main-sg").provider).toContain("aws-explicit");
  });

  test("Kubernetes platform: credentials Secret (password, url) and an exporter reading it", async () => {
    const db = build("main", "prod", "aws", profileArgs("prod", "postgres", "aws"));
    await settle();
    const secret = rec.one("kubernetes:core/v1:Secret", "main-credentials");
    expect(secret.inputs.metadata.name).toBe("main-postgres-credentials");
    expect(secret.inputs.metadata.namespace).toBe("apps");
    expect(isSecretValue(secret.inputs.stringData)).toBe(true);
    const data = unwrapSecrets(secret.inputs.stringData);
    expect(Object.keys(data).sort()).toEqual(["password", "url"]);
    expect(data.url).toBe(`postgresql://app:${MOCK_SECRET_PREFIX}main-password@main-instance.rds.local:5432/app?sslmode=require`);
    expect(await outputOf(db.connection.secretRef!.name)).toBe("main-postgres-credentials");
    expect(await outputOf(db.connection.host)).toBe("main-instance.rds.local");
    expect(await outputOf(db.connection.port)).toBe(5432);
    expect(await outputOf(db.connection.user!)).toBe("app");
    expect(db.connection.tls).toBe(true);

    const deployment = rec.one("kubernetes:apps/v1:Deployment", "main-exporter").inputs;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe("quay.io/prometheuscommunity/postgres-exporter:v0.17.1");
    expect(container.env).toContainEqual({ name: "DATA_SOURCE_NAME", valueFrom: { secretKeyRef: { name: "main-postgres-credentials", key: "url" } } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.resources.limits).toBeDefined();
    const monitor = rec.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "main-exporter").inputs;
    expect(monitor.metadata.labels).toMatchObject({ "prometheus.example.org/scrape": "platform" });
    expect(monitor.spec.endpoints[0].port).toBe("metrics");
    const service = rec.one("kubernetes:core/v1:Service", "main-exporter").inputs;
    expect(service.metadata.name).toBe("main-postgres-exporter");
    expect(service.spec.selector).toEqual(monitor.spec.selector.matchLabels);
  });
});

describe("Redis on AWS", () => {
  test("prod: 2 nodes, automatic failover, multi-AZ, encryption, secret auth token, snapshots, protect", async () => {
    const db = build("cache", "prod", "aws", profileArgs("prod", "redis", "aws"));
    await settle();
    const group = rec.one(REDIS_GROUP, "cache-replication-group");
    const i = unwrapSecrets(group.inputs);
    expect(i.numCacheClusters).toBe(2);
    expect(i.automaticFailoverEnabled).toBe(true);
    expect(i.multiAzEnabled).toBe(true);
    expect(i.atRestEncryptionEnabled).toBe(true);
    expect(i.transitEncryptionEnabled).toBe(true);
    expect(isSecretValue(group.inputs.authToken)).toBe(true);
    expect(i.snapshotRetentionLimit).toBe(7);
    expect(i.snapshotWindow).toBe("18:00-19:00");
    expect(i.finalSnapshotIdentifier).toMatch(/^cache-final-[0-9a-f]{8}$/);
    expect(group.protect).toBe(true);
    expect(rec.one("aws:ec2/securityGroup:SecurityGroup", "cache-sg").inputs.ingress[0]).toMatchObject({ fromPort: 6379, securityGroups: ["sg-app"] });
    expect(rec.one("aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets").inputs.subnetIds).toEqual(["subnet-a", "subnet-b"]);
    const url = unwrapSecrets(rec.one("kubernetes:core/v1:Secret", "cache-credentials").inputs.stringData).url;
    expect(url).toBe(`rediss://:${MOCK_SECRET_PREFIX}cache-password@cache-replication-group.cache.local:6379/0`);
    const alerts = db.monitoring.ruleGroups[0].rules.map((r) => ("alert" in r ? r.alert : r.record));
    expect(alerts).toContain("RedisReplicationBroken");
    expect(alerts).not.toContain("RedisBackupMissing");
    const env = rec.one("kubernetes:apps/v1:Deployment", "cache-exporter").inputs.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-credentials".replace("redis", "cache-redis"), key: "password" } } });
    expect(env).toContainEqual({ name: "REDIS_ADDR", value: "rediss://cache-replication-group.cache.local:6379" });
  });

  test("staging: single node, no failover", async () => {
    build("cache", "staging", "aws", profileArgs("staging", "redis", "aws"));
    await settle();
    const i = unwrapSecrets(rec.one(REDIS_GROUP, "cache-replication-group").inputs);
    expect(i.numCacheClusters).toBe(1);
    expect(i.automaticFailoverEnabled).toBe(false);
    expect(i.multiAzEnabled).toBe(false);
    expect(i.atRestEncryptionEnabled).toBe(true);
    expect(rec.one(REDIS_GROUP, "cache-replication-group").protect).toBe(false);
  });
});

describe("Alibaba Cloud", () => {
  test("PostgreSQL prod: HighAvailability, SSL, VPC-only whitelist, backup policy with log backups, no public connection", async () => {
    const db = build("main", "prod", "alicloud", profileArgs("prod", "postgres", "alicloud"));
    await settle();
    const inst = rec.one(ALI_RDS, "main-instance");
    const i = unwrapSecrets(inst.inputs);
    expect(i.engine).toBe("PostgreSQL");
    expect(i.category).toBe("HighAvailability");
    expect(i.vswitchId).toBe("subnet-a,subnet-b");
    expect(i.zoneIdSlaveA).toBe("zone-b");
    expect(i.sslAction).toBe("Open");
    expect(i.securityIps).toEqual(["10.0.0.0/16"]);
    expect(i.encryptionKey).toBe("ServiceKey");
    expect(i.deletionProtection).toBe(true);
    expect(i.maintainTime).toBe("20:00Z-21:00Z");
    expect(inst.protect).toBe(true);
    expect(rec.byType("alicloud:rds/connection:Connection")).toEqual([]);
    const policy = rec.one("alicloud:rds/backupPolicy:BackupPolicy", "main-backup-policy").inputs;
    expect(policy).toMatchObject({ backupRetentionPeriod: 30, preferredBackupTime: "18:00Z-19:00Z", enableBackupLog: true });
    const account = rec.one("alicloud:rds/account:Account", "main-account");
    expect(isSecretValue(account.inputs.accountPassword)).toBe(true);
    expect(rec.one("alicloud:rds/database:Database", "main-database").inputs.dataBaseName).toBe("app");
    expect(await outputOf(db.connection.host)).toBe("main-instance.pg.rds.aliyuncs.com");
    expect(db.nativeBackup).toMatchObject({ retentionDays: 30, pointInTimeRecovery: true });
  });

  test("PostgreSQL staging: Basic edition, 7-day retention, unprotected", async () => {
    build("main", "staging", "alicloud", profileArgs("staging", "postgres", "alicloud"));
    await settle();
    const inst = rec.one(ALI_RDS, "main-instance");
    expect(inst.inputs.category).toBe("Basic");
    expect(inst.inputs.vswitchId).toBe("subnet-a");
    expect(inst.protect).toBe(false);
    expect(rec.one("alicloud:rds/backupPolicy:BackupPolicy", "main-backup-policy").inputs.backupRetentionPeriod).toBe(7);
  });

  test("Redis: password secret, VSwitch only, whitelist, TLS, daily backups", async () => {
    build("cache", "prod", "alicloud", profileArgs("prod", "redis", "alicloud"));
    await settle();
    const kv = rec.one(KVSTORE, "cache-instance");
    const i = unwrapSecrets(kv.inputs);
    expect(isSecretValue(kv.inputs.password)).toBe(true);
    expect(i.vswitchId).toBe("subnet-a");
    expect(i.secondaryZoneId).toBe("zone-b");
    expect(i.securityIps).toEqual(["10.0.0.0/16"]);
    expect(i.sslEnable).toBe("Enable");
    expect(i.backupPeriods).toHaveLength(7);
    expect(i.backupTime).toBe("18:00Z-19:00Z");
    expect(i.instanceReleaseProtection).toBe(true);
    expect(kv.protect).toBe(true);
  });
});

describe("Docker", () => {
  test("PostgreSQL: pinned image, volume, pg_isready healthcheck, backend network only, no published port", async () => {
    const db = build("main", "dev", "none", profileArgs("dev", "postgres", "docker"));
    await settle();
    expect(rec.one("docker:index/remoteImage:RemoteImage", "main-image").inputs.name).toBe("postgres:16.4-alpine");
    const c = rec.one(CONTAINER, "main-container");
    expect(c.inputs.healthcheck.tests.join(" ")).toContain("pg_isready");
    expect(c.inputs.networkMode).toBe("net-backend");
    expect(c.inputs.networksAdvanced).toEqual([{ name: "net-backend", aliases: ["main-postgres"] }]);
    expect(c.inputs.ports ?? []).toEqual([]);
    expect(c.inputs.volumes[0]).toMatchObject({ volumeName: "main-data-vol", containerPath: "/var/lib/postgresql/data" });
    expect(c.inputs.readOnly).toBe(true);
    expect(c.inputs.capabilities.drops).toEqual(["ALL"]);
    expect(isSecretValue(c.inputs.envs)).toBe(true);
    expect(unwrapSecrets(c.inputs.envs)).toContain(`POSTGRES_PASSWORD=${MOCK_SECRET_PREFIX}main-password`);
    expect(db.connection.tls).toBe(false);
    expect(db.monitoring.scrapeTargets).toEqual([{ job: "main-postgres-exporter", targets: ["main-postgres-exporter:9187"], labels: { database: "main" } }]);
    const exporter = rec.one(CONTAINER, "main-exporter");
    expect(exporter.inputs.networksAdvanced).toEqual([{ name: "net-backend", aliases: ["main-postgres-exporter"] }]);
    expect(isSecretValue(exporter.inputs.envs)).toBe(true);
    expect(db.nativeBackup).toMatchObject({ target: "docker", retentionDays: 0, pointInTimeRecovery: false });
  });

  test("PostgreSQL: publishPort binds 127.0.0.1 only", async () => {
    build("main", "dev", "none", { ...profileArgs("dev", "postgres", "docker"), publishPort: 15432 });
    await settle();
    expect(rec.one(CONTAINER, "main-container").inputs.ports).toEqual([{ internal: 5432, external: 15432, ip: "127.0.0.1" }]);
  });

  test("Redis: requirepass from a secret env value (never in the command), AOF, volume, healthcheck", async () => {
    const db = build("cache", "dev", "none", profileArgs("dev", "redis", "docker"));
    await settle();
    const c = rec.one(CONTAINER, "cache-container");
    expect(rec.one("docker:index/remoteImage:RemoteImage", "cache-image").inputs.name).toBe("redis:7.4.1-alpine");
    const script = c.inputs.command.join("\n");
    expect(script).toContain("--appendonly yes");
    expect(script).toContain('"$REDIS_PASSWORD"');
    expect(script).not.toContain(MOCK_SECRET_PREFIX);
    expect(isSecretValue(c.inputs.envs)).toBe(true);
    expect(unwrapSecrets(c.inputs.envs)).toContain(`REDIS_PASSWORD=${MOCK_SECRET_PREFIX}cache-password`);
    expect(c.inputs.healthcheck.tests.join(" ")).toContain("redis-cli ping");
    expect(c.inputs.volumes[0].containerPath).toBe("/data");
    const alerts = db.monitoring.ruleGroups[0].rules.map((r) => ("alert" in r ? r.alert : r.record));
    expect(alerts).toContain("RedisBackupMissing");
  });

  test("image override must be pinned and is used as given", async () => {
    build("main", "dev", "none", { ...profileArgs("dev", "postgres", "docker"), image: "postgres:16.4-alpine@sha256:" + "a".repeat(64) });
    await settle();
    expect(rec.one("docker:index/remoteImage:RemoteImage", "main-image").inputs.name).toContain("@sha256:");
  });

  test("exporter: false registers no exporter and emits no rules", async () => {
    const db = build("main", "dev", "none", { ...profileArgs("dev", "postgres", "docker"), exporter: false });
    await settle();
    expect(rec.resources.filter((r) => r.name.includes("exporter"))).toEqual([]);
    expect(db.monitoring.ruleGroups).toEqual([]);
  });
});

describe("bad input fails up front and registers nothing", () => {
  const cases: Array<[string, Environment, "aws" | "alicloud" | "none", MonitoredDatabaseArgs, RegExp]> = [
    ["unknown engine", "staging", "aws", { ...profileArgs("staging", "postgres", "aws"), engine: "mysql" as never }, /engine: must be one of postgres, redis, mongodb \(got "mysql"\)/],
    ["unknown target", "staging", "aws", { ...profileArgs("staging", "postgres", "aws"), target: "gcp" as never }, /target: must be one of aws, alicloud, docker \(got "gcp"\)/],
    ["RDS storage below 20 GB", "staging", "aws", { ...profileArgs("staging", "postgres", "aws"), storageGb: 10 }, /storageGb: must be a whole number of GB from 20 to 65536 for postgres on aws \(got 10\)/],
    ["ApsaraDB storage below 20 GB", "staging", "alicloud", { ...profileArgs("staging", "postgres", "alicloud"), storageGb: 5 }, /storageGb: must be a whole number of GB from 20 to 32000 for postgres on alicloud \(got 5\)/],
    ["RDS retention above 35", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), backupRetentionDays: 40 }, /backupRetentionDays: must be a whole number of days from 0 to 35 for postgres on aws \(got 40\)/],
    ["ApsaraDB retention below 7", "staging", "alicloud", { ...profileArgs("staging", "postgres", "alicloud"), backupRetentionDays: 3, pointInTimeRecovery: false }, /backupRetentionDays: must be a whole number of days from 7 to 730 for postgres on alicloud \(got 3\)/],
    ["ApsaraDB retention above 730", "prod", "alicloud", { ...profileArgs("prod", "postgres", "alicloud"), backupRetentionDays: 731 }, /backupRetentionDays: .*7 to 730.*\(got 731\)/],
    ["HA on docker", "dev", "none", { ...profileArgs("dev", "postgres", "docker"), highAvailability: true }, /highAvailability: is not available on the docker target .*\(got true\)/],
    ["backup window overlapping maintenance", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), backupWindow: "20:00-21:00", maintenanceWindow: "sun:20:30-sun:21:30" }, /backupWindow: must not overlap the maintenance window sun:20:30-sun:21:30 .*\(got "20:00-21:00"\)/],
    ["backup window overlapping a midnight-wrapping maintenance", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), backupWindow: "00:00-00:30", maintenanceWindow: "sun:23:30-mon:00:30" }, /backupWindow: must not overlap/],
    ["malformed maintenance window", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), maintenanceWindow: "sunday 3am" }, /maintenanceWindow: must be a weekly UTC window ddd:hh:mm-ddd:hh:mm.*\(got "sunday 3am"\)/],
    ["warning worse than critical (higher is worse)", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), thresholds: { connectionsPercent: { warning: 95, critical: 80 } } }, /thresholds\.connectionsPercent: warning \(95\) must be below critical \(80\)/],
    ["warning worse than critical (lower is worse)", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), thresholds: { cacheHitPercent: { warning: 85 } } }, /thresholds\.cacheHitPercent: warning \(85\) must be above critical \(90\)/],
    ["unknown threshold", "prod", "aws", { ...profileArgs("prod", "redis", "aws"), thresholds: { deadlocksPerHour: { warning: 1 } } }, /thresholds\.deadlocksPerHour: unknown redis threshold/],
    ["missing placement on a managed target", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), placement: undefined }, /placement: is required for managed aws databases/],
    ["world-open CIDR", "prod", "alicloud", { ...profileArgs("prod", "postgres", "alicloud"), placement: { ...PLACEMENT, allowedCidrBlocks: ["0.0.0.0/0"] } }, /placement\.allowedCidrBlocks: must not allow the whole internet.*\(got "0.0.0.0\/0"\)/],
    ["docker version not fully pinned", "dev", "none", { ...profileArgs("dev", "redis", "docker"), version: "7" }, /version: must be a full Redis version like 7.4.1 on docker .*\(got "7"\)/],
    ["unpinned image", "dev", "none", { ...profileArgs("dev", "postgres", "docker"), image: "postgres:latest" }, /image: must be pinned by tag or digest.*\(got "postgres:latest"\)/],
    ["TLS cannot be turned off", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), parameters: { "rds.force_ssl": 0 } }, /parameters\.rds\.force_ssl: is managed by the component/],
    ["storage on redis", "prod", "aws", { ...profileArgs("prod", "redis", "aws"), storageGb: 50 }, /storageGb: is not used by redis/],
    ["alicloud redis retention is fixed", "prod", "alicloud", { ...profileArgs("prod", "redis", "alicloud"), backupRetentionDays: 30 }, /backupRetentionDays: must be 7 for redis on alicloud .*\(got 30\)/],
    ["docker database on the kubernetes platform", "dev", "aws", { ...profileArgs("dev", "postgres", "docker") }, /target: a docker database needs the docker platform target/],
  ];
  test.each(cases)("%s", async (_label, env, cloud, args, message) => {
    let error: unknown;
    try {
      build("main", env, cloud, args);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^Invalid MonitoredDatabase "main" args:/);
    expect((error as Error).message).toMatch(message);
    await settle();
    expect(rec.resources).toEqual([]);
  });

  test("all problems are reported together", () => {
    expect(() =>
      build("main", "prod", "aws", { ...profileArgs("prod", "postgres", "aws"), storageGb: 5, backupRetentionDays: 99 }),
    ).toThrow(/storageGb[\s\S]*backupRetentionDays/);
  });
});
