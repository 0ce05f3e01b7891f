import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { cloudTags } from "../../lib/labels";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { awsDataStoreNetwork } from "../aws-network";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";

/** CloudWatch log types a DocumentDB cluster can export. */
export const DOCDB_LOG_EXPORTS = ["audit", "profiler"];

/**
 * DocumentDB clusters are replica sets named rs0; retryable writes are not supported, and reads may go to the
 * replicas. Clients verify the server certificate against the Amazon RDS CA bundle (`tlsCAFile`), which is not
 * in the public trust stores.
 */
export const DOCDB_URL_OPTIONS = "replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false";

/**
 * MongoDB on Amazon DocumentDB (MongoDB-compatible API, chosen over an operator on EKS: see the README): a cluster
 * encrypted at rest with the database key, TLS forced by its parameter group, in private subnets behind a
 * security group open to the application tier only; `members` instances (the first is the preferred primary, the
 * rest replicas across the zones with automatic failover), daily automated backups with point-in-time recovery for
 * the retention, deletion protection and a unique final snapshot.
 */
export function mongodbOnAws(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const provider = providerFor(ctx, "aws");
  const opts = { parent, ...provider };
  const tags = cloudTags(ctx, "database");
  const t = db.transforms;

  const { subnetGroup, securityGroup } = awsDataStoreNetwork(input, "DocumentDB", aws.docdb.SubnetGroup, tags, opts);
  const parameterGroup = new aws.docdb.ClusterParameterGroup(
    `${name}-params`,
    applyTransform(t, "parameterGroup", {
      family: `docdb${db.version}`,
      description: `${name} DocumentDB ${db.version}: TLS required`,
      parameters: [
        { name: "tls", value: "enabled", applyMethod: "pending-reboot" },
        ...Object.entries(db.parameters).map(([key, value]) => ({ name: key, value, applyMethod: "pending-reboot" })),
      ],
      tags,
    } satisfies aws.docdb.ClusterParameterGroupArgs),
    opts,
  );
  const snapshotSuffix = new random.RandomId(`${name}-final-snapshot`, applyTransform(t, "snapshotSuffix", { byteLength: 4 }), { parent });
  const cluster = new aws.docdb.Cluster(
    `${name}-cluster`,
    applyTransform(t, "cluster", {
      engine: "docdb",
      engineVersion: `${db.version}.0`,
      masterUsername: db.username,
      masterPassword: pulumi.secret(input.password),
      port: db.port,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      dbClusterParameterGroupName: parameterGroup.name,
      storageEncrypted: true,
      kmsKeyId: db.encryptionKeyId,
      backupRetentionPeriod: db.backupRetentionDays,
      preferredBackupWindow: db.backupWindow,
      preferredMaintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: pulumi.interpolate`${name}-final-${snapshotSuffix.hex}`,
      enabledCloudwatchLogsExports: db.enhancedMonitoring ? DOCDB_LOG_EXPORTS : [],
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      tags,
    } satisfies aws.docdb.ClusterArgs),
    dataStoreOptions(input, provider),
  );
  const children: Record<string, pulumi.Resource> = { subnetGroup, securityGroup, parameterGroup, snapshotSuffix, cluster };
  for (let i = 1; i <= db.members; i++) {
    children[`clusterInstance${i}`] = new aws.docdb.ClusterInstance(
      `${name}-instance-${i}`,
      applyTransform(t, "clusterInstance", {
        clusterIdentifier: cluster.id,
        engine: "docdb",
        instanceClass: db.instanceClass!,
        // Instance 1 is promoted first; DocumentDB spreads the instances over the subnet group's zones.
        promotionTier: i - 1,
        autoMinorVersionUpgrade: true,
        preferredMaintenanceWindow: db.maintenanceWindow,
        enablePerformanceInsights: db.enhancedMonitoring,
        performanceInsightsKmsKeyId: db.enhancedMonitoring ? db.encryptionKeyId : undefined,
        copyTagsToSnapshot: true,
        applyImmediately: false,
        tags,
      } satisfies aws.docdb.ClusterInstanceArgs),
      dataStoreOptions(input, provider),
    );
  }
  return {
    host: cluster.endpoint,
    port: cluster.port.apply((p) => p ?? db.port),
    tls: true,
    resourceId: cluster.arn,
    snapshotIntervalMinutes: 1440,
    urlOptions: DOCDB_URL_OPTIONS,
    // DocumentDB does not implement replSetGetStatus; its replica lag is the CloudWatch metric DBInstanceReplicaLag.
    mongodbReplicaSetObservable: false,
    children,
  };
}
