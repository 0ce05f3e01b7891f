import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { cloudTags } from "../../lib/labels";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { awsDataStoreNetwork } from "../aws-network";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { elasticacheClusterNodes, elasticacheNodeHost } from "./cluster";

export interface ElasticacheRestoreInputs {
  nodeType: string;
  engineVersion: string;
  port: number;
  subnetGroupName: string;
  securityGroupIds: string[];
  parameterGroupName?: string;
  kmsKeyId?: string;
  /** Cluster mode: node groups of the original (a cluster snapshot restores into as many). */
  shards?: number;
}

/**
 * CreateReplicationGroup parameters (API names) of the restore test's scratch copy: the original's node type,
 * version, network and encryption, no replicas, no failover, no snapshots of its own. A snapshot restores only into a
 * group of the same cluster mode, so cluster mode keeps its node groups and parameter group.
 */
export function elasticacheRestoreTemplate(i: ElasticacheRestoreInputs): Record<string, unknown> {
  return {
    Engine: "redis",
    EngineVersion: i.engineVersion,
    CacheNodeType: i.nodeType,
    Port: i.port,
    CacheSubnetGroupName: i.subnetGroupName,
    SecurityGroupIds: i.securityGroupIds,
    ...(i.parameterGroupName ? { CacheParameterGroupName: i.parameterGroupName } : {}),
    ...(i.shards !== undefined
      ? { NumNodeGroups: i.shards, ReplicasPerNodeGroup: 0 }
      : { NumCacheClusters: 1 }),
    AutomaticFailoverEnabled: i.shards !== undefined,
    MultiAZEnabled: false,
    AtRestEncryptionEnabled: true,
    ...(i.kmsKeyId ? { KmsKeyId: i.kmsKeyId } : {}),
    TransitEncryptionEnabled: true,
    SnapshotRetentionLimit: 0,
    AutoMinorVersionUpgrade: false,
    Tags: [{ Key: "purpose", Value: "restore-test" }],
  };
}

/** Replicas per primary when highly available (ElastiCache needs at least one for automatic failover). */
export const ELASTICACHE_HA_REPLICAS = 1;

/**
 * Redis on ElastiCache: a replication group (primary + replica across zones with automatic failover when
 * HA), encrypted at rest and in transit, AUTH token from a random secret, daily snapshots kept for the
 * retention, a subnet group and a security group open only to the application tier.
 */
export function redisOnAws(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const provider = providerFor(ctx, "aws");
  const opts = { parent, ...provider };
  const tags = cloudTags(ctx, "cache");
  const t = db.transforms;
  const major = db.version.split(".")[0];
  // ElastiCache parameter group families: redis6.x for every 6.x, redis7 for 7.x.
  const family = major === "6" ? "redis6.x" : `redis${major}`;

  const { subnetGroup, securityGroup } = awsDataStoreNetwork(input, "Redis", aws.elasticache.SubnetGroup, tags, opts);
  const parameterGroup =
    Object.keys(db.parameters).length > 0
      ? new aws.elasticache.ParameterGroup(
          `${name}-params`,
          applyTransform(t, "parameterGroup", {
            family,
            description: `${name} Redis ${major} parameters`,
            // A custom group of a cluster-mode replication group must say so itself.
            parameters: [...Object.entries(db.parameters), ...(db.redisCluster ? [["cluster-enabled", "yes"]] : [])].map(([key, value]) => ({ name: key, value })),
            tags,
          }),
          opts,
        )
      : undefined;
  const snapshotSuffix = new random.RandomId(`${name}-final-snapshot`, applyTransform(t, "snapshotSuffix", { byteLength: 4 }), { parent });
  const ha = db.highAvailability;
  const cluster = db.redisCluster;
  // Cluster mode enabled: node groups (shards) with replicas each, always with automatic failover; the default
  // parameter group of the family's cluster flavour unless parameters are set.
  const topology = cluster
    ? {
        clusterMode: "enabled",
        numNodeGroups: cluster.shards,
        replicasPerNodeGroup: cluster.replicasPerShard,
        automaticFailoverEnabled: true,
        multiAzEnabled: cluster.replicasPerShard > 0,
        parameterGroupName: parameterGroup?.name ?? `default.${family}.cluster.on`,
      }
    : {
        numCacheClusters: ha ? 1 + ELASTICACHE_HA_REPLICAS : 1,
        automaticFailoverEnabled: ha,
        multiAzEnabled: ha,
        parameterGroupName: parameterGroup?.name,
      };
  const group = new aws.elasticache.ReplicationGroup(
    `${name}-replication-group`,
    applyTransform(t, "replicationGroup", {
      description: `${name} Redis (${ctx.environment})`,
      engine: "redis",
      engineVersion: db.version,
      nodeType: db.instanceClass!,
      port: db.port,
      ...topology,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      atRestEncryptionEnabled: true,
      kmsKeyId: db.encryptionKeyId,
      transitEncryptionEnabled: true,
      authToken: pulumi.secret(input.password),
      snapshotRetentionLimit: db.backupRetentionDays,
      snapshotWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      finalSnapshotIdentifier: db.backupRetentionDays > 0 ? pulumi.interpolate`${name}-final-${snapshotSuffix.hex}` : undefined,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
      tags,
    } satisfies aws.elasticache.ReplicationGroupArgs),
    dataStoreOptions(input, provider),
  );
  const children: Record<string, pulumi.Resource> = { subnetGroup, securityGroup, snapshotSuffix, replicationGroup: group };
  if (parameterGroup) children.parameterGroup = parameterGroup;
  const redisNodes = cluster
    ? elasticacheClusterNodes(cluster.shards, cluster.replicasPerShard).map(({ shard, node }) => ({
        shard,
        node,
        host: pulumi.all([group.configurationEndpointAddress, group.replicationGroupId]).apply(([endpoint, id]) => elasticacheNodeHost(endpoint, id, node)),
      }))
    : undefined;
  return {
    // Cluster mode: clients discover the shards through the configuration endpoint.
    host: cluster ? group.configurationEndpointAddress : group.primaryEndpointAddress,
    ...(redisNodes ? { redisNodes } : {}),
    port: group.port.apply((p) => p ?? db.port),
    tls: true,
    resourceId: group.arn,
    snapshotIntervalMinutes: db.backupRetentionDays > 0 ? 1440 : undefined,
    children,
    // ElastiCache takes snapshots out of band; rdb_last_save is not a backup signal there.
    redisPersistenceObservable: false,
    redisSnapshot: {
      cloud: "aws",
      replicationGroupId: group.replicationGroupId,
      shards: cluster ? cluster.shards : 1,
      ...(db.encryptionKeyId !== undefined ? { kmsKeyArn: db.encryptionKeyId } : {}),
      restoreTemplate: pulumi
        .all([group.engineVersionActual, subnetGroup.name, securityGroup.id, parameterGroup?.name, pulumi.output(db.encryptionKeyId)])
        .apply(([version, subnetGroupName, securityGroupId, parameterGroupName, kmsKeyId]) =>
          elasticacheRestoreTemplate({
            nodeType: db.instanceClass!,
            engineVersion: version ?? db.version,
            port: db.port,
            subnetGroupName,
            securityGroupIds: [securityGroupId],
            parameterGroupName: parameterGroupName ?? (cluster ? `default.${family}.cluster.on` : undefined),
            kmsKeyId,
            shards: cluster?.shards,
          }),
        ),
    },
  };
}
