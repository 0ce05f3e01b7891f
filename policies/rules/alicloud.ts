/** Alibaba Cloud: security groups, ApsaraDB RDS, OSS, KMS, KVStore (Redis) and ACK. */
import { ALICLOUD_RDS_READ_ONLY, deniesInsecureTransport, environmentOf, ENVIRONMENTS_PARAM, isTrue, WORLD_CIDRS } from "./common";
import { MONGODB_TYPES } from "./alicloud-data-stores";
import { resourceCheck } from "./framework";
import { worldIngressProblems } from "./network";

const RDS = "alicloud:rds/instance:Instance";
const KVSTORE = "alicloud:kvstore/instance:Instance";
const OSS = "alicloud:oss/bucket:Bucket";
const ACK = "alicloud:cs/managedKubernetes:ManagedKubernetes";

/** Alibaba Cloud writes port ranges as "5432/5432" (or "-1/-1" for all). */
export function parsePortRange(range: string | undefined): { from?: number; to?: number } {
  const m = /^(-?\d+)\/(-?\d+)$/.exec(range ?? "");
  return m ? { from: Number(m[1]), to: Number(m[2]) } : {};
}

export const noWorldIngress = resourceCheck({
  name: "alicloud-sg-no-world-ingress",
  description: "Security group rules admit 0.0.0.0/0 and ::/0 only on 80/443 (the load balancer).",
  severity: "critical",
  remediation: "Restrict cidrIp to the VPC or use sourceSecurityGroupId; only the load balancer listens to the world, on 80/443.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:ecs/securityGroupRule:SecurityGroupRule"],
  validate: (r) => {
    const p = r.props;
    if (p.type !== "ingress" || p.policy === "drop") return [];
    const { from, to } = parsePortRange(p.portRange);
    return worldIngressProblems([{ cidrs: [p.cidrIp, p.ipv6CidrIp].filter(Boolean), fromPort: from, toPort: to, protocol: p.ipProtocol }]);
  },
});

const KAFKA_ALLOWED_IP = "alicloud:alikafka/instanceAllowedIpAttachment:InstanceAllowedIpAttachment";

/** The whitelisted sources of a data store, from the field its resource type uses (comma lists split). */
function whitelistOf(type: string, props: Record<string, any>): string[] {
  const raw = type === KAFKA_ALLOWED_IP ? [props.allowedIp] : MONGODB_TYPES.includes(type) ? (props.securityIpLists ?? []) : (props.securityIps ?? []);
  return raw.filter((ip: unknown): ip is string => typeof ip === "string").flatMap((ip: string) => ip.split(",").map((part) => part.trim()));
}

export const dataStoreWhitelist = resourceCheck({
  name: "alicloud-data-store-whitelist",
  description: "Data-store IP whitelists never contain the whole internet (0.0.0.0/0, 0.0.0.0): RDS (read-only instances included), KVStore, ApsaraDB for MongoDB and the allowed IPs of ApsaraMQ for Kafka.",
  severity: "critical",
  remediation: "Whitelist the VPC CIDR (or the app vSwitches) only.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [RDS, ALICLOUD_RDS_READ_ONLY, KVSTORE, ...MONGODB_TYPES, KAFKA_ALLOWED_IP],
  validate: (r) => whitelistOf(r.type, r.props).filter((ip) => WORLD_CIDRS.has(ip) || ip === "0.0.0.0").map((ip) => `whitelist contains ${ip}`),
});

export const rdsSsl = resourceCheck({
  name: "alicloud-rds-ssl",
  description: "ApsaraDB RDS has SSL enabled, so clients can (and the library's do) require TLS; read-only instances too (sslEnabled: 1).",
  severity: "high",
  remediation: 'Set sslAction: "Open" on the instance and sslEnabled: 1 on read-only instances.',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [RDS, ALICLOUD_RDS_READ_ONLY],
  validate: (r) => {
    if (r.type === ALICLOUD_RDS_READ_ONLY) return Number(r.props.sslEnabled) === 1 ? [] : [`read-only instance SSL is not enabled (sslEnabled ${r.props.sslEnabled ?? "unset"})`];
    return r.props.sslAction === "Open" || r.props.sslAction === "Update" ? [] : [`SSL is not enabled (sslAction ${r.props.sslAction ?? "unset"})`];
  },
});

export const rdsNoPublicConnection = resourceCheck({
  name: "alicloud-rds-not-public",
  description: "ApsaraDB RDS gets no public (internet) connection string.",
  severity: "critical",
  remediation: "Remove the alicloud.rds.Connection; reach the database through the VPC endpoint.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:rds/connection:Connection"],
  validate: () => ["RDS public connection string allocated"],
});

export const rdsEncrypted = resourceCheck({
  name: "alicloud-rds-encrypted",
  description: "ApsaraDB RDS disks are encrypted with a KMS key (cloud disk encryption).",
  severity: "high",
  remediation: "Set encryptionKey to the foundation's database key (cloud_essd storage).",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [RDS],
  validate: (r) => (r.props.encryptionKey ? [] : ["disk encryption is off (no encryptionKey)"]),
});

export const rdsHa = resourceCheck<{ environments: string[] }>({
  name: "alicloud-rds-ha",
  description: "Production ApsaraDB RDS runs a standby in a second zone (HighAvailability, AlwaysOn or cluster category).",
  severity: "high",
  remediation: 'Set category: "HighAvailability" and zoneIdSlaveA (databases[].highAvailability).',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [RDS],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const ok = ["HighAvailability", "AlwaysOn", "cluster", "Finance"].includes(r.props.category) && r.props.zoneIdSlaveA;
    return ok ? [] : [`production instance category ${r.props.category ?? "Basic"} has no standby in a second zone`];
  },
});

export const rdsDeletionProtection = resourceCheck<{ environments: string[] }>({
  name: "alicloud-rds-deletion-protection",
  description: "Production ApsaraDB RDS (read-only instances included) has deletion protection and is Pulumi-protected.",
  severity: "critical",
  remediation: "Set deletionProtection: true and the resource option protect: true.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [RDS, ALICLOUD_RDS_READ_ONLY],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const out: string[] = [];
    if (!isTrue(r.props.deletionProtection)) out.push("production instance without deletionProtection");
    if (!r.protect) out.push("production instance is not protected (resource option protect: true)");
    return out;
  },
});

export const rdsBackupRetention = resourceCheck<{ minRetentionDays: number; environments: string[] }>({
  name: "alicloud-rds-backup-retention",
  description: "ApsaraDB RDS backup policies keep data backups and log backups (point-in-time recovery) for at least the stack's minimum; in production they outlive the instance (releasedKeepPolicy).",
  severity: "high",
  remediation: "Raise backupRetentionPeriod, enable enableBackupLog and set releasedKeepPolicy (databases[].backupRetentionDays).",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:rds/backupPolicy:BackupPolicy"],
  config: {
    minRetentionDays: { type: "integer", minimum: 7, maximum: 730, default: 7, description: "Minimum backupRetentionPeriod in days (Alibaba Cloud's minimum is 7)." },
    ...ENVIRONMENTS_PARAM,
  },
  validate: (r, config) => {
    const out: string[] = [];
    const days = r.props.backupRetentionPeriod ?? 7;
    if (days < config.minRetentionDays) out.push(`backupRetentionPeriod ${days} is below ${config.minRetentionDays} days`);
    if (!isTrue(r.props.enableBackupLog)) out.push("log backups are off: no point-in-time recovery");
    const prod = config.environments.includes(environmentOf(r.urn, r.props));
    if (prod && (!r.props.releasedKeepPolicy || r.props.releasedKeepPolicy === "None")) out.push("backups are deleted when the instance is released (releasedKeepPolicy)");
    return out;
  },
});

export const ossPrivate = resourceCheck({
  name: "alicloud-oss-private",
  description: "OSS buckets are private.",
  severity: "critical",
  remediation: 'Set acl: "private" (grant access through RAM policies instead).',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [OSS],
  validate: (r) => (r.props.acl && r.props.acl !== "private" ? [`bucket ACL is "${r.props.acl}"; it must be private`] : []),
});

export const ossEncrypted = resourceCheck({
  name: "alicloud-oss-encrypted",
  description: "OSS buckets encrypt objects server-side with KMS.",
  severity: "high",
  remediation: 'Set serverSideEncryptionRule {sseAlgorithm: "KMS", kmsMasterKeyId}.',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [OSS],
  validate: (r) => {
    const algo = r.props.serverSideEncryptionRule?.sseAlgorithm;
    return algo === "KMS" ? [] : [`server-side encryption is ${algo ?? "not configured"}, not KMS`];
  },
});

export const ossVersioned = resourceCheck({
  name: "alicloud-oss-versioned",
  description: "OSS buckets keep versions and expire old ones by lifecycle rule.",
  severity: "medium",
  remediation: 'Set versioning.status: "Enabled" and a lifecycle rule with expirations and noncurrentVersionExpirations.',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [OSS],
  validate: (r) => {
    const out: string[] = [];
    if (r.props.versioning?.status !== "Enabled") out.push(`versioning is ${r.props.versioning?.status ?? "off"}`);
    const rules = (r.props.lifecycleRules ?? []).filter((l: any) => isTrue(l.enabled));
    if (!rules.some((l: any) => (l.expirations ?? []).length)) out.push("no enabled lifecycle rule expires objects");
    return out;
  },
});

export const ossTlsOnly = resourceCheck({
  name: "alicloud-oss-tls-only",
  description: "OSS bucket policies deny every request not made over TLS (acs:SecureTransport = false).",
  severity: "high",
  remediation: 'Add a Deny statement for oss:* with Condition {"Bool": {"acs:SecureTransport": ["false"]}}.',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:oss/bucketPolicy:BucketPolicy"],
  validate: (r) => (deniesInsecureTransport(r.props.policy, "acs:SecureTransport") ? [] : ["bucket policy does not deny requests without TLS"]),
});

export const kmsRotation = resourceCheck({
  name: "alicloud-kms-rotation",
  description: "KMS keys rotate automatically.",
  severity: "medium",
  remediation: 'Set automaticRotation: "Enabled" and a rotationInterval (e.g. 31536000s).',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:kms/key:Key"],
  validate: (r) => (r.props.automaticRotation === "Enabled" ? [] : [`automatic rotation is ${r.props.automaticRotation ?? "Disabled"}`]),
});

export const kvstoreAuth = resourceCheck({
  name: "alicloud-kvstore-auth",
  description: "KVStore (Redis) requires a password inside the VPC and has TLS enabled.",
  severity: "high",
  remediation: 'Set password (generated secret), vpcAuthMode: "Open" (password required) and sslEnable: "Enable".',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [KVSTORE],
  validate: (r) => {
    const out: string[] = [];
    if (r.props.vpcAuthMode === "Close") out.push('vpcAuthMode "Close": password-free access inside the VPC');
    if (!r.props.password && !r.props.kmsEncryptedPassword) out.push("no password");
    if (r.props.sslEnable !== "Enable") out.push(`TLS is ${r.props.sslEnable ?? "Disable"}`);
    return out;
  },
});

export const kvstoreBackups = resourceCheck<{ minBackupDaysPerWeek: number }>({
  name: "alicloud-kvstore-backups",
  description: "KVStore takes automatic backups on enough days of the week.",
  severity: "medium",
  remediation: "Set backupPeriods to every day (and a backupTime outside the maintenance window).",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [KVSTORE],
  config: { minBackupDaysPerWeek: { type: "integer", minimum: 1, maximum: 7, default: 7, description: "Days of the week with an automatic backup." } },
  validate: (r, config) => {
    const days = (r.props.backupPeriods ?? []).length;
    return days < config.minBackupDaysPerWeek ? [`backups run on ${days} day(s) a week; ${config.minBackupDaysPerWeek} required`] : [];
  },
});

export const nodePoolAutoRepair = resourceCheck({
  name: "alicloud-ack-node-pool-auto-repair",
  description: "ACK node pools are managed with auto-repair, so a broken node is replaced without a page.",
  severity: "medium",
  remediation: "Set management {enable: true, autoRepair: true}.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:cs/nodePool:NodePool"],
  validate: (r) => {
    const m = r.props.management ?? {};
    return isTrue(m.enable) && isTrue(m.autoRepair) ? [] : ["node pool is not managed with autoRepair"];
  },
});

export const nodePoolDiskEncrypted = resourceCheck({
  name: "alicloud-ack-node-disk-encrypted",
  description: "ACK node system disks are encrypted.",
  severity: "medium",
  remediation: "Set systemDiskEncrypted: true and systemDiskKmsKey.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: ["alicloud:cs/nodePool:NodePool"],
  validate: (r) => (isTrue(r.props.systemDiskEncrypted) ? [] : ["system disks are not encrypted"]),
});

export const ackApiPrivate = resourceCheck({
  name: "alicloud-ack-api-private",
  description: "The ACK API server is not exposed through an internet-facing SLB.",
  severity: "critical",
  remediation: "Set slbInternetEnabled: false; reach the API from inside the VPC or through a bastion.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [ACK],
  validate: (r) => (r.props.slbInternetEnabled === false || r.props.slbInternetEnabled === "false" ? [] : ["API server is exposed on an internet-facing SLB"]),
});

export const ackSecretsEncrypted = resourceCheck({
  name: "alicloud-ack-secrets-encrypted",
  description: "ACK envelope-encrypts Kubernetes Secrets with a KMS key and ships control-plane logs.",
  severity: "high",
  remediation: "Set encryptionProviderKey and controlPlaneLogComponents (apiserver at least).",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [ACK],
  validate: (r) => {
    const out: string[] = [];
    if (!r.props.encryptionProviderKey) out.push("Kubernetes Secrets are not envelope-encrypted (no encryptionProviderKey)");
    if (!(r.props.controlPlaneLogComponents ?? []).includes("apiserver")) out.push("API server logs are not shipped (controlPlaneLogComponents)");
    return out;
  },
});

export const alicloudPolicies = [
  noWorldIngress,
  dataStoreWhitelist,
  rdsSsl,
  rdsNoPublicConnection,
  rdsEncrypted,
  rdsHa,
  rdsDeletionProtection,
  rdsBackupRetention,
  ossPrivate,
  ossEncrypted,
  ossVersioned,
  ossTlsOnly,
  kmsRotation,
  kvstoreAuth,
  kvstoreBackups,
  nodePoolAutoRepair,
  nodePoolDiskEncrypted,
  ackApiPrivate,
  ackSecretsEncrypted,
];
