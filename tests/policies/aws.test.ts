import { awsPolicies, rdsMultiAz, rdsTlsForced } from "../../policies/rules/aws";
import { UNKNOWN } from "../helpers/policy";
import { describeChecks, messages } from "./cases";
import { cloud } from "./fixtures";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const RDS = "aws:rds/instance:Instance";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const EKS = "aws:eks/cluster:Cluster";

const rdsProps = {
  engine: "postgres",
  storageEncrypted: true,
  kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/db",
  publiclyAccessible: false,
  backupRetentionPeriod: 30,
  multiAz: true,
  deletionProtection: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "main-db-final",
  deleteAutomatedBackups: false,
  parameterGroupName: "main-db-params",
};
const rds = (props: Record<string, unknown> = {}, options: { stack?: string; protect?: boolean; dependencies?: string[] } = {}) =>
  cloud(RDS, "main-db-instance", { ...rdsProps, ...props }, { protect: true, ...options });
/** A read replica as MonitoredDatabase registers it: engine, storage and backups come from the source. */
const replicaProps = {
  replicateSourceDb: "main-db-instance-1a2b3c",
  storageEncrypted: true,
  kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/db",
  publiclyAccessible: false,
  multiAz: false,
  backupRetentionPeriod: 0,
  skipFinalSnapshot: true,
  deletionProtection: true,
  parameterGroupName: "main-db-params",
};
const replica = (props: Record<string, unknown> = {}, options: { stack?: string; protect?: boolean; dependencies?: string[] } = {}) =>
  cloud(RDS, "main-db-replica-1", { ...replicaProps, ...props }, { protect: true, ...options });
const paramGroup = (value: string) => cloud("aws:rds/parameterGroup:ParameterGroup", "main-db-params", { family: "postgres16", parameters: [{ name: "rds.force_ssl", value }] });

const redisProps = {
  atRestEncryptionEnabled: true,
  transitEncryptionEnabled: true,
  authToken: "generated",
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  numCacheClusters: 2,
  snapshotRetentionLimit: 7,
};
const redis = (props: Record<string, unknown> = {}) => cloud(REDIS, "cache", { ...redisProps, ...props });

const bucket = cloud("aws:s3/bucket:Bucket", "backups", { forceDestroy: false });
const companion = (type: string, props: Record<string, unknown>) => cloud(`aws:s3/${type}`, `backups-${type.split(":")[1]}`, props, { dependencies: [bucket.urn!] });
const tlsOnlyPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
});
const companions = [
  companion("bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
  companion("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }),
  companion("bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Enabled" } }),
  companion("bucketLifecycleConfiguration:BucketLifecycleConfiguration", { rules: [{ status: "Enabled", expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }] }),
  companion("bucketPolicy:BucketPolicy", { policy: tlsOnlyPolicy }),
];

const eks = (props: Record<string, unknown> = {}) =>
  cloud(EKS, "cluster", {
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:::key/k" } },
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    ...props,
  });

const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const irsaTrust = (condition: Record<string, unknown>) =>
  doc({ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition });

const launchTemplate = (props: Record<string, unknown>) => cloud("aws:ec2/launchTemplate:LaunchTemplate", "nodes", props);

describeChecks(awsPolicies, {
  "aws-sg-no-world-ingress": {
    good: [
      cloud(SG, "lb", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }] }),
      cloud("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "lb-80", { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv6: "::/0" }),
    ],
    bad: [
      cloud(SG, "db", { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }),
      cloud("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "all", { ipProtocol: "-1", cidrIpv6: "::/0" }),
      cloud("aws:ec2/securityGroupRule:SecurityGroupRule", "ssh", { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }),
    ],
    expect: ["0.0.0.0/0 may reach ports 5432-5432", "::/0 may reach ports all", "0.0.0.0/0 may reach ports 22-22"],
  },
  "aws-default-sg-closed": {
    good: cloud("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default", { ingress: [], egress: [] }),
    bad: cloud("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default", { ingress: [{ protocol: "-1", self: true }], egress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] }),
    expect: ["default security group has 1 ingress rule(s)", "default security group has 1 egress rule(s)"],
  },
  "aws-rds-encrypted": {
    good: rds(),
    bad: [rds({ storageEncrypted: false }), rds({ kmsKeyId: undefined })],
    expect: ["storage is not encrypted", "storage uses the AWS-managed key"],
  },
  "aws-rds-private": {
    good: rds(),
    bad: rds({ publiclyAccessible: true }),
    expect: ["instance is publicly accessible"],
  },
  "aws-rds-backup-retention": {
    good: [rds(), replica()],
    bad: [rds({ backupRetentionPeriod: 7 }), rds({ backupRetentionPeriod: 0, replicateSourceDb: "" })],
    expect: ["backupRetentionPeriod 7 is below 30 days"],
    config: { minRetentionDays: 30 },
  },
  "aws-rds-multi-az": {
    good: [rds(), rds({ multiAz: false }, { stack: "staging" }), replica()],
    bad: [rds({ multiAz: false }), rds({ multiAz: false, replicateSourceDb: null })],
    expect: ["production instance is not Multi-AZ"],
  },
  "aws-rds-deletion-protection": {
    good: [rds(), rds({ deletionProtection: false, skipFinalSnapshot: true }, { stack: "staging", protect: false }), replica()],
    bad: [rds({ deletionProtection: false, skipFinalSnapshot: true, deleteAutomatedBackups: true }, { protect: false }), replica({ deletionProtection: false }, { protect: false })],
    expect: [
      "production instance without deletionProtection",
      "production instance skips its final snapshot",
      "automated backups are deleted with the instance",
      "production instance is not protected (resource option protect: true)",
      "production read replica without deletionProtection",
      "production read replica is not protected (resource option protect: true)",
    ],
  },
  "aws-rds-tls-forced": {
    good: [paramGroup("1"), rds({}, { dependencies: [paramGroup("1").urn!] }), replica({}, { dependencies: [paramGroup("1").urn!, rds().urn!] })],
    // The replica names no engine: it is judged by its source's (postgres), found through its dependencies.
    bad: [paramGroup("0"), rds({}, { dependencies: [paramGroup("0").urn!] }), replica({}, { dependencies: [paramGroup("0").urn!, rds().urn!] })],
    expect: ['postgres instance "main-db-instance" has no parameter group with rds.force_ssl = 1', 'postgres instance "main-db-replica-1" has no parameter group with rds.force_ssl = 1'],
  },
  "aws-elasticache-encryption": {
    good: redis(),
    bad: redis({ atRestEncryptionEnabled: false, transitEncryptionEnabled: undefined }),
    expect: ["at-rest encryption is off", "in-transit encryption is off"],
  },
  "aws-elasticache-auth": {
    good: [redis(), redis({ authToken: undefined, userGroupIds: ["app"] })],
    bad: redis({ authToken: undefined }),
    expect: ["no auth token or user group"],
  },
  "aws-elasticache-failover": {
    // Cluster mode (3 shards of a primary and a replica) has no numCacheClusters: its replicas are per shard.
    good: [redis(), redis({ numCacheClusters: undefined, clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 1 })],
    bad: [
      redis({ automaticFailoverEnabled: false, multiAzEnabled: false, numCacheClusters: 1 }),
      redis({ numCacheClusters: undefined, clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 0 }),
    ],
    expect: ["automatic failover is off", "Multi-AZ is off", "numCacheClusters 1: no replica to fail over to", "replicasPerNodeGroup 0: no replica in a shard to fail over to"],
  },
  "aws-elasticache-snapshots": {
    good: redis(),
    bad: redis({ snapshotRetentionLimit: 0 }),
    expect: ["snapshotRetentionLimit 0 is below 1"],
  },
  "aws-s3-public-access-block": {
    good: companions[0],
    bad: companion("bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true }),
    expect: ["blockPublicPolicy is not true"],
  },
  "aws-s3-sse-kms": {
    good: companions[1],
    bad: companion("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
    expect: ["default encryption is AES256, not aws:kms"],
  },
  "aws-s3-versioning": {
    good: companions[2],
    bad: companion("bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Suspended" } }),
    expect: ["versioning status is Suspended"],
  },
  "aws-s3-lifecycle": {
    good: companions[3],
    bad: companion("bucketLifecycleConfiguration:BucketLifecycleConfiguration", { rules: [{ status: "Disabled", expiration: { days: 30 } }] }),
    expect: ["no enabled rule expires current objects", "no enabled rule expires noncurrent versions"],
  },
  "aws-s3-tls-only": {
    good: companions[4],
    bad: companion("bucketPolicy:BucketPolicy", { policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "s3:GetObject", Resource: "*" }) }),
    expect: ["bucket policy does not deny requests without TLS"],
  },
  "aws-s3-bucket-guarded": {
    good: [bucket, ...companions],
    bad: [cloud("aws:s3/bucket:Bucket", "backups", { acl: "public-read" }), companions[0]],
    expect: ['bucket "backups" has no KMS default encryption, versioning, lifecycle rules, TLS-only bucket policy', 'bucket "backups" has ACL public-read'],
  },
  "aws-eks-endpoint-restricted": {
    good: [eks(), eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })],
    bad: [eks({ vpcConfig: { endpointPublicAccess: true } }), eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } })],
    expect: ["API endpoint is public to the whole internet", "API endpoint is public to 0.0.0.0/0"],
  },
  "aws-eks-secrets-encrypted": {
    good: eks(),
    bad: eks({ encryptionConfig: undefined }),
    expect: ["Kubernetes Secrets are not envelope-encrypted with KMS"],
  },
  "aws-eks-control-plane-logs": {
    good: eks(),
    bad: eks({ enabledClusterLogTypes: ["api"] }),
    expect: ["control-plane log types audit, authenticator are off"],
  },
  "aws-kms-rotation": {
    good: [cloud("aws:kms/key:Key", "k", { enableKeyRotation: true, deletionWindowInDays: 30 }), cloud("aws:kms/key:Key", "sign", { customerMasterKeySpec: "RSA_2048" })],
    bad: cloud("aws:kms/key:Key", "k", { deletionWindowInDays: 5 }),
    expect: ["key rotation is off (enableKeyRotation must be true)", "deletionWindowInDays 5 is below 7"],
  },
  "aws-iam-no-wildcards": {
    good: [
      cloud("aws:iam/rolePolicy:RolePolicy", "backup", { policy: doc({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::b/backups/*" }) }),
      cloud("aws:iam/rolePolicy:RolePolicy", "whoami", { policy: doc({ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }) }),
      cloud("aws:iam/rolePolicy:RolePolicy", "deny", { policy: doc({ Effect: "Deny", Action: "*", Resource: "*" }) }),
      // Unscopable reads match the allowed prefixes (ec2:Describe*, elasticloadbalancing:Describe*).
      cloud("aws:iam/rolePolicy:RolePolicy", "lbc", { policy: doc({ Effect: "Allow", Action: ["ec2:DescribeSubnets", "elasticloadbalancing:DescribeTargetHealth"], Resource: "*" }) }),
    ],
    bad: [
      cloud("aws:iam/rolePolicy:RolePolicy", "admin", { policy: doc({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }) }),
      // A write mixed into an allowed read statement still needs a resource.
      cloud("aws:iam/rolePolicy:RolePolicy", "mixed", { policy: doc({ Sid: "Mixed", Effect: "Allow", Action: ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DeleteLoadBalancer"], Resource: "*" }) }),
      cloud("aws:iam/policy:Policy", "s3", { policy: doc({ Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::b" }) }),
      cloud("aws:iam/policy:Policy", "not", { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" }) }),
    ],
    expect: ['statement "All" allows action *', 'statement "All" allows Resource "*"', 'statement "Mixed" allows Resource "*"', "statement 0 allows action s3:*", "statement 0 allows with NotAction/NotResource"],
  },
  "aws-iam-scoped-trust": {
    good: [
      cloud("aws:iam/role:Role", "svc", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }) }),
      cloud("aws:iam/role:Role", "irsa", { assumeRolePolicy: irsaTrust({ StringEquals: { "oidc.eks/id/x:sub": "system:serviceaccount:platform:backup", "oidc.eks/id/x:aud": "sts.amazonaws.com" } }) }),
    ],
    bad: [
      cloud("aws:iam/role:Role", "any", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) }),
      cloud("aws:iam/role:Role", "irsa", { assumeRolePolicy: irsaTrust({ StringEquals: { "oidc.eks/id/x:aud": "sts.amazonaws.com" } }) }),
    ],
    expect: ['statement 0 trusts any principal ("*")', "statement 0 trusts a web identity without a :sub condition"],
  },
  "aws-ec2-imdsv2": {
    good: launchTemplate({ metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 } }),
    bad: launchTemplate({ metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 5 } }),
    expect: ["metadata service allows IMDSv1 (httpTokens optional)", "httpPutResponseHopLimit 5"],
  },
  "aws-ebs-encrypted": {
    good: launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 50 } }] }),
    bad: launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50 } }] }),
    expect: ["volume /dev/xvda is not encrypted"],
  },
});

describe("read replicas", () => {
  it("are recognised from replicateSourceDb: the primary-only checks pass a correct replica and still judge what applies to it", () => {
    const primaryOnly = awsPolicies.filter((p) => ["aws-rds-backup-retention", "aws-rds-multi-az", "aws-rds-deletion-protection"].includes(p.name));
    for (const policy of primaryOnly) expect({ policy: policy.name, found: messages(policy, replica(), { config: policy.name === "aws-rds-backup-retention" ? { minRetentionDays: 30 } : {} }) }).toEqual({ policy: policy.name, found: [] });
    // The same inputs without replicateSourceDb are a primary with neither backups nor a standby.
    const { replicateSourceDb: _source, ...asPrimary } = replicaProps;
    expect(messages(rdsMultiAz, cloud(RDS, "main-db-replica-1", asPrimary, { protect: true }))).toEqual(["production instance is not Multi-AZ"]);
    const judged = awsPolicies.filter((p) => ["aws-rds-encrypted", "aws-rds-private"].includes(p.name));
    expect(judged.flatMap((p) => messages(p, replica({ storageEncrypted: false, publiclyAccessible: true })))).toEqual(["storage is not encrypted (storageEncrypted must be true)", "instance is publicly accessible"]);
  });
});

describe("AWS checks during preview", () => {
  it("stay silent on values that are unknown until the update", () => {
    expect(messages(rdsMultiAz, rds({ multiAz: UNKNOWN }))).toEqual([]);
    const unknownParams = cloud("aws:rds/parameterGroup:ParameterGroup", "main-db-params", { family: "postgres16", parameters: UNKNOWN });
    expect(messages(rdsTlsForced, [unknownParams, rds({}, { dependencies: [unknownParams.urn!] })])).toEqual([]);
  });
});
