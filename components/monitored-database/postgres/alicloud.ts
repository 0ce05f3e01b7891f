import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { cloudTags } from "../../lib/labels";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { ALICLOUD_ALL_DAYS, alicloudBackupTime, alicloudMaintainTime } from "../windows";

/**
 * PostgreSQL on ApsaraDB RDS: an instance in the VPC (no public connection string is ever allocated),
 * whitelisted to the VPC CIDR only, SSL on, cloud-disk encryption, plus the database, the privileged
 * account and the backup policy (with log backups for point-in-time recovery).
 */
export function postgresOnAlicloud(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const placement = db.placement!;
  const provider = providerFor(ctx, "alicloud");
  const opts = { parent, ...provider };
  const t = db.transforms;
  const zones = placement.zoneIds ?? [];
  // HA places the standby in the second VSwitch/zone; ApsaraDB takes the VSwitches comma-separated.
  const vswitchId = db.highAvailability
    ? pulumi.all(placement.subnetIds.slice(0, 2)).apply((ids) => ids.join(","))
    : pulumi.output(placement.subnetIds[0]);

  const instance = new alicloud.rds.Instance(
    `${name}-instance`,
    applyTransform(t, "instance", {
      engine: "PostgreSQL",
      engineVersion: db.version.includes(".") ? db.version : `${db.version}.0`,
      instanceType: db.instanceClass!,
      instanceStorage: db.storageGb!,
      dbInstanceStorageType: "cloud_essd",
      category: db.highAvailability ? "HighAvailability" : "Basic",
      instanceChargeType: "Postpaid",
      vpcId: placement.vpcId,
      vswitchId,
      zoneId: zones[0],
      zoneIdSlaveA: db.highAvailability ? zones[1] : undefined,
      securityIps: placement.allowedCidrBlocks,
      securityIpMode: "safety",
      sslAction: "Open",
      encryptionKey: db.encryptionKeyId ?? "ServiceKey",
      deletionProtection: db.deletionProtection,
      maintainTime: alicloudMaintainTime(db.maintenanceWindow),
      parameters: Object.entries(db.parameters).map(([key, value]) => ({ name: key, value })),
      tags: cloudTags(ctx, "database"),
    } satisfies alicloud.rds.InstanceArgs),
    dataStoreOptions(input, provider),
  );
  const account = new alicloud.rds.Account(
    `${name}-account`,
    applyTransform(t, "account", {
      dbInstanceId: instance.id,
      accountName: db.username,
      accountPassword: pulumi.secret(input.password),
      // PostgreSQL on ApsaraDB: the privileged account owns the databases it creates.
      accountType: "Super",
    }),
    opts,
  );
  const database = new alicloud.rds.Database(
    `${name}-database`,
    applyTransform(t, "database", { instanceId: instance.id, dataBaseName: db.databaseName, characterSet: "UTF8" }),
    { ...opts, dependsOn: [account] },
  );
  const backupPolicy = new alicloud.rds.BackupPolicy(
    `${name}-backup-policy`,
    applyTransform(t, "backupPolicy", {
      instanceId: instance.id,
      backupRetentionPeriod: db.backupRetentionDays,
      preferredBackupTime: alicloudBackupTime(db.backupWindow),
      preferredBackupPeriods: ALICLOUD_ALL_DAYS,
      enableBackupLog: db.pointInTimeRecovery,
      logBackupRetentionPeriod: db.pointInTimeRecovery ? db.backupRetentionDays : undefined,
      releasedKeepPolicy: db.deletionProtection ? "All" : "None",
    } satisfies alicloud.rds.BackupPolicyArgs),
    opts,
  );
  // Read-only instances: same class and storage, in the VPC, whitelisted to the VPC CIDR, SSL on; spread over
  // the zones of the placement.
  const children: Record<string, pulumi.Resource> = { instance, account, database, backupPolicy };
  const replicas: NonNullable<TargetOutput["replicas"]> = [];
  for (let i = 1; i <= db.readReplicas; i++) {
    const zone = (i - 1) % Math.max(1, placement.subnetIds.length);
    const replica = new alicloud.rds.ReadOnlyInstance(
      `${name}-replica-${i}`,
      applyTransform(t, "readReplica", {
        masterDbInstanceId: instance.id,
        engineVersion: db.version.includes(".") ? db.version : `${db.version}.0`,
        instanceType: db.instanceClass!,
        instanceStorage: db.storageGb!,
        dbInstanceStorageType: "cloud_essd",
        instanceChargeType: "Postpaid",
        vswitchId: placement.subnetIds[zone],
        zoneId: zones[zone],
        securityIps: placement.allowedCidrBlocks,
        sslEnabled: 1,
        deletionProtection: db.deletionProtection,
        parameters: Object.entries(db.parameters).map(([key, value]) => ({ name: key, value })),
        tags: { ...cloudTags(ctx, "database"), "platform:role": "read-replica" },
      } satisfies alicloud.rds.ReadOnlyInstanceArgs),
      dataStoreOptions(input, provider),
    );
    children[`replica${i}`] = replica;
    replicas.push({ host: replica.connectionString, port: replica.port.apply((p) => Number(p ?? db.port)) });
  }
  return {
    replicas,
    host: instance.connectionString,
    port: instance.port.apply((p) => Number(p ?? db.port)),
    tls: true,
    resourceId: instance.id,
    snapshotIntervalMinutes: 1440,
    children,
  };
}
