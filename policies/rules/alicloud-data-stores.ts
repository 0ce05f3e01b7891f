/**
 * Alibaba Cloud data stores beyond RDS and KVStore: ApsaraDB for MongoDB (MonitoredDatabase's MongoDB on Alibaba
 * Cloud; replica-set and sharded instances) and ApsaraMQ for Kafka (KafkaCluster on Alibaba Cloud). Their IP
 * whitelists are judged with the other data stores' by alicloud-data-store-whitelist.
 */
import { environmentOf, ENVIRONMENTS_PARAM, isTrue } from "./common";
import { resourceCheck } from "./framework";

export const MONGODB_TYPES = ["alicloud:mongodb/instance:Instance", "alicloud:mongodb/shardingInstance:ShardingInstance"];
const KAFKA = "alicloud:alikafka/instance:Instance";

/** ApsaraMQ for Kafka deploy types: 4 has an internet endpoint as well, 5 is VPC only. */
const ALIKAFKA_VPC_ONLY = 5;

export const mongodbEncrypted = resourceCheck({
  name: "alicloud-mongodb-ssl-encrypted",
  description: "ApsaraDB for MongoDB has SSL enabled and its data encrypted at rest (encrypted cloud disks or TDE).",
  severity: "high",
  remediation: 'Set sslAction: "Open" and encrypted: true with cloudDiskEncryptionKey (or tdeStatus: "enabled").',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: MONGODB_TYPES,
  validate: (r) => {
    const out: string[] = [];
    if (r.props.sslAction !== "Open" && r.props.sslAction !== "Update") out.push(`SSL is not enabled (sslAction ${r.props.sslAction ?? "unset"})`);
    const tde = String(r.props.tdeStatus ?? "").toLowerCase() === "enabled";
    if (!isTrue(r.props.encrypted) && !tde) out.push("data is not encrypted at rest (encrypted cloud disks or tdeStatus enabled)");
    return out;
  },
});

export const mongodbBackups = resourceCheck<{ minRetentionDays: number }>({
  name: "alicloud-mongodb-backups",
  description: "ApsaraDB for MongoDB backs up every day, keeps backups at least the stack's minimum and keeps log backups (point-in-time recovery).",
  severity: "high",
  remediation: "Set backupPeriods to every day, backupRetentionPeriod to at least the minimum (databases[].backupRetentionDays) and enableBackupLog: 1.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: MONGODB_TYPES,
  config: { minRetentionDays: { type: "integer", minimum: 1, maximum: 730, default: 7, description: "Minimum backupRetentionPeriod in days." } },
  validate: (r, config) => {
    const out: string[] = [];
    const days = r.props.backupRetentionPeriod ?? 7;
    if (days < config.minRetentionDays) out.push(`backupRetentionPeriod ${days} is below ${config.minRetentionDays} days`);
    const periods = (r.props.backupPeriods ?? []).length;
    if (periods < 7) out.push(`backups run on ${periods} day(s) a week; 7 required`);
    if (Number(r.props.enableBackupLog ?? 0) !== 1) out.push("log backups are off: no point-in-time recovery");
    return out;
  },
});

export const mongodbDeletionProtection = resourceCheck<{ environments: string[] }>({
  name: "alicloud-mongodb-deletion-protection",
  description: "Production ApsaraDB for MongoDB has release protection and is Pulumi-protected.",
  severity: "critical",
  remediation: "Set dbInstanceReleaseProtection: true and the resource option protect: true.",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: MONGODB_TYPES,
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const out: string[] = [];
    if (!isTrue(r.props.dbInstanceReleaseProtection)) out.push("production instance without release protection (dbInstanceReleaseProtection)");
    if (!r.protect) out.push("production instance is not protected (resource option protect: true)");
    return out;
  },
});

export const kafkaPrivateEncrypted = resourceCheck({
  name: "alicloud-kafka-private-encrypted",
  description: "ApsaraMQ for Kafka instances are VPC-only (no internet endpoint) and encrypt their disks with a KMS key.",
  severity: "critical",
  remediation: "Set deployType: 5 (VPC) and kmsKeyId (the foundation's database key).",
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [KAFKA],
  validate: (r) => {
    const out: string[] = [];
    if (Number(r.props.deployType) !== ALIKAFKA_VPC_ONLY) out.push(`deployType ${r.props.deployType ?? "unset"} has an internet endpoint; 5 (VPC only) required`);
    if (!r.props.kmsKeyId) out.push("disks are not encrypted with a KMS key (no kmsKeyId)");
    return out;
  },
});

export const kafkaAcl = resourceCheck({
  name: "alicloud-kafka-acl",
  description: "ApsaraMQ for Kafka enforces ACLs (enable.acl), so only SASL users granted a topic may use it.",
  severity: "high",
  remediation: 'Set config to JSON with "enable.acl": "true" and grant the SASL users their topics (KafkaCluster does).',
  enforcementLevel: "mandatory",
  category: "alicloud",
  types: [KAFKA],
  validate: (r) => {
    let config: Record<string, unknown> = {};
    try {
      config = typeof r.props.config === "string" ? JSON.parse(r.props.config) : (r.props.config ?? {});
    } catch {
      return ["config is not valid JSON"];
    }
    return isTrue(config["enable.acl"]) ? [] : [`ACLs are off (enable.acl ${JSON.stringify(config["enable.acl"] ?? "unset")})`];
  },
});

export const alicloudDataStorePolicies = [mongodbEncrypted, mongodbBackups, mongodbDeletionProtection, kafkaPrivateEncrypted, kafkaAcl];
