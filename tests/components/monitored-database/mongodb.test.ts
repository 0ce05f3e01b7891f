import { MONGODB_ALERTS, MONITORED_DATABASE_TYPE, MonitoredDatabase, type MonitoredDatabaseArgs } from "../../../components/monitored-database";
import { alertRules } from "../../../components/lib/alerts";
import type { Environment } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, isSecretValue, MOCK_SECRET_PREFIX, outputOf, plaintextStrings, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { X509Certificate } from "crypto";
import { PLACEMENT, platformContext, profileArgs, providerOutputs } from "./fixtures";

/**
 * MongoDB as a MonitoredDatabase engine: DocumentDB on AWS, ApsaraDB for MongoDB on Alibaba Cloud, the official
 * image on Docker. Each target is built once per profile under mocks and asserted on.
 */
let rec: Recorder;
beforeAll(() => {
  rec = installMocks({ outputs: providerOutputs });
});
beforeEach(() => rec.clear());

const DOCDB = "aws:docdb/cluster:Cluster";
const DOCDB_INSTANCE = "aws:docdb/clusterInstance:ClusterInstance";
const APSARA = "alicloud:mongodb/instance:Instance";
const CONTAINER = "docker:index/container:Container";

function build(env: Environment, target: "aws" | "alicloud" | "docker", extra: Partial<MonitoredDatabaseArgs> = {}, name = "docs") {
  return new MonitoredDatabase(name, { ...profileArgs(env, "mongodb", target), ...extra }, platformContext(env, target === "docker" ? "none" : target));
}

function leaks(): string[] {
  return rec.resources.flatMap((r) =>
    plaintextStrings(r.inputs)
      .filter((s) => s.value.includes(MOCK_SECRET_PREFIX))
      .map((s) => `${r.type} ${r.name} ${s.path}`),
  );
}

function problemsOf(env: Environment, target: "aws" | "alicloud" | "docker", extra: Partial<MonitoredDatabaseArgs>): readonly string[] {
  try {
    build(env, target, extra);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).problems;
  }
  throw new Error("expected a ValidationError");
}

describe("MongoDB on AWS (DocumentDB)", () => {
  test("prod: 3 instances, encrypted with the key, TLS forced, 30-day backups with PITR, protected, audit logs, no secret in plaintext", async () => {
    const db = build("prod", "aws", { encryptionKeyId: "arn:aws:kms:key/db" });
    await settle();
    const component = rec.one(MONITORED_DATABASE_TYPE, "docs");
    for (const r of rec.resources.filter((r) => r !== component)) expect(r.parent).toBe(component.urn);
    const cluster = rec.one(DOCDB, "docs-cluster");
    const c = unwrapSecrets(cluster.inputs);
    expect(c).toMatchObject({
      engine: "docdb",
      engineVersion: "5.0.0",
      storageEncrypted: true,
      kmsKeyId: "arn:aws:kms:key/db",
      backupRetentionPeriod: 30,
      preferredBackupWindow: "18:00-19:00",
      preferredMaintenanceWindow: "sun:20:00-sun:21:00",
      deletionProtection: true,
      skipFinalSnapshot: false,
      enabledCloudwatchLogsExports: ["audit", "profiler"],
      masterUsername: "app",
      port: 27017,
    });
    expect(c.finalSnapshotIdentifier).toMatch(/^docs-final-[0-9a-f]{8}$/);
    expect(isSecretValue(cluster.inputs.masterPassword)).toBe(true);
    expect(cluster.protect).toBe(true);
    const instances = rec.byType(DOCDB_INSTANCE);
    expect(instances.map((i) => i.name)).toEqual(["docs-instance-1", "docs-instance-2", "docs-instance-3"]);
    expect(instances.map((i) => i.inputs.promotionTier)).toEqual([0, 1, 2]);
    for (const i of instances) expect(i.inputs).toMatchObject({ instanceClass: "db.r6g.xlarge", enablePerformanceInsights: true });
    const params = rec.one("aws:docdb/clusterParameterGroup:ClusterParameterGroup", "docs-params").inputs;
    expect(params.family).toBe("docdb5.0");
    expect(params.parameters).toContainEqual({ name: "tls", value: "enabled", applyMethod: "pending-reboot" });
    const sg = rec.one("aws:ec2/securityGroup:SecurityGroup", "docs-sg").inputs;
    expect(sg.ingress).toEqual([expect.objectContaining({ protocol: "tcp", fromPort: 27017, toPort: 27017, securityGroups: ["sg-app"] })]);
    expect(sg.egress).toEqual([]);
    expect(rec.one("aws:docdb/subnetGroup:SubnetGroup", "docs-subnets").inputs.subnetIds).toEqual(PLACEMENT.subnetIds);
    expect(leaks()).toEqual([]);

    const url = await outputOf(db.connection.url!);
    expect(url).toBe(
      `mongodb://app:${MOCK_SECRET_PREFIX}docs-password@docs-cluster.docdb.local:27017/app?authSource=admin&tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false`,
    );
    expect(db.connection).toMatchObject({ engine: "mongodb", tls: true });
    expect(db.nativeBackup).toMatchObject({ engine: "mongodb", target: "aws", retentionDays: 30, pointInTimeRecovery: true, snapshotIntervalMinutes: 1440 });
    expect(await outputOf(db.nativeBackup.resourceId!)).toBe("arn:aws:rds:::cluster:docs-cluster");

    // Exporter on Kubernetes: the DSN only from the credentials Secret, the collectors the rules read.
    const deployment = rec.one("kubernetes:apps/v1:Deployment", "docs-exporter").inputs;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe("percona/mongodb_exporter:0.47.1");
    expect(container.args).toEqual(expect.arrayContaining(["--collector.diagnosticdata", "--compatible-mode"]));
    // It verifies DocumentDB's certificate with the Amazon RDS CA bundle: the Secret's URL plus tlsCAFile by $(VAR)
    // expansion (the password stays in the Secret), the bundle mounted read-only from the component's ConfigMap.
    expect(container.env).toEqual([
      { name: "MONGODB_SECRET_URI", valueFrom: { secretKeyRef: { name: "docs-mongodb-credentials", key: "url" } } },
      { name: "MONGODB_URI", value: "$(MONGODB_SECRET_URI)&tlsCAFile=/etc/rds-ca/global-bundle.pem" },
    ]);
    expect(container.volumeMounts).toEqual([{ name: "ca-bundle", mountPath: "/etc/rds-ca", readOnly: true }]);
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: "ca-bundle", configMap: { name: "docs-rds-ca" } }]);
    const ca = rec.one("kubernetes:core/v1:ConfigMap", "docs-rds-ca");
    expect(ca.parent).toBe(component.urn);
    expect(ca.inputs.metadata).toMatchObject({ name: "docs-rds-ca", namespace: "apps" });
    const pem: string = ca.inputs.data["global-bundle.pem"];
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(certs.length).toBeGreaterThan(100);
    const subjects = certs.map((c) => new X509Certificate(c).subject);
    // The current RDS roots of the region families clients meet, and no RDS Proxy (Amazon Trust Services) root.
    expect(subjects.some((s) => s.includes("CN=Amazon RDS us-east-1 Root CA RSA2048 G1"))).toBe(true);
    expect(subjects.some((s) => s.includes("CN=Amazon RDS eu-central-1 Root CA RSA4096 G1"))).toBe(true);
    expect(subjects.some((s) => s.includes("O=Amazon\nCN=Amazon Root CA"))).toBe(false);
    expect(db.connection.caBundle).toMatchObject({ key: "global-bundle.pem", file: "/etc/rds-ca/global-bundle.pem" });
    expect(await outputOf(db.connection.caBundle!.configMap)).toBe("docs-rds-ca");
    expect(rec.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "docs-exporter").inputs.spec.policyTypes).toEqual(["Ingress", "Egress"]);

    // DocumentDB has no replSetGetStatus: only the alerts its exporter can feed.
    expect([...new Set(alertRules(db.monitoring.ruleGroups).map((r) => r.alert))].sort()).toEqual(["MongodbDown", "MongodbExporterError", "MongodbTooManyConnections"]);
    expect(db.monitoring.dashboards[0].title).toBe("MongoDB docs");
  });

  test("staging: one instance, no protection or insights, still encrypted with a final snapshot", async () => {
    build("staging", "aws");
    await settle();
    const cluster = rec.one(DOCDB, "docs-cluster");
    expect(unwrapSecrets(cluster.inputs)).toMatchObject({ storageEncrypted: true, deletionProtection: false, backupRetentionPeriod: 7, skipFinalSnapshot: false, enabledCloudwatchLogsExports: [] });
    expect(cluster.protect).toBe(false);
    expect(rec.byType(DOCDB_INSTANCE).map((i) => i.inputs.instanceClass)).toEqual(["db.t4g.medium"]);
  });

  test("members and instanceClass are honoured", async () => {
    build("staging", "aws", { members: 2, instanceClass: "db.r6g.2xlarge" });
    await settle();
    expect(rec.byType(DOCDB_INSTANCE).map((i) => [i.name, i.inputs.instanceClass])).toEqual([
      ["docs-instance-1", "db.r6g.2xlarge"],
      ["docs-instance-2", "db.r6g.2xlarge"],
    ]);
  });
});

describe("MongoDB on Alibaba Cloud (ApsaraDB for MongoDB)", () => {
  test("prod: a 3-node replica set across two zones, VPC only, SSL, encrypted disks, log backups, release protection", async () => {
    const db = build("prod", "alicloud", { encryptionKeyId: "kms-key-1" });
    await settle();
    const instance = rec.one(APSARA, "docs-instance");
    const i = unwrapSecrets(instance.inputs);
    expect(i).toMatchObject({
      engineVersion: "7.0",
      dbInstanceClass: "dds.mongo.xlarge",
      dbInstanceStorage: 100,
      replicationFactor: 3,
      networkType: "VPC",
      vpcId: "vpc-123",
      vswitchId: "subnet-a",
      zoneId: "zone-a",
      secondaryZoneId: "zone-b",
      securityIpLists: ["10.0.0.0/16"],
      sslAction: "Open",
      encrypted: true,
      cloudDiskEncryptionKey: "kms-key-1",
      backupTime: "18:00Z-19:00Z",
      backupRetentionPeriod: 30,
      enableBackupLog: 1,
      logBackupRetentionPeriod: 30,
      maintainStartTime: "20:00Z",
      maintainEndTime: "21:00Z",
      dbInstanceReleaseProtection: true,
    });
    expect(isSecretValue(instance.inputs.accountPassword)).toBe(true);
    expect(instance.protect).toBe(true);
    expect(leaks()).toEqual([]);
    // The primary's address, the root account (ApsaraDB's admin), the replica-set name.
    expect(await outputOf(db.connection.url!)).toBe(
      `mongodb://root:${MOCK_SECRET_PREFIX}docs-password@docs-instance-1.mongodb.local:3717/app?authSource=admin&tls=true&replicaSet=mgset-docs-instance`,
    );
    expect(await outputOf(db.connection.port)).toBe(3717);
    expect(db.nativeBackup).toMatchObject({ engine: "mongodb", target: "alicloud", retentionDays: 30, pointInTimeRecovery: true });
    // A replica set the exporter can read: every MongoDB alert, and the replica-set panels.
    expect([...new Set(alertRules(db.monitoring.ruleGroups).map((r) => r.alert))].sort()).toEqual([...MONGODB_ALERTS].sort());
    expect(JSON.stringify(db.monitoring.dashboards[0].model)).toContain("mongodb_mongod_replset_member_replication_lag");
  });

  test("staging: the smallest replica set (3 nodes) in one zone, 7-day backups, no release protection", async () => {
    build("staging", "alicloud", { members: 5 });
    await settle();
    const i = unwrapSecrets(rec.one(APSARA, "docs-instance").inputs);
    expect(i).toMatchObject({ replicationFactor: 5, dbInstanceClass: "dds.mongo.mid", dbInstanceStorage: 20, backupRetentionPeriod: 7, dbInstanceReleaseProtection: false });
    expect(i.secondaryZoneId).toBeUndefined();
  });
});

describe("MongoDB on Docker (official image)", () => {
  test("pinned image, mongod with auth as the mongodb user, backend network only, password only as a secret env value", async () => {
    const db = build("dev", "docker", { parameters: { notablescan: 1 } });
    await settle();
    expect(rec.one("docker:index/remoteImage:RemoteImage", "docs-image").inputs.name).toBe("mongo:7.0.14");
    const container = rec.one(CONTAINER, "docs-container");
    const c = unwrapSecrets(container.inputs);
    expect(c.user).toBe("999:999");
    expect(c.command).toEqual(["mongod", "--auth", "--bind_ip_all", "--dbpath", "/data/db", "--wiredTigerCacheSizeGB", "0.25", "--setParameter", "notablescan=1"]);
    expect(c.ports ?? []).toEqual([]);
    expect(c.networksAdvanced).toEqual([{ name: "net-backend", aliases: ["docs-mongodb"] }]);
    expect(c).toMatchObject({ readOnly: true, capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"], memory: 512 });
    expect(isSecretValue(container.inputs.envs)).toBe(true);
    expect(c.envs).toContain(`MONGO_INITDB_ROOT_PASSWORD=${MOCK_SECRET_PREFIX}docs-password`);
    expect(JSON.stringify(c.command) + JSON.stringify(c.healthcheck)).not.toContain(MOCK_SECRET_PREFIX);
    expect(leaks()).toEqual([]);
    expect(await outputOf(db.connection.url!)).toBe(`mongodb://app:${MOCK_SECRET_PREFIX}docs-password@docs-mongodb:27017/app?authSource=admin&tls=false`);
    const exporter = unwrapSecrets(rec.one(CONTAINER, "docs-exporter").inputs);
    expect(exporter.command).toEqual(expect.arrayContaining(["--collector.diagnosticdata", "--compatible-mode"]));
    expect(isSecretValue(rec.one(CONTAINER, "docs-exporter").inputs.envs)).toBe(true);
    expect(db.monitoring.scrapeTargets).toEqual([{ job: "docs-mongodb-exporter", targets: ["docs-mongodb-exporter:9216"], labels: { database: "docs" } }]);
    // A single mongod has no replica set: no replica-set alerts.
    expect(alertRules(db.monitoring.ruleGroups).map((r) => r.alert)).not.toContain("MongodbNoPrimary");
    expect(db.nativeBackup).toMatchObject({ engine: "mongodb", target: "docker", pointInTimeRecovery: false });
  });
});

describe("bad MongoDB input fails before anything is registered, naming the key and what is allowed", () => {
  test.each([
    ["aws", "staging", { version: "6.0" }, 'version: is not offered for mongodb on aws; use one of 4.0, 5.0, 8.0 (got "6.0")'],
    ["alicloud", "staging", { version: "4.0" }, "version: is not offered for mongodb on alicloud; use one of 4.4, 5.0, 6.0, 7.0, 8.0"],
    ["docker", "dev", { version: "7.0" }, "version: must be a full MongoDB version like 7.0.14 on docker"],
    ["aws", "staging", { members: 17 }, "members: must be a whole number from 1 to 16 (DocumentDB instances) (got 17)"],
    ["aws", "prod", { members: 1 }, "members: must be at least 2 with highAvailability on aws"],
    ["alicloud", "staging", { members: 4 }, "members: must be 3, 5 or 7 (ApsaraDB for MongoDB replica-set nodes) (got 4)"],
    ["docker", "dev", { members: 3 }, "members: must be 1 on docker (a single mongod container) (got 3)"],
    ["aws", "staging", { storageGb: 100 }, "storageGb: is not used by mongodb on aws (DocumentDB storage grows by itself)"],
    ["alicloud", "staging", { storageGb: 10 }, "storageGb: must be a whole number of GB from 20 to 16000 for mongodb on alicloud (got 10)"],
    ["aws", "staging", { instanceClass: "db.t4g.large" }, "instanceClass: is not a t4g size (burstable DocumentDB classes are medium only)"],
    ["aws", "staging", { instanceClass: "db.m7g.large" }, "instanceClass: must be a DocumentDB instance class db.<family>.<size>"],
    ["alicloud", "staging", { instanceClass: "pg.n2.2c.2m" }, "instanceClass: must be an ApsaraDB for MongoDB class like dds.mongo.mid"],
    ["aws", "staging", { backupRetentionDays: 0 }, "backupRetentionDays: must be a whole number of days from 1 to 35 for mongodb on aws (got 0)"],
    ["alicloud", "staging", { username: "admin_user" }, "username: cannot be chosen on ApsaraDB for MongoDB (the admin account is always root)"],
    ["aws", "staging", { parameters: { tls: "disabled" } }, "parameters.tls: is managed by the component"],
    ["aws", "staging", { readReplicas: 2 }, "readReplicas: is only available for postgres"],
    ["aws", "staging", { logicalDatabases: [{ name: "orders" }] }, "logicalDatabases: is only available for postgres"],
  ] as const)("%s %s %j", (target, env, extra, message) => {
    const problems = problemsOf(env, target, extra as Partial<MonitoredDatabaseArgs>);
    expect(problems.join("\n")).toContain(message);
    expect(rec.resources).toEqual([]);
  });

  test("members is refused for other engines", () => {
    expect(() => new MonitoredDatabase("main", { ...profileArgs("staging", "postgres", "aws"), members: 3 }, platformContext("staging", "aws"))).toThrow(
      /members: is only used by mongodb/,
    );
  });
});
