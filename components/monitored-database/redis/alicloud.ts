import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { cloudTags } from "../../lib/labels";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { ALICLOUD_ALL_DAYS } from "../windows";

/**
 * Redis on ApsaraDB for Redis (KVStore): VPC-only (a VSwitch, no public endpoint), password auth, TLS,
 * whitelist limited to the VPC CIDR, daily backups (and AOF log backups for PITR when asked). The
 * standard master-replica classes fail over between the two zones when HA.
 */
export function redisOnAlicloud(input: TargetInput): TargetOutput {
  const { name, db, ctx } = input;
  const placement = db.placement!;
  const provider = providerFor(ctx, "alicloud");
  const t = db.transforms;
  const zones = placement.zoneIds ?? [];
  const [startHour, endHour] = db.maintenanceWindow.split("-").map((part) => part.slice(4));

  const instance = new alicloud.kvstore.Instance(
    `${name}-instance`,
    applyTransform(t, "instance", {
      instanceType: "Redis",
      engineVersion: db.version.includes(".") ? db.version : `${db.version}.0`,
      instanceClass: db.instanceClass!,
      // Cluster edition (cloud-native, cloud disks): the data shards behind the instance's proxy endpoint.
      ...(db.redisCluster ? { shardCount: db.redisCluster.shards } : {}),
      paymentType: "PostPaid",
      vswitchId: placement.subnetIds[0],
      zoneId: zones[0],
      secondaryZoneId: db.highAvailability ? zones[1] : undefined,
      password: pulumi.secret(input.password),
      vpcAuthMode: "Open",
      securityIps: placement.allowedCidrBlocks,
      sslEnable: "Enable",
      backupPeriods: ALICLOUD_ALL_DAYS,
      backupTime: db.backupWindow.split("-").map((part) => `${part}Z`).join("-"),
      enableBackupLog: db.pointInTimeRecovery ? 1 : 0,
      maintainStartTime: `${startHour}Z`,
      maintainEndTime: `${endHour}Z`,
      instanceReleaseProtection: db.deletionProtection,
      config: db.parameters,
      tags: cloudTags(ctx, "cache"),
    } satisfies alicloud.kvstore.InstanceArgs),
    dataStoreOptions(input, provider),
  );
  return {
    host: instance.connectionDomain,
    port: instance.port.apply((p) => Number(p ?? db.port)),
    tls: true,
    resourceId: instance.id,
    snapshotIntervalMinutes: 1440,
    children: { instance },
    redisPersistenceObservable: false,
    // Cluster edition: one backup file per data shard.
    redisSnapshot: { cloud: "alicloud", instanceId: instance.id, shards: db.redisCluster?.shards ?? 1, clusterEdition: db.redisCluster !== undefined },
  };
}
