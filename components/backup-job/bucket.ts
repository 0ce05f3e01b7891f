import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as alicloud from "@pulumi/alicloud";
import { cloudTags } from "../lib/labels";
import { type PlatformContext, providerFor } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";

export interface BucketInputs {
  name: string;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  retentionDays: number;
  kmsKeyId?: pulumi.Input<string>;
  protect: boolean;
  transforms?: Transforms<string>;
}

export interface CreatedBucket {
  /** Bucket name (for BACKUP_DESTINATION and IAM policies). */
  bucketName: pulumi.Output<string>;
  resources: pulumi.Resource[];
}

/** Objects whose multipart upload was abandoned by a killed job are removed after this many days. */
const ABORT_MULTIPART_DAYS = 1;

/** Deny any request not made over TLS (encryption in transit for backups). */
export function tlsOnlyPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/**
 * S3 bucket for backups: private (all public access blocked), versioned, SSE-KMS (or SSE-S3 without a key),
 * TLS-only, expiring current and noncurrent versions after the retention period.
 */
export function registerS3Bucket(i: BucketInputs): CreatedBucket {
  const opts = { parent: i.parent, ...providerFor(i.ctx, "aws") };
  const bucket = new aws.s3.Bucket(
    `${i.name}-bucket`,
    applyTransform(i.transforms, "bucket", { forceDestroy: false, tags: cloudTags(i.ctx, "backup-job") } satisfies aws.s3.BucketArgs),
    { ...opts, protect: i.protect },
  );
  const publicAccess = new aws.s3.BucketPublicAccessBlock(`${i.name}-bucket-public-access`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }, opts);
  const versioning = new aws.s3.BucketVersioning(`${i.name}-bucket-versioning`, {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  }, opts);
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${i.name}-bucket-encryption`, {
    bucket: bucket.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: i.kmsKeyId
          ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: i.kmsKeyId }
          : { sseAlgorithm: "AES256" },
        bucketKeyEnabled: i.kmsKeyId !== undefined,
      },
    ],
  }, opts);
  const policy = new aws.s3.BucketPolicy(`${i.name}-bucket-policy`, {
    bucket: bucket.id,
    policy: bucket.arn.apply(tlsOnlyPolicy),
  }, { ...opts, dependsOn: [publicAccess] });
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(`${i.name}-bucket-lifecycle`, {
    bucket: bucket.id,
    rules: [
      {
        id: "expire-backups",
        status: "Enabled",
        filter: {},
        expiration: { days: i.retentionDays },
        noncurrentVersionExpiration: { noncurrentDays: i.retentionDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
      },
    ],
  }, { ...opts, dependsOn: [versioning] });
  return { bucketName: bucket.bucket, resources: [bucket, publicAccess, versioning, encryption, policy, lifecycle] };
}

/** OSS bucket for backups: private ACL, versioned, KMS (or AES256) server-side encryption, lifecycle expiry. */
export function registerOssBucket(i: BucketInputs): CreatedBucket {
  const opts = { parent: i.parent, ...providerFor(i.ctx, "alicloud") };
  const bucket = new alicloud.oss.Bucket(
    `${i.name}-bucket`,
    applyTransform(i.transforms, "bucket", {
      acl: "private",
      forceDestroy: false,
      versioning: { status: "Enabled" },
      serverSideEncryptionRule: i.kmsKeyId ? { sseAlgorithm: "KMS", kmsMasterKeyId: i.kmsKeyId } : { sseAlgorithm: "AES256" },
      lifecycleRules: [
        {
          id: "expire-backups",
          enabled: true,
          prefix: "",
          expirations: [{ days: i.retentionDays }],
          noncurrentVersionExpirations: [{ days: i.retentionDays }],
        },
      ],
      tags: cloudTags(i.ctx, "backup-job"),
    } satisfies alicloud.oss.BucketArgs),
    { ...opts, protect: i.protect },
  );
  const policy = new alicloud.oss.BucketPolicy(`${i.name}-bucket-policy`, {
    bucket: bucket.bucket,
    policy: bucket.bucket.apply(ossTlsOnlyPolicy),
  }, opts);
  return { bucketName: bucket.bucket, resources: [bucket, policy] };
}

/** OSS: deny any request not made over HTTPS. */
export function ossTlsOnlyPolicy(bucketName: string): string {
  return JSON.stringify({
    Version: "1",
    Statement: [
      {
        Effect: "Deny",
        Action: ["oss:*"],
        Principal: ["*"],
        Resource: [`acs:oss:*:*:${bucketName}`, `acs:oss:*:*:${bucketName}/*`],
        Condition: { Bool: { "acs:SecureTransport": ["false"] } },
      },
    ],
  });
}

/**
 * Expiry rule on a bucket the stack does not own (`destination.lifecycleRule: true`): only objects under this
 * backup set's prefix expire. S3 keeps one lifecycle configuration per bucket, so this one replaces any other.
 */
export function registerNamedBucketLifecycle(i: {
  name: string;
  parent: pulumi.Resource;
  ctx: PlatformContext;
  bucket: pulumi.Input<string>;
  keyPrefix: string;
  retentionDays: number;
}): aws.s3.BucketLifecycleConfiguration {
  return new aws.s3.BucketLifecycleConfiguration(`${i.name}-bucket-lifecycle`, {
    bucket: i.bucket,
    rules: [
      {
        id: `expire-${i.name}`,
        status: "Enabled",
        filter: { prefix: i.keyPrefix },
        expiration: { days: i.retentionDays },
        noncurrentVersionExpiration: { noncurrentDays: i.retentionDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
      },
    ],
  }, { parent: i.parent, ...providerFor(i.ctx, "aws") });
}
