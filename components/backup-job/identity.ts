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

/** Cloud role the job's ServiceAccount assumes through the cluster's OIDC provider (no static keys). */
export function registerBucketIdentity(i: IdentityInputs): BucketIdentity {
  const ns = i.ctx.namespace;
  if (i.identity.cloud === "aws") {
    const opts = { parent: i.parent, ...providerFor(i.ctx, "aws") };
    const role = new aws.iam.Role(`${i.name}-role`, {
      assumeRolePolicy: pulumi
        .all([i.identity.providerArn, i.identity.issuerUrl])
        .apply(([arn, url]) => irsaTrustPolicy(arn, url, ns, i.serviceAccount)),
      tags: cloudTags(i.ctx, "backup-job"),
    }, opts);
    const policy = new aws.iam.RolePolicy(`${i.name}-policy`, {
      role: role.id,
      policy: pulumi.all([i.bucketName, i.kmsKeyArn]).apply(([b, k]) => s3AccessPolicy(b, i.prefix, k)),
    }, opts);
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
    policyDocument: pulumi.all([i.bucketName, i.kmsKeyArn]).apply(([b, k]) => ossAccessPolicy(b, i.prefix, k)),
    description: `Backup job ${i.name}: OSS prefix access`,
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
