import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { cloudTags } from "../../lib/labels";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { awsDataStoreNetwork } from "../aws-network";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";

/** CloudWatch log types RDS PostgreSQL can export. */
export const RDS_POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade"];

/**
 * PostgreSQL on Amazon RDS: subnet group, a security group open only to the application tier on 5432,
 * a parameter group that forces TLS, and an encrypted instance with deletion protection, a unique final
 * snapshot and kept automated backups.
 */
export function postgresOnAws(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const provider = providerFor(ctx, "aws");
  const opts = { parent, ...provider };
  const tags = cloudTags(ctx, "database");
  const t = db.transforms;
  const major = db.version.split(".")[0];

  const { subnetGroup, securityGroup } = awsDataStoreNetwork(input, "PostgreSQL", aws.rds.SubnetGroup, tags, opts);
  const parameterGroup = new aws.rds.ParameterGroup(
    `${name}-params`,
    applyTransform(t, "parameterGroup", {
      family: `postgres${major}`,
      description: `${name} PostgreSQL ${major}: TLS required`,
      parameters: [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        ...Object.entries(db.parameters).map(([key, value]) => ({ name: key, value, applyMethod: "pending-reboot" })),
      ],
      tags,
    }),
    opts,
  );
  // A final snapshot name must be unique across the account's history; a random suffix makes a
  // destroy/recreate cycle not collide with the snapshot of the previous incarnation.
  const snapshotSuffix = new random.RandomId(`${name}-final-snapshot`, applyTransform(t, "snapshotSuffix", { byteLength: 4 }), { parent });
  const insights = db.enhancedMonitoring;
  const instance = new aws.rds.Instance(
    `${name}-instance`,
    applyTransform(t, "instance", {
      engine: "postgres",
      engineVersion: db.version,
      instanceClass: db.instanceClass!,
      allocatedStorage: db.storageGb!,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: db.encryptionKeyId,
      dbName: db.databaseName,
      username: db.username,
      password: pulumi.secret(input.password),
      port: db.port,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      parameterGroupName: parameterGroup.name,
      publiclyAccessible: false,
      multiAz: db.highAvailability,
      backupRetentionPeriod: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: db.deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: pulumi.interpolate`${name}-final-${snapshotSuffix.hex}`,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      performanceInsightsEnabled: insights,
      performanceInsightsKmsKeyId: insights ? db.encryptionKeyId : undefined,
      performanceInsightsRetentionPeriod: insights ? 7 : undefined,
      enabledCloudwatchLogsExports: insights ? RDS_POSTGRES_LOG_EXPORTS : [],
      iamDatabaseAuthenticationEnabled: true,
      tags,
    } satisfies aws.rds.InstanceArgs),
    dataStoreOptions(input, provider),
  );
  // Read replicas: same class, parameters (TLS forced) and security group; encryption and the subnet group are
  // inherited from the source. A replica keeps no backups of its own and leaves no final snapshot (the primary's
  // backups cover the data).
  const children: Record<string, pulumi.Resource> = { subnetGroup, securityGroup, parameterGroup, snapshotSuffix, instance };
  const replicas: NonNullable<TargetOutput["replicas"]> = [];
  for (let i = 1; i <= db.readReplicas; i++) {
    const replica = new aws.rds.Instance(
      `${name}-replica-${i}`,
      applyTransform(t, "readReplica", {
        replicateSourceDb: instance.identifier,
        instanceClass: db.instanceClass!,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: db.encryptionKeyId,
        vpcSecurityGroupIds: [securityGroup.id],
        parameterGroupName: parameterGroup.name,
        publiclyAccessible: false,
        multiAz: false,
        backupRetentionPeriod: 0,
        skipFinalSnapshot: true,
        deletionProtection: db.deletionProtection,
        maintenanceWindow: db.maintenanceWindow,
        autoMinorVersionUpgrade: true,
        performanceInsightsEnabled: insights,
        performanceInsightsKmsKeyId: insights ? db.encryptionKeyId : undefined,
        performanceInsightsRetentionPeriod: insights ? 7 : undefined,
        enabledCloudwatchLogsExports: insights ? RDS_POSTGRES_LOG_EXPORTS : [],
        iamDatabaseAuthenticationEnabled: true,
        copyTagsToSnapshot: true,
        tags: { ...tags, "platform:role": "read-replica" },
      } satisfies aws.rds.InstanceArgs),
      { ...dataStoreOptions(input, provider) },
    );
    children[`replica${i}`] = replica;
    replicas.push({ host: replica.address, port: replica.port });
  }
  return {
    host: instance.address,
    port: instance.port,
    tls: true,
    resourceId: instance.arn,
    snapshotIntervalMinutes: 1440,
    children,
    replicas,
  };
}
