import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isProduction } from "./common";
import { IngressPermission, worldIngressProblems } from "./network";

/** Ingress permissions of the AWS security-group resource shapes the library (or a user) may register. */
export function awsIngressPermissions(type: string, props: any): IngressPermission[] {
  switch (type) {
    case "aws:ec2/securityGroup:SecurityGroup":
      return (props.ingress ?? []).map((r: any) => ({
        cidrs: [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])],
        fromPort: r.fromPort,
        toPort: r.toPort,
        protocol: r.protocol,
      }));
    case "aws:ec2/securityGroupRule:SecurityGroupRule":
      if (props.type !== "ingress") return [];
      return [{ cidrs: [...(props.cidrBlocks ?? []), ...(props.ipv6CidrBlocks ?? [])], fromPort: props.fromPort, toPort: props.toPort, protocol: props.protocol }];
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return [{ cidrs: [props.cidrIpv4, props.cidrIpv6].filter(Boolean), fromPort: props.fromPort, toPort: props.toPort, protocol: props.ipProtocol }];
    default:
      return [];
  }
}

export const noWorldIngress: ResourceValidationPolicy = {
  name: "aws-no-world-ingress",
  description: "Security groups admit 0.0.0.0/0 only on 80/443 (the load balancer).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const problem of worldIngressProblems(awsIngressPermissions(args.type, args.props))) reportViolation(problem);
  },
};

export const rdsSafety: ResourceValidationPolicy = {
  name: "aws-rds-safety",
  description: "RDS storage is encrypted and private; production instances have deletion protection, a final snapshot and Pulumi protect.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:rds/instance:Instance") return;
    const p = args.props;
    if (p.storageEncrypted !== true) reportViolation("storage is not encrypted (storageEncrypted must be true)");
    if (p.publiclyAccessible === true) reportViolation("instance is publicly accessible");
    if (isProduction(p.tags)) {
      if (p.deletionProtection !== true) reportViolation("production instance without deletionProtection");
      if (p.skipFinalSnapshot === true) reportViolation("production instance skips its final snapshot");
      if (!args.opts.protect) reportViolation("production instance is not protected (resource option protect: true)");
    }
  },
};

export const elasticacheEncryption: ResourceValidationPolicy = {
  name: "aws-elasticache-encryption",
  description: "Redis replication groups encrypt at rest and in transit and require an auth token.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:elasticache/replicationGroup:ReplicationGroup") return;
    const p = args.props;
    if (p.atRestEncryptionEnabled !== true && p.atRestEncryptionEnabled !== "true") reportViolation("at-rest encryption is off");
    if (p.transitEncryptionEnabled !== true) reportViolation("in-transit encryption is off");
    if (!p.authToken) reportViolation("no auth token");
  },
};

export const s3PublicAccessBlock: ResourceValidationPolicy = {
  name: "aws-s3-public-access-block",
  description: "Bucket public access blocks turn on all four settings.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock") return;
    for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      if (args.props[key] !== true) reportViolation(`${key} is not true`);
    }
  },
};

export const kmsRotation: ResourceValidationPolicy = {
  name: "aws-kms-rotation",
  description: "Customer-managed KMS keys rotate automatically.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:kms/key:Key") return;
    if (args.props.enableKeyRotation !== true) reportViolation("key rotation is off (enableKeyRotation must be true)");
  },
};

export const awsPolicies: ResourceValidationPolicy[] = [noWorldIngress, rdsSafety, elasticacheEncryption, s3PublicAccessBlock, kmsRotation];
