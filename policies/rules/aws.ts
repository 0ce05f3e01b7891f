/** AWS: RDS, ElastiCache, S3, security groups, EKS, KMS, IAM and EC2 launch templates. */
import { asArray, deniesInsecureTransport, environmentOf, ENVIRONMENTS_PARAM, isReadReplica, isTrue, statements } from "./common";
import { known, resourceCheck, stackCheck, StackProblem, type StackResource } from "./framework";
import { IngressPermission, worldIngressProblems } from "./network";

const RDS = "aws:rds/instance:Instance";
const RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const EKS = "aws:eks/cluster:Cluster";

/** Ingress permissions of the AWS security-group resource shapes the library (or a user) may register. */
export function awsIngressPermissions(type: string, props: any): IngressPermission[] {
  switch (type) {
    case "aws:ec2/securityGroup:SecurityGroup":
    case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
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

export const noWorldIngress = resourceCheck({
  name: "aws-sg-no-world-ingress",
  description: "Security groups admit 0.0.0.0/0 and ::/0 only on 80/443 (the load balancer).",
  severity: "critical",
  remediation: "Restrict the source to the VPC CIDR or a security group; only the load balancer listens to the world, on 80/443.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
  validate: (r) => worldIngressProblems(awsIngressPermissions(r.type, r.props)),
});

export const defaultSgClosed = resourceCheck({
  name: "aws-default-sg-closed",
  description: "The VPC's default security group has no rules, so nothing attached to it by accident can talk.",
  severity: "medium",
  remediation: "Manage the default security group (aws.ec2.DefaultSecurityGroup) with ingress: [] and egress: [].",
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"],
  validate: (r) => {
    const out: string[] = [];
    if ((r.props.ingress ?? []).length) out.push(`default security group has ${r.props.ingress.length} ingress rule(s)`);
    if ((r.props.egress ?? []).length) out.push(`default security group has ${r.props.egress.length} egress rule(s)`);
    return out;
  },
});

export const rdsEncrypted = resourceCheck({
  name: "aws-rds-encrypted",
  description: "RDS storage is encrypted with a customer-managed KMS key.",
  severity: "high",
  remediation: "Set storageEncrypted: true and kmsKeyId (the foundation's database key). Changing this replaces the instance.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [RDS],
  validate: (r) => {
    const out: string[] = [];
    if (!isTrue(r.props.storageEncrypted)) out.push("storage is not encrypted (storageEncrypted must be true)");
    else if (!r.props.kmsKeyId) out.push("storage uses the AWS-managed key; set kmsKeyId to a customer-managed key");
    return out;
  },
});

export const rdsPrivate = resourceCheck({
  name: "aws-rds-private",
  description: "RDS instances are not publicly accessible.",
  severity: "critical",
  remediation: "Set publiclyAccessible: false; reach the database from the app tier inside the VPC.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [RDS],
  validate: (r) => (isTrue(r.props.publiclyAccessible) ? ["instance is publicly accessible"] : []),
});

export const rdsBackups = resourceCheck<{ minRetentionDays: number }>({
  name: "aws-rds-backup-retention",
  description: "RDS automated backups (and point-in-time recovery) are kept at least the stack's minimum number of days. Read replicas (replicateSourceDb) are skipped: the source's backups cover their data.",
  severity: "high",
  remediation: "Raise backupRetentionPeriod (databases[].backupRetentionDays) to at least the stack's minimum.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [RDS],
  config: { minRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Minimum backupRetentionPeriod in days." } },
  validate: (r, config) => {
    if (isReadReplica(r.type, r.props)) return [];
    const days = r.props.backupRetentionPeriod ?? 1;
    return days < config.minRetentionDays ? [`backupRetentionPeriod ${days} is below ${config.minRetentionDays} days`] : [];
  },
});

export const rdsMultiAz = resourceCheck<{ environments: string[] }>({
  name: "aws-rds-multi-az",
  description: "Production RDS instances are Multi-AZ, so a zone failure fails over instead of taking the database down. Read replicas are skipped: the Multi-AZ primary is what fails over, and a lost replica is recreated from it.",
  severity: "high",
  remediation: "Set multiAz: true (databases[].highAvailability, on by default in prod).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [RDS],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) =>
    config.environments.includes(environmentOf(r.urn, r.props)) && !isReadReplica(r.type, r.props) && !isTrue(r.props.multiAz) ? ["production instance is not Multi-AZ"] : [],
});

export const rdsDeletionProtection = resourceCheck<{ environments: string[] }>({
  name: "aws-rds-deletion-protection",
  description: "Production RDS instances have deletion protection, take a final snapshot, keep automated backups on delete and are Pulumi-protected. Read replicas need deletion protection and protect only: they keep no backups and take no final snapshot of their own (the source's cover the data).",
  severity: "critical",
  remediation: "Set deletionProtection: true, skipFinalSnapshot: false with a finalSnapshotIdentifier, deleteAutomatedBackups: false and the resource option protect: true.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [RDS],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const p = r.props;
    const out: string[] = [];
    const replica = isReadReplica(r.type, p);
    const what = replica ? "production read replica" : "production instance";
    if (!isTrue(p.deletionProtection)) out.push(`${what} without deletionProtection`);
    if (!replica) {
      if (isTrue(p.skipFinalSnapshot) || !p.finalSnapshotIdentifier) out.push("production instance skips its final snapshot (skipFinalSnapshot false and a finalSnapshotIdentifier are required)");
      if (p.deleteAutomatedBackups !== false && p.deleteAutomatedBackups !== "false") out.push("automated backups are deleted with the instance (deleteAutomatedBackups must be false)");
    }
    if (!r.protect) out.push(`${what} is not protected (resource option protect: true)`);
    return out;
  },
});

/** Parameter that forces TLS per engine family prefix. */
const FORCE_TLS: Array<{ family: RegExp; parameter: string }> = [
  { family: /^postgres/, parameter: "rds.force_ssl" },
  { family: /^(mysql|mariadb)/, parameter: "require_secure_transport" },
];

/** The engine of an RDS instance; a replica inherits it from the source instance it depends on. */
function rdsEngine(db: StackResource, dependencies: StackResource[]): string {
  if (db.props.engine) return String(db.props.engine);
  if (!isReadReplica(db.type, db.props)) return "";
  const source = dependencies.find((d) => d.type === RDS && !isReadReplica(d.type, d.props) && d.props.engine);
  return String(source?.props.engine ?? "");
}

export const rdsTlsForced = stackCheck({
  name: "aws-rds-tls-forced",
  description: "RDS instances use a parameter group (found through the instance's dependencies) that forces TLS: rds.force_ssl = 1 (PostgreSQL) or require_secure_transport = 1 (MySQL/MariaDB). A read replica, which names no engine, is judged by its source's engine (the instance it depends on).",
  severity: "high",
  remediation: "Attach a parameter group with rds.force_ssl = 1 (MonitoredDatabase does this; keep parameters from turning it off).",
  enforcementLevel: "mandatory",
  category: "aws",
  validate: (stack) => {
    const problems: StackProblem[] = [];
    for (const db of stack.ofType(RDS)) {
      const verdict = known(() => {
        const dependencies = stack.dependenciesOf(db);
        const groups = dependencies.filter((d) => d.type === RDS_PARAMETER_GROUP);
        const engine = rdsEngine(db, dependencies);
        const rule = FORCE_TLS.find((f) => f.family.test(engine));
        if (!rule) return undefined;
        const forced = groups.some((g) => (g.props.parameters ?? []).some((p: any) => p.name === rule.parameter && String(p.value) === "1"));
        return forced ? undefined : `${engine} instance "${db.name}" has no parameter group with ${rule.parameter} = 1`;
      });
      if (verdict) problems.push({ urn: db.urn, message: verdict });
    }
    return problems;
  },
});

export const elasticacheEncryption = resourceCheck({
  name: "aws-elasticache-encryption",
  description: "Redis replication groups encrypt at rest (customer KMS key) and in transit.",
  severity: "high",
  remediation: "Set atRestEncryptionEnabled: true, kmsKeyId and transitEncryptionEnabled: true. Changing at-rest encryption replaces the group.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [REDIS],
  validate: (r) => {
    const out: string[] = [];
    if (!isTrue(r.props.atRestEncryptionEnabled)) out.push("at-rest encryption is off");
    if (!isTrue(r.props.transitEncryptionEnabled)) out.push("in-transit encryption is off");
    return out;
  },
});

export const elasticacheAuth = resourceCheck({
  name: "aws-elasticache-auth",
  description: "Redis replication groups require authentication (an AUTH token or RBAC user groups).",
  severity: "high",
  remediation: "Set authToken (a generated secret) or userGroupIds.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [REDIS],
  validate: (r) => (r.props.authToken || (r.props.userGroupIds ?? []).length ? [] : ["no auth token or user group: any client in the VPC can connect"]),
});

export const elasticacheFailover = resourceCheck<{ environments: string[] }>({
  name: "aws-elasticache-failover",
  description: "Production Redis runs a replica in another zone with automatic failover.",
  severity: "high",
  remediation: "Set numCacheClusters ≥ 2 (cluster mode: replicasPerNodeGroup ≥ 1), automaticFailoverEnabled: true and multiAzEnabled: true (databases[].highAvailability).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [REDIS],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const out: string[] = [];
    if (!isTrue(r.props.automaticFailoverEnabled)) out.push("automatic failover is off");
    if (!isTrue(r.props.multiAzEnabled)) out.push("Multi-AZ is off");
    // Cluster mode sizes the group by node groups (shards) of one primary plus replicasPerNodeGroup replicas;
    // numCacheClusters is then unset, and each shard needs a replica of its own to fail over to.
    if (r.props.numNodeGroups !== undefined || r.props.replicasPerNodeGroup !== undefined) {
      const replicas = r.props.replicasPerNodeGroup ?? 0;
      if (replicas < 1) out.push(`replicasPerNodeGroup ${replicas}: no replica in a shard to fail over to`);
    } else if ((r.props.numCacheClusters ?? 1) < 2) {
      out.push(`numCacheClusters ${r.props.numCacheClusters ?? 1}: no replica to fail over to`);
    }
    return out;
  },
});

export const elasticacheSnapshots = resourceCheck<{ minRetentionDays: number }>({
  name: "aws-elasticache-snapshots",
  description: "Redis replication groups keep automatic snapshots.",
  severity: "medium",
  remediation: "Set snapshotRetentionLimit to at least the minimum (and a snapshotWindow).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [REDIS],
  config: { minRetentionDays: { type: "integer", minimum: 1, default: 1, description: "Minimum snapshotRetentionLimit in days." } },
  validate: (r, config) => {
    const days = r.props.snapshotRetentionLimit ?? 0;
    return days < config.minRetentionDays ? [`snapshotRetentionLimit ${days} is below ${config.minRetentionDays}`] : [];
  },
});

export const s3PublicAccessBlock = resourceCheck({
  name: "aws-s3-public-access-block",
  description: "Bucket public access blocks turn on all four settings.",
  severity: "critical",
  remediation: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  validate: (r) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => !isTrue(r.props[k])).map((k) => `${k} is not true`),
});

export const s3SseKms = resourceCheck({
  name: "aws-s3-sse-kms",
  description: "Bucket default encryption uses KMS (aws:kms or aws:kms:dsse), not S3-managed keys.",
  severity: "high",
  remediation: 'Set rules[].applyServerSideEncryptionByDefault.sseAlgorithm: "aws:kms" with kmsMasterKeyId.',
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"],
  validate: (r) => {
    const algorithms = (r.props.rules ?? []).map((rule: any) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm);
    return algorithms.some((a: string) => a === "aws:kms" || a === "aws:kms:dsse") ? [] : [`default encryption is ${algorithms.join(", ") || "unset"}, not aws:kms`];
  },
});

export const s3Versioning = resourceCheck({
  name: "aws-s3-versioning",
  description: "Bucket versioning is enabled, so an overwrite or delete can be undone.",
  severity: "medium",
  remediation: 'Set versioningConfiguration.status: "Enabled".',
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:s3/bucketVersioning:BucketVersioning"],
  validate: (r) => (r.props.versioningConfiguration?.status === "Enabled" ? [] : [`versioning status is ${r.props.versioningConfiguration?.status ?? "unset"}`]),
});

export const s3Lifecycle = resourceCheck({
  name: "aws-s3-lifecycle",
  description: "Bucket lifecycle rules expire objects and old versions (retention is a decision, not an accident) and abort stale multipart uploads.",
  severity: "low",
  remediation: "Add an enabled rule with expiration.days and noncurrentVersionExpiration.noncurrentDays.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"],
  validate: (r) => {
    const enabled = (r.props.rules ?? []).filter((rule: any) => rule.status === "Enabled");
    const out: string[] = [];
    if (!enabled.some((rule: any) => rule.expiration?.days || rule.expiration?.date)) out.push("no enabled rule expires current objects");
    if (!enabled.some((rule: any) => rule.noncurrentVersionExpiration?.noncurrentDays)) out.push("no enabled rule expires noncurrent versions");
    return out;
  },
});

export const s3TlsOnly = resourceCheck({
  name: "aws-s3-tls-only",
  description: "Bucket policies deny every request not made over TLS (aws:SecureTransport = false).",
  severity: "high",
  remediation: 'Add a Deny statement for s3:* with Condition {"Bool": {"aws:SecureTransport": "false"}}.',
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:s3/bucketPolicy:BucketPolicy"],
  validate: (r) => (deniesInsecureTransport(r.props.policy, "aws:SecureTransport") ? [] : ["bucket policy does not deny requests without TLS"]),
});

/** Companion resources (AWS provider v7 splits a bucket's settings into them) every bucket needs. */
const BUCKET_COMPANIONS: Record<string, string> = {
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "public access block",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "KMS default encryption",
  "aws:s3/bucketVersioning:BucketVersioning": "versioning",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "lifecycle rules",
  "aws:s3/bucketPolicy:BucketPolicy": "TLS-only bucket policy",
};

export const s3BucketGuarded = stackCheck({
  name: "aws-s3-bucket-guarded",
  description: "Every S3 bucket has its public access block, KMS encryption, versioning, lifecycle and TLS-only policy (companion resources that depend on it), and no public ACL.",
  severity: "critical",
  remediation: "Create the missing companion resources for the bucket (BackupJob's bucket helper does all five).",
  enforcementLevel: "mandatory",
  category: "aws",
  validate: (stack) => {
    const problems: StackProblem[] = [];
    for (const bucket of stack.ofType(...BUCKET_TYPES)) {
      const companions = new Set(stack.dependents(bucket).map((d) => d.type));
      const missing = Object.entries(BUCKET_COMPANIONS).filter(([type]) => !companions.has(type)).map(([, what]) => what);
      if (missing.length) problems.push({ urn: bucket.urn, message: `bucket "${bucket.name}" has no ${missing.join(", ")}` });
      const acl = known(() => bucket.props.acl);
      if (typeof acl === "string" && acl.startsWith("public")) problems.push({ urn: bucket.urn, message: `bucket "${bucket.name}" has ACL ${acl}` });
    }
    return problems;
  },
});

export const eksEndpointRestricted = resourceCheck({
  name: "aws-eks-endpoint-restricted",
  description: "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0).",
  severity: "critical",
  remediation: "Set vpcConfig.endpointPublicAccess: false, or publicAccessCidrs to the operators' ranges (cluster.endpointPublicAccessCidrs).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [EKS],
  validate: (r) => {
    const vpc = r.props.vpcConfig ?? {};
    if (vpc.endpointPublicAccess === false || vpc.endpointPublicAccess === "false") return [];
    const cidrs: string[] = vpc.publicAccessCidrs ?? [];
    if (cidrs.length === 0) return ["API endpoint is public to the whole internet (no publicAccessCidrs)"];
    return cidrs.filter((c) => c === "0.0.0.0/0" || c === "::/0").map((c) => `API endpoint is public to ${c}`);
  },
});

export const eksSecretsEncrypted = resourceCheck({
  name: "aws-eks-secrets-encrypted",
  description: "EKS envelope-encrypts Kubernetes Secrets with a KMS key.",
  severity: "high",
  remediation: 'Set encryptionConfig {resources: ["secrets"], provider.keyArn}.',
  enforcementLevel: "mandatory",
  category: "aws",
  types: [EKS],
  validate: (r) => {
    const enc = r.props.encryptionConfig;
    return enc?.provider?.keyArn && asArray(enc.resources).includes("secrets") ? [] : ["Kubernetes Secrets are not envelope-encrypted with KMS"];
  },
});

export const eksLogs = resourceCheck<{ requiredLogTypes: string[] }>({
  name: "aws-eks-control-plane-logs",
  description: "EKS sends the control-plane logs needed for incident response (api, audit, authenticator) to CloudWatch.",
  severity: "medium",
  remediation: "Add the missing types to enabledClusterLogTypes.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [EKS],
  config: {
    requiredLogTypes: { type: "array", items: { type: "string", enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"] }, default: ["api", "audit", "authenticator"], description: "Log types that must be enabled." },
  },
  validate: (r, config) => {
    const enabled: string[] = r.props.enabledClusterLogTypes ?? [];
    const missing = config.requiredLogTypes.filter((t) => !enabled.includes(t));
    return missing.length ? [`control-plane log types ${missing.join(", ")} are off`] : [];
  },
});

export const kmsRotation = resourceCheck({
  name: "aws-kms-rotation",
  description: "Customer-managed symmetric KMS keys rotate automatically and have a deletion window of at least 7 days.",
  severity: "medium",
  remediation: "Set enableKeyRotation: true (and deletionWindowInDays ≥ 7).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:kms/key:Key"],
  validate: (r) => {
    const spec = r.props.customerMasterKeySpec ?? r.props.keySpec ?? "SYMMETRIC_DEFAULT";
    const out: string[] = [];
    if (spec === "SYMMETRIC_DEFAULT" && !isTrue(r.props.enableKeyRotation)) out.push("key rotation is off (enableKeyRotation must be true)");
    if (r.props.deletionWindowInDays !== undefined && r.props.deletionWindowInDays < 7) out.push(`deletionWindowInDays ${r.props.deletionWindowInDays} is below 7`);
    return out;
  },
});

const IAM_POLICY_TYPES: Record<string, string> = {
  "aws:iam/policy:Policy": "policy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/userPolicy:UserPolicy": "policy",
  "aws:iam/groupPolicy:GroupPolicy": "policy",
};

export const iamNoWildcards = resourceCheck<{ allowedActions: string[] }>({
  name: "aws-iam-no-wildcards",
  description: "IAM policies grant named actions on named resources: no Action \"*\" or \"service:*\", no Resource \"*\" (except for listed actions that cannot be scoped), no NotAction/NotResource allows.",
  severity: "high",
  remediation: "List the actions the workload calls and the ARNs it touches (e.g. the bucket prefix and the KMS key).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: Object.keys(IAM_POLICY_TYPES),
  config: {
    allowedActions: {
      type: "array",
      items: { type: "string" },
      // Read-only calls AWS offers no resource-level scoping for; the EKS controllers need them (the load balancer
      // controller discovers subnets, groups and its own load balancers; the autoscaler its Auto Scaling groups).
      default: [
        "sts:GetCallerIdentity", "ec2:Describe*", "ecr:GetAuthorizationToken", "elasticloadbalancing:Describe*", "autoscaling:Describe*",
        "ec2:GetSecurityGroupsForVpc", "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      description: "Actions that may use Resource \"*\" (AWS offers no resource-level scoping for them); a trailing * matches a prefix (ec2:Describe* covers ec2:DescribeVpcs).",
    },
  },
  validate: (r, config) => {
    const out: string[] = [];
    statements(r.props.policy).forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      const where = `statement ${s.Sid ? `"${s.Sid}"` : i}`;
      if (s.NotAction || s.NotResource) out.push(`${where} allows with NotAction/NotResource`);
      const actions = asArray<string>(s.Action);
      for (const a of actions) if (a === "*" || /:\*$/.test(a)) out.push(`${where} allows action ${a}`);
      const allowed = (a: string) => config.allowedActions.some((p) => p === a || (p.endsWith("*") && !p.endsWith(":*") && a.startsWith(p.slice(0, -1))));
      if (asArray<string>(s.Resource).includes("*") && !actions.every(allowed)) out.push(`${where} allows Resource "*"`);
    });
    return out;
  },
});

export const iamScopedTrust = resourceCheck({
  name: "aws-iam-scoped-trust",
  description: "Role trust policies name their principals: no \"*\" principal, and web-identity (IRSA) trust pins the service account with a :sub condition.",
  severity: "critical",
  remediation: "Trust a specific service principal or account; for IRSA add StringEquals on <issuer>:sub = system:serviceaccount:<ns>:<sa> and :aud = sts.amazonaws.com.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:iam/role:Role"],
  validate: (r) => {
    const out: string[] = [];
    statements(r.props.assumeRolePolicy).forEach((s, i) => {
      if (s.Effect !== "Allow") return;
      const principal = s.Principal;
      if (principal === "*" || asArray(principal?.AWS).includes("*")) out.push(`statement ${i} trusts any principal ("*")`);
      if (principal?.Federated && asArray<string>(s.Action).includes("sts:AssumeRoleWithWebIdentity")) {
        const conditions = { ...(s.Condition?.StringEquals ?? {}), ...(s.Condition?.StringLike ?? {}) };
        if (!Object.keys(conditions).some((k) => k.endsWith(":sub"))) out.push(`statement ${i} trusts a web identity without a :sub condition (any service account could assume it)`);
      }
    });
    return out;
  },
});

export const imdsV2 = resourceCheck({
  name: "aws-ec2-imdsv2",
  description: "Launch templates require IMDSv2 tokens with a hop limit that keeps pods from reaching node credentials through SSRF.",
  severity: "high",
  remediation: 'Set metadataOptions {httpTokens: "required", httpPutResponseHopLimit: 1 or 2}.',
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:ec2/launchTemplate:LaunchTemplate"],
  validate: (r) => {
    const m = r.props.metadataOptions ?? {};
    const out: string[] = [];
    if (m.httpEndpoint !== "disabled" && m.httpTokens !== "required") out.push(`metadata service allows IMDSv1 (httpTokens ${m.httpTokens ?? "optional"})`);
    if ((m.httpPutResponseHopLimit ?? 1) > 2) out.push(`httpPutResponseHopLimit ${m.httpPutResponseHopLimit} lets containers reach the metadata service`);
    return out;
  },
});

export const ebsEncrypted = resourceCheck({
  name: "aws-ebs-encrypted",
  description: "Node volumes declared in launch templates are encrypted.",
  severity: "medium",
  remediation: 'Set blockDeviceMappings[].ebs.encrypted: "true".',
  enforcementLevel: "mandatory",
  category: "aws",
  types: ["aws:ec2/launchTemplate:LaunchTemplate"],
  validate: (r) =>
    (r.props.blockDeviceMappings ?? [])
      .filter((b: any) => b.ebs && !isTrue(b.ebs.encrypted))
      .map((b: any) => `volume ${b.deviceName} is not encrypted`),
});

export const awsPolicies = [
  noWorldIngress,
  defaultSgClosed,
  rdsEncrypted,
  rdsPrivate,
  rdsBackups,
  rdsMultiAz,
  rdsDeletionProtection,
  rdsTlsForced,
  elasticacheEncryption,
  elasticacheAuth,
  elasticacheFailover,
  elasticacheSnapshots,
  s3PublicAccessBlock,
  s3SseKms,
  s3Versioning,
  s3Lifecycle,
  s3TlsOnly,
  s3BucketGuarded,
  eksEndpointRestricted,
  eksSecretsEncrypted,
  eksLogs,
  kmsRotation,
  iamNoWildcards,
  iamScopedTrust,
  imdsV2,
  ebsEncrypted,
];
