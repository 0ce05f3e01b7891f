import { MonitoredDatabase, replicaExporterJob, type MonitoredDatabaseArgs } from "../../../components/monitored-database";
import { alertRules } from "../../../components/lib/alerts";
import type { Environment } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, outputOf, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { platformContext, profileArgs, providerOutputs } from "./fixtures";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks({ outputs: providerOutputs });
});
beforeEach(() => rec.clear());

function build(env: Environment, target: "aws" | "alicloud", extra: Partial<MonitoredDatabaseArgs> = {}) {
  return new MonitoredDatabase("main", { ...profileArgs(env, "postgres", target), readReplicas: 2, ...extra }, platformContext(env, target));
}

describe("PostgreSQL read replicas", () => {
  test("aws: RDS replicas of the primary, encrypted, private, TLS parameters, protected in prod; an exporter per replica", async () => {
    const db = build("prod", "aws", { encryptionKeyId: "arn:aws:kms:key/db" });
    await settle();
    const replicas = rec.byType("aws:rds/instance:Instance").filter((r) => r.name.startsWith("main-replica-"));
    expect(replicas.map((r) => r.name).sort()).toEqual(["main-replica-1", "main-replica-2"]);
    const primary = rec.one("aws:rds/instance:Instance", "main-instance");
    for (const r of replicas) {
      const i = unwrapSecrets(r.inputs);
      expect(i).toMatchObject({
        replicateSourceDb: "main-instance",
        instanceClass: "db.r7g.xlarge",
        storageEncrypted: true,
        kmsKeyId: "arn:aws:kms:key/db",
        publiclyAccessible: false,
        deletionProtection: true,
        backupRetentionPeriod: 0,
        skipFinalSnapshot: true,
      });
      // A replica never carries its own credentials: it inherits the primary's.
      expect(i.password).toBeUndefined();
      expect(i.username).toBeUndefined();
      expect(r.protect).toBe(true);
      expect(r.inputs.parameterGroupName).toEqual(primary.inputs.parameterGroupName);
    }
    // Every exporter child, its NetworkPolicy included, is named after its own exporter (no URN clash).
    expect(() => rec.assertUniqueUrns()).not.toThrow();
    expect(rec.byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.name).sort()).toEqual(["main-exporter", "main-replica-1-exporter", "main-replica-2-exporter"]);
    const exporters = rec.byType("kubernetes:apps/v1:Deployment").map((d) => d.name).sort();
    expect(exporters).toEqual(["main-exporter", "main-replica-1-exporter", "main-replica-2-exporter"]);
    const env = unwrapSecrets(rec.one("kubernetes:apps/v1:Deployment", "main-replica-2-exporter").inputs).spec.template.spec.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "DATA_SOURCE_URI", value: "main-replica-2.rds.local:5432/app?sslmode=require" },
        { name: "DATA_SOURCE_PASS", valueFrom: { secretKeyRef: { name: "main-postgres-credentials", key: "password" } } },
      ]),
    );
    expect(unwrapSecrets(rec.one("kubernetes:core/v1:Service", "main-replica-2-exporter").inputs).metadata.name).toBe(replicaExporterJob("main", 2));
    expect(await Promise.all(db.connection.replicaHosts!.map(outputOf))).toEqual(["main-replica-1.rds.local", "main-replica-2.rds.local"]);

    const rules = alertRules(db.monitoring.ruleGroups);
    expect(rules.filter((r) => r.alert === "PostgresReplicationLag").every((r) => r.expr.includes('job=~"main-replica-[0-9]+-exporter"'))).toBe(true);
    expect(rules.some((r) => r.alert === "PostgresReplicaDown")).toBe(true);
  });

  test("alicloud: read-only instances of the primary in the VPC, spread over the zones, SSL on", async () => {
    const db = build("prod", "alicloud");
    await settle();
    const ro = rec.byType("alicloud:rds/readOnlyInstance:ReadOnlyInstance");
    expect(ro.map((r) => r.name).sort()).toEqual(["main-replica-1", "main-replica-2"]);
    const [one, two] = ro.sort((a, b) => a.name.localeCompare(b.name)).map((r) => unwrapSecrets(r.inputs));
    expect(one).toMatchObject({ masterDbInstanceId: "main-instance-id", engineVersion: "16.0", sslEnabled: 1, securityIps: ["10.0.0.0/16"], vswitchId: "subnet-a", zoneId: "zone-a", deletionProtection: true });
    expect(two).toMatchObject({ vswitchId: "subnet-b", zoneId: "zone-b" });
    expect(db.connection.replicaHosts).toHaveLength(2);
  });

  test("logical databases are on the replicas too (physical replication): their connections carry the replica hosts", async () => {
    const db = build("prod", "aws", { logicalDatabases: [{ name: "orders", user: "orders" }] });
    await settle();
    expect(await Promise.all(db.logicalConnections.orders.replicaHosts!.map(outputOf))).toEqual(["main-replica-1.rds.local", "main-replica-2.rds.local"]);
    rec.clear();
    const none = build("prod", "aws", { readReplicas: 0, logicalDatabases: [{ name: "orders", user: "orders" }] });
    await settle();
    expect(none.logicalConnections.orders.replicaHosts).toBeUndefined();
  });

  test("no replicas: no replica resources, exporters or lag alert (the primary cannot show lag)", async () => {
    const db = build("prod", "aws", { readReplicas: 0 });
    await settle();
    expect(rec.byType("aws:rds/instance:Instance").map((r) => r.name)).toEqual(["main-instance"]);
    expect(db.connection.replicaHosts).toBeUndefined();
    expect(alertRules(db.monitoring.ruleGroups).map((r) => r.alert)).not.toContain("PostgresReplicationLag");
  });

  test("bad counts and engines are refused with what is allowed, nothing registered", async () => {
    const fail = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as Error).message;
      }
      throw new Error("expected a ValidationError");
    };
    expect(fail(() => build("prod", "aws", { readReplicas: 16 }))).toContain("readReplicas: must be a whole number from 0 to 15 for postgres on aws (got 16)");
    expect(fail(() => build("prod", "alicloud", { readReplicas: 33 }))).toContain("must be a whole number from 0 to 32 for postgres on alicloud");
    expect(fail(() => build("prod", "aws", { readReplicas: 1.5 }))).toContain("readReplicas: must be a whole number");
    expect(fail(() => new MonitoredDatabase("c", { ...profileArgs("prod", "redis", "aws"), readReplicas: 1 }, platformContext("prod", "aws")))).toContain(
      "readReplicas: is only available for postgres",
    );
    expect(fail(() => new MonitoredDatabase("d", { ...profileArgs("dev", "postgres", "docker"), readReplicas: 1 }, platformContext("dev", "none")))).toContain(
      "readReplicas: is not available on the docker target",
    );
    await settle();
    expect(rec.resources).toEqual([]);
  });
});
