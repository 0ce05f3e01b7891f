import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as alicloud from "@pulumi/alicloud";
import type { WorkloadIdentity } from "../lib/contracts";
import { irsaTrustPolicy } from "../lib/irsa";
import { cloudTags } from "../lib/labels";
import { type PlatformContext, providerFor } from "../lib/platform";

export interface IdentityInputs {
  name: string;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  identity: WorkloadIdentity;
  serviceAccount: string;
  bucketName: pulumi.Input<string>;
  prefix: string;
  kmsKeyArn?: pulumi.Input<string>;
  /** RRSA: the longest session the job asks STS for (the role's MaxSessionDuration). */
  maxSessionSeconds: number;
}

export interface BucketIdentity {
  /** Annotations for the job's ServiceAccount. */
  annotations: pulumi.Output<Record<string, string>>;
  resources: pulumi.Resource[];
}

// Shared with the cluster's controllers (components/lib/irsa.ts); re-exported for existing importers.
export { irsaTrustPolicy };

/** Least privilege on the backup prefix (and the backup key): write, read back for verification, list. */
export function s3AccessPolicy(bucket: string, prefix: string, kmsKeyArn?: string): string {
  const statements: Record<string, unknown>[] = [
    { Sid: "Objects", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `arn:aws:s3:::${bucket}/${prefix}/*` },
    {
      Sid: "List",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } },
    },
  ];
  if (kmsKeyArn) {
    statements.push({ Sid: "Key", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** RRSA trust on Alibaba Cloud ACK: the OIDC provider, this ServiceAccount, the STS audience. */
export function rrsaTrustPolicy(providerArn: string, issuerUrl: string, namespace: string, serviceAccount: string): string {
  return JSON.stringify({
    Version: "1",
    Statement: [
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Federated: [providerArn] },
        Condition: {
          StringEquals: {
            "oidc:iss": issuerUrl,
            "oidc:aud": "sts.aliyuncs.com",
            "oidc:sub": `system:serviceaccount:${namespace}:${serviceAccount}`,
          },
        },
      },
    ],
  });
}

export function ossAccessPolicy(bucket: string, prefix: string, kmsKeyId?: string): string {
  const statements: Record<string, unknown>[] = [
    { Effect: "Allow", Action: ["oss:PutObject", "oss:GetObject"], Resource: [`acs:oss:*:*:${bucket}/${prefix}/*`] },
    { Effect: "Allow", Action: ["oss:ListObjects"], Resource: [`acs:oss:*:*:${bucket}`], Condition: { StringLike: { "oss:Prefix": [`${prefix}/*`] } } },
  ];
  if (kmsKeyId) statements.push({ Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: ["*"] });
  return JSON.stringify({ Version: "1", Statement: statements });
}

/**
 * Namespace label the ACK pod-identity webhook (add-on `ack-pod-identity-webhook`) acts on: in a labelled namespace,
 * pods whose ServiceAccount carries `pod-identity.alibabacloud.com/role-name` get the RRSA token file and the
 * ALIBABA_CLOUD_ROLE_ARN / ALIBABA_CLOUD_OIDC_PROVIDER_ARN / ALIBABA_CLOUD_OIDC_TOKEN_FILE variables injected.
 */
export const POD_IDENTITY_INJECTION_LABEL: Record<string, string> = { "pod-identity.alibabacloud.com/injection": "on" };

/**
 * ElastiCache snapshots of one replication group by one backup set: take and list them, delete only this set's
 * (`<set>-*`), and restore the newest into the set's scratch group for the restore test, then delete that group.
 * The restore needs the subnet group, parameter group and
 * security groups of the template, and the data's KMS key when it has one.
 */
export function elasticacheSnapshotPolicy(replicationGroupId: string, setName: string, scratchGroupId: string, kmsKeyArn?: string): string {
  const arn = (kind: string, id: string) => `arn:aws:elasticache:*:*:${kind}:${id}`;
  const statements: Record<string, unknown>[] = [
    {
      Sid: "Snapshot",
      Effect: "Allow",
      Action: "elasticache:CreateSnapshot",
      Resource: [arn("replicationgroup", replicationGroupId), arn("cluster", `${replicationGroupId}-*`), arn("snapshot", `${setName}-*`)],
    },
    { Sid: "Prune", Effect: "Allow", Action: "elasticache:DeleteSnapshot", Resource: arn("snapshot", `${setName}-*`) },
    // Listing filters by group and name server-side; a snapshot's metadata holds no data.
    { Sid: "ListSnapshots", Effect: "Allow", Action: "elasticache:DescribeSnapshots", Resource: [arn("snapshot", "*"), arn("replicationgroup", replicationGroupId), arn("cluster", `${replicationGroupId}-*`)] },
    { Sid: "WatchGroups", Effect: "Allow", Action: "elasticache:DescribeReplicationGroups", Resource: [arn("replicationgroup", replicationGroupId), arn("replicationgroup", scratchGroupId)] },
    {
      Sid: "RestoreTest",
      Effect: "Allow",
      Action: ["elasticache:CreateReplicationGroup", "elasticache:CreateCacheCluster", "elasticache:AddTagsToResource", "elasticache:DeleteReplicationGroup", "elasticache:DeleteCacheCluster"],
      Resource: [
        arn("replicationgroup", scratchGroupId),
        arn("cluster", `${scratchGroupId}-*`),
        arn("snapshot", `${setName}-*`),
        arn("subnetgroup", "*"),
        arn("parametergroup", "*"),
        arn("securitygroup", "*"),
        arn("usergroup", "*"),
      ],
    },
    { Sid: "RestoreNetwork", Effect: "Allow", Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], Resource: "*" },
  ];
  if (kmsKeyArn) {
    statements.push({ Sid: "Key", Effect: "Allow", Action: ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * ApsaraDB for Redis backups of one instance: take one, follow its task, list the backups with their download URLs
 * (DescribeBackups; a cloud-native cluster edition lists its backup sets with DescribeClusterBackupList).
 */
export function kvstoreBackupPolicy(instanceId: string): string {
  return JSON.stringify({
    Version: "1",
    Statement: [
      {
        Effect: "Allow",
        Action: ["kvstore:CreateBackup", "kvstore:DescribeBackupTasks", "kvstore:DescribeBackups", "kvstore:DescribeClusterBackupList"],
        Resource: [`acs:kvstore:*:*:instance/${instanceId}`],
      },
    ],
  });
}

export interface WorkloadIdentityInputs {
  name: string;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  identity: WorkloadIdentity;
  serviceAccount: string;
  /** The role's one inline (AWS) or custom (RAM) policy. */
  policyDocument: pulumi.Input<string>;
  /** What the role is for, in the RAM description. */
  purpose: string;
  /** RRSA: the longest session the job asks STS for (the role's MaxSessionDuration). */
  maxSessionSeconds: number;
}

/** Cloud role the job's ServiceAccount assumes through the cluster's OIDC provider (no static keys), with one policy. */
export function registerWorkloadIdentity(i: WorkloadIdentityInputs): BucketIdentity {
  const ns = i.ctx.namespace;
  if (i.identity.cloud === "aws") {
    const opts = { parent: i.parent, ...providerFor(i.ctx, "aws") };
    const role = new aws.iam.Role(`${i.name}-role`, {
      assumeRolePolicy: pulumi
        .all([i.identity.providerArn, i.identity.issuerUrl])
        .apply(([arn, url]) => irsaTrustPolicy(arn, url, ns, i.serviceAccount)),
      tags: cloudTags(i.ctx, "backup-job"),
    }, opts);
    const policy = new aws.iam.RolePolicy(`${i.name}-policy`, { role: role.id, policy: i.policyDocument }, opts);
    return { annotations: role.arn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn })), resources: [role, policy] };
  }
  const opts = { parent: i.parent, ...providerFor(i.ctx, "alicloud") };
  const role = new alicloud.ram.Role(`${i.name}-role`, {
    assumeRolePolicyDocument: pulumi
      .all([i.identity.providerArn, i.identity.issuerUrl])
      .apply(([arn, url]) => rrsaTrustPolicy(arn, url, ns, i.serviceAccount)),
    description: `Backup job ${i.name} (RRSA)`,
    maxSessionDuration: i.maxSessionSeconds,
  }, opts);
  const policy = new alicloud.ram.Policy(`${i.name}-policy`, {
    policyDocument: i.policyDocument,
    description: `Backup job ${i.name}: ${i.purpose}`,
  }, opts);
  const attachment = new alicloud.ram.RolePolicyAttachment(`${i.name}-policy-attachment`, {
    roleName: role.roleName,
    policyName: policy.policyName,
    policyType: "Custom",
  }, opts);
  return {
    annotations: role.roleName.apply((n): Record<string, string> => ({ "pod-identity.alibabacloud.com/role-name": n })),
    resources: [role, policy, attachment],
  };
}

/** The role of a dump backup set: its bucket prefix (and the backup key) only. */
export function registerBucketIdentity(i: IdentityInputs): BucketIdentity {
  return registerWorkloadIdentity({
    name: i.name, ctx: i.ctx, parent: i.parent, identity: i.identity, serviceAccount: i.serviceAccount, maxSessionSeconds: i.maxSessionSeconds,
    policyDocument: i.identity.cloud === "aws"
      ? pulumi.all([i.bucketName, i.kmsKeyArn]).apply(([b, k]) => s3AccessPolicy(b, i.prefix, k))
      : pulumi.all([i.bucketName, i.kmsKeyArn]).apply(([b, k]) => ossAccessPolicy(b, i.prefix, k)),
    purpose: "OSS prefix access",
  });
}
