import { alicloudDataStorePolicies } from "../../policies/rules/alicloud-data-stores";
import { describeChecks } from "./cases";
import { cloud } from "./fixtures";

const MONGODB = "alicloud:mongodb/instance:Instance";
const SHARDING = "alicloud:mongodb/shardingInstance:ShardingInstance";
const KAFKA = "alicloud:alikafka/instance:Instance";
const ALL_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** An ApsaraDB for MongoDB replica set as MonitoredDatabase registers it in prod. */
const mongo = (props: Record<string, unknown> = {}, options: { stack?: string; protect?: boolean } = {}, type = MONGODB) =>
  cloud(
    type,
    "documents-instance",
    {
      securityIpLists: ["10.0.0.0/16"],
      sslAction: "Open",
      encrypted: true,
      cloudDiskEncryptionKey: "key-id",
      backupPeriods: ALL_DAYS,
      backupRetentionPeriod: 30,
      enableBackupLog: 1,
      dbInstanceReleaseProtection: true,
      ...props,
    },
    { protect: true, ...options },
  );
/** An ApsaraMQ for Kafka instance as KafkaCluster registers it. */
const kafka = (props: Record<string, unknown> = {}) => cloud(KAFKA, "events-instance", { deployType: 5, kmsKeyId: "key-id", config: JSON.stringify({ "enable.acl": "true" }), ...props });

describeChecks(alicloudDataStorePolicies, {
  "alicloud-mongodb-ssl-encrypted": {
    good: [mongo(), mongo({ encrypted: false, tdeStatus: "enabled" }, {}, SHARDING)],
    bad: [mongo({ sslAction: "Close", encrypted: false }), mongo({ sslAction: undefined }, {}, SHARDING)],
    expect: ["SSL is not enabled (sslAction Close)", "data is not encrypted at rest", "SSL is not enabled (sslAction unset)"],
  },
  "alicloud-mongodb-backups": {
    good: [mongo(), mongo({}, {}, SHARDING)],
    bad: mongo({ backupRetentionPeriod: 7, backupPeriods: ["Monday"], enableBackupLog: 0 }),
    expect: ["backupRetentionPeriod 7 is below 30 days", "backups run on 1 day(s) a week; 7 required", "log backups are off"],
    config: { minRetentionDays: 30 },
  },
  "alicloud-mongodb-deletion-protection": {
    good: [mongo(), mongo({ dbInstanceReleaseProtection: false }, { stack: "staging", protect: false })],
    bad: mongo({ dbInstanceReleaseProtection: false }, { protect: false }),
    expect: ["production instance without release protection", "production instance is not protected"],
  },
  "alicloud-kafka-private-encrypted": {
    good: kafka(),
    bad: kafka({ deployType: 4, kmsKeyId: undefined }),
    expect: ["deployType 4 has an internet endpoint; 5 (VPC only) required", "disks are not encrypted with a KMS key"],
  },
  "alicloud-kafka-acl": {
    good: kafka(),
    bad: [kafka({ config: JSON.stringify({ "enable.vpc_sasl_ssl": "false" }) }), kafka({ config: "{not json" })],
    expect: ['ACLs are off (enable.acl "unset")', "config is not valid JSON"],
  },
});
