import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { cloudTags } from "../../lib/labels";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { ALICLOUD_ALL_DAYS, alicloudBackupTime } from "../windows";

/**
 * MongoDB on ApsaraDB for MongoDB: a replica set of `members` nodes (3, 5 or 7) in the VPC (no public address is
 * ever allocated), whitelisted to the VPC CIDR only, SSL on, cloud disks encrypted (with the database key when
 * given), the root password from the generated secret, daily backups for the retention plus log backups for
 * point-in-time recovery, release protection. With high availability the secondary goes to the second zone.
 */
export function mongodbOnAlicloud(input: TargetInput): TargetOutput {
  const { name, db, ctx } = input;
  const placement = db.placement!;
  const provider = providerFor(ctx, "alicloud");
  const t = db.transforms;
  const zones = placement.zoneIds ?? [];
  const [startTime, endTime] = db.maintenanceWindow.split("-").map((part) => `${part.slice(4)}Z`);

  const instance = new alicloud.mongodb.Instance(
    `${name}-instance`,
    applyTransform(t, "instance", {
      engineVersion: db.version,
      dbInstanceClass: db.instanceClass!,
      dbInstanceStorage: db.storageGb!,
      storageType: "cloud_essd1",
      replicationFactor: db.members,
      instanceChargeType: "PostPaid",
      networkType: "VPC",
      vpcId: placement.vpcId,
      vswitchId: placement.subnetIds[0],
      zoneId: zones[0],
      secondaryZoneId: db.highAvailability ? zones[1] : undefined,
      accountPassword: pulumi.secret(input.password),
      securityIpLists: placement.allowedCidrBlocks,
      sslAction: "Open",
      encrypted: true,
      ...(db.encryptionKeyId !== undefined ? { cloudDiskEncryptionKey: db.encryptionKeyId } : {}),
      backupPeriods: ALICLOUD_ALL_DAYS,
      backupTime: alicloudBackupTime(db.backupWindow),
      backupRetentionPeriod: db.backupRetentionDays,
      enableBackupLog: db.pointInTimeRecovery ? 1 : 0,
      logBackupRetentionPeriod: db.pointInTimeRecovery ? db.backupRetentionDays : undefined,
      maintainStartTime: startTime,
      maintainEndTime: endTime,
      dbInstanceReleaseProtection: db.deletionProtection,
      parameters: Object.entries(db.parameters).map(([key, value]) => ({ name: key, value })),
      tags: cloudTags(ctx, "database"),
    } satisfies alicloud.mongodb.InstanceArgs),
    dataStoreOptions(input, provider),
  );
  // The primary's VPC address; the driver discovers the other members from it (replicaSet in the URL).
  const primary = instance.replicaSets.apply((sets) => sets.find((s) => s.replicaSetRole === "Primary") ?? sets[0]);
  return {
    host: primary.apply((p) => p?.connectionDomain ?? ""),
    port: primary.apply((p) => Number(p?.connectionPort ?? db.port)),
    tls: true,
    resourceId: instance.id,
    snapshotIntervalMinutes: 1440,
    urlOptions: pulumi.interpolate`replicaSet=${instance.replicaSetName}`,
    mongodbReplicaSetObservable: true,
    children: { instance },
  };
}
