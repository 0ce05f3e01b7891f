import { alicloudPolicies, parsePortRange } from "../../policies/rules/alicloud";
import { describeChecks, messages } from "./cases";
import { cloud } from "./fixtures";

const RDS = "alicloud:rds/instance:Instance";
const KVSTORE = "alicloud:kvstore/instance:Instance";
const OSS = "alicloud:oss/bucket:Bucket";
const ACK = "alicloud:cs/managedKubernetes:ManagedKubernetes";
const NODE_POOL = "alicloud:cs/nodePool:NodePool";

const rule = (portRange: string, source: Record<string, string>, ipProtocol = "tcp") =>
  cloud("alicloud:ecs/securityGroupRule:SecurityGroupRule", `rule-${portRange}`, { type: "ingress", policy: "accept", ipProtocol, portRange, ...source });

const rdsProps = {
  engine: "PostgreSQL",
  category: "HighAvailability",
  zoneIdSlaveA: "cn-hangzhou-i",
  securityIps: ["10.0.0.0/16"],
  sslAction: "Open",
  encryptionKey: "key-id",
  deletionProtection: true,
};
const rds = (props: Record<string, unknown> = {}, options: { stack?: string; protect?: boolean } = {}) => cloud(RDS, "main-db", { ...rdsProps, ...props }, { protect: true, ...options });
const READ_ONLY = "alicloud:rds/readOnlyInstance:ReadOnlyInstance";
/** A read-only instance as MonitoredDatabase registers it (no HA, backups or encryption settings of its own). */
const readOnly = (props: Record<string, unknown> = {}, options: { stack?: string; protect?: boolean } = {}) =>
  cloud(READ_ONLY, "main-db-replica-1", { masterDbInstanceId: "pgm-1", securityIps: ["10.0.0.0/16"], sslEnabled: 1, deletionProtection: true, ...props }, { protect: true, ...options });
const mongoWhitelist = (securityIpLists: string[]) => cloud("alicloud:mongodb/instance:Instance", "documents-instance", { securityIpLists });
const kafkaAllowedIp = (allowedIp: string) =>
  cloud("alicloud:alikafka/instanceAllowedIpAttachment:InstanceAllowedIpAttachment", "events-allowed-0", { instanceId: "alikafka-1", allowedType: "vpc", portRange: "9094/9094", allowedIp });
const backupPolicy = (props: Record<string, unknown>, stack = "prod") =>
  cloud("alicloud:rds/backupPolicy:BackupPolicy", "main-db-backup-policy", { backupRetentionPeriod: 30, enableBackupLog: true, releasedKeepPolicy: "All", ...props }, { stack });

const ossProps = {
  acl: "private",
  serverSideEncryptionRule: { sseAlgorithm: "KMS", kmsMasterKeyId: "key-id" },
  versioning: { status: "Enabled" },
  lifecycleRules: [{ enabled: true, expirations: [{ days: 30 }], noncurrentVersionExpirations: [{ days: 30 }] }],
};
const oss = (props: Record<string, unknown> = {}) => cloud(OSS, "backups", { ...ossProps, ...props });

const kvProps = { securityIps: ["10.0.0.0/16"], password: "generated", vpcAuthMode: "Open", sslEnable: "Enable", backupPeriods: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] };
const kv = (props: Record<string, unknown> = {}) => cloud(KVSTORE, "cache", { ...kvProps, ...props });

const nodePool = (props: Record<string, unknown> = {}) => cloud(NODE_POOL, "pool", { management: { enable: true, autoRepair: true }, systemDiskEncrypted: true, ...props });
const ack = (props: Record<string, unknown> = {}) => cloud(ACK, "cluster", { slbInternetEnabled: false, encryptionProviderKey: "key-id", controlPlaneLogComponents: ["apiserver", "kcm"], ...props });

const tlsOnly = JSON.stringify({ Version: "1", Statement: [{ Effect: "Deny", Action: ["oss:*"], Principal: ["*"], Resource: ["acs:oss:*:*:b/*"], Condition: { Bool: { "acs:SecureTransport": ["false"] } } }] });

describeChecks(alicloudPolicies, {
  "alicloud-sg-no-world-ingress": {
    good: [rule("443/443", { cidrIp: "0.0.0.0/0" }), rule("6379/6379", { cidrIp: "10.0.0.0/16" }), rule("-1/-1", { sourceSecurityGroupId: "sg-app" }, "all")],
    bad: [rule("80/443", { cidrIp: "0.0.0.0/0" }), rule("-1/-1", { ipv6CidrIp: "::/0" }, "all")],
    expect: ["0.0.0.0/0 may reach ports 80-443", "::/0 may reach ports all"],
  },
  "alicloud-data-store-whitelist": {
    good: [rds(), kv(), readOnly(), mongoWhitelist(["10.0.0.0/16"]), kafkaAllowedIp("10.0.0.0/16")],
    bad: [rds({ securityIps: ["0.0.0.0/0"] }), kv({ securityIps: ["10.0.0.0/16", "0.0.0.0"] }), readOnly({ securityIps: ["::/0"] }), mongoWhitelist(["10.0.0.0/16,0.0.0.0/0"]), kafkaAllowedIp("0.0.0.0/0")],
    expect: ["whitelist contains 0.0.0.0/0", "whitelist contains 0.0.0.0", "whitelist contains ::/0"],
  },
  "alicloud-rds-ssl": {
    good: [rds(), readOnly()],
    bad: [rds({ sslAction: "Close" }), readOnly({ sslEnabled: 0 })],
    expect: ["SSL is not enabled (sslAction Close)", "read-only instance SSL is not enabled (sslEnabled 0)"],
  },
  "alicloud-rds-not-public": {
    good: rds(),
    bad: cloud("alicloud:rds/connection:Connection", "public", { instanceId: "rm-1", connectionPrefix: "db" }),
    expect: ["RDS public connection string allocated"],
  },
  "alicloud-rds-encrypted": {
    good: rds(),
    bad: rds({ encryptionKey: undefined }),
    expect: ["disk encryption is off"],
  },
  "alicloud-rds-ha": {
    good: [rds(), rds({ category: "Basic", zoneIdSlaveA: undefined }, { stack: "staging" })],
    bad: rds({ category: "Basic", zoneIdSlaveA: undefined }),
    expect: ["production instance category Basic has no standby in a second zone"],
  },
  "alicloud-rds-deletion-protection": {
    good: [rds(), rds({ deletionProtection: false }, { stack: "staging", protect: false }), readOnly(), readOnly({ deletionProtection: false }, { stack: "staging", protect: false })],
    bad: [rds({ deletionProtection: false }, { protect: false }), readOnly({ deletionProtection: false })],
    expect: ["production instance without deletionProtection", "production instance is not protected"],
  },
  "alicloud-rds-backup-retention": {
    good: [backupPolicy({}), backupPolicy({ releasedKeepPolicy: undefined }, "staging")],
    bad: backupPolicy({ backupRetentionPeriod: 7, enableBackupLog: false, releasedKeepPolicy: "None" }),
    expect: ["backupRetentionPeriod 7 is below 30 days", "log backups are off", "backups are deleted when the instance is released"],
    config: { minRetentionDays: 30 },
  },
  "alicloud-oss-private": {
    good: oss(),
    bad: oss({ acl: "public-read" }),
    expect: ['bucket ACL is "public-read"; it must be private'],
  },
  "alicloud-oss-encrypted": {
    good: oss(),
    bad: [oss({ serverSideEncryptionRule: undefined }), oss({ serverSideEncryptionRule: { sseAlgorithm: "AES256" } })],
    expect: ["server-side encryption is not configured, not KMS", "server-side encryption is AES256, not KMS"],
  },
  "alicloud-oss-versioned": {
    good: oss(),
    bad: oss({ versioning: { status: "Suspended" }, lifecycleRules: [] }),
    expect: ["versioning is Suspended", "no enabled lifecycle rule expires objects"],
  },
  "alicloud-oss-tls-only": {
    good: cloud("alicloud:oss/bucketPolicy:BucketPolicy", "p", { policy: tlsOnly }),
    bad: cloud("alicloud:oss/bucketPolicy:BucketPolicy", "p", { policy: JSON.stringify({ Version: "1", Statement: [] }) }),
    expect: ["bucket policy does not deny requests without TLS"],
  },
  "alicloud-kms-rotation": {
    good: cloud("alicloud:kms/key:Key", "k", { automaticRotation: "Enabled", rotationInterval: "31536000s" }),
    bad: cloud("alicloud:kms/key:Key", "k", { automaticRotation: "Disabled" }),
    expect: ["automatic rotation is Disabled"],
  },
  "alicloud-kvstore-auth": {
    good: kv(),
    bad: kv({ vpcAuthMode: "Close", password: undefined, sslEnable: "Disable" }),
    expect: ['vpcAuthMode "Close"', "no password", "TLS is Disable"],
  },
  "alicloud-kvstore-backups": {
    good: kv(),
    bad: kv({ backupPeriods: ["Monday"] }),
    expect: ["backups run on 1 day(s) a week; 7 required"],
  },
  "alicloud-ack-node-pool-auto-repair": {
    good: nodePool(),
    bad: nodePool({ management: { enable: true, autoRepair: false } }),
    expect: ["node pool is not managed with autoRepair"],
  },
  "alicloud-ack-node-disk-encrypted": {
    good: nodePool(),
    bad: nodePool({ systemDiskEncrypted: false }),
    expect: ["system disks are not encrypted"],
  },
  "alicloud-ack-api-private": {
    good: ack(),
    bad: ack({ slbInternetEnabled: true }),
    expect: ["API server is exposed on an internet-facing SLB"],
  },
  "alicloud-ack-secrets-encrypted": {
    good: ack(),
    bad: ack({ encryptionProviderKey: undefined, controlPlaneLogComponents: [] }),
    expect: ["Kubernetes Secrets are not envelope-encrypted", "API server logs are not shipped"],
  },
});

it("reads each data store's whitelist field: a world entry is reported for MongoDB lists and Kafka allowed IPs alike", () => {
  const whitelist = alicloudPolicies.find((p) => p.name === "alicloud-data-store-whitelist")!;
  expect(messages(whitelist, mongoWhitelist(["10.0.0.0/16,0.0.0.0/0"]))).toEqual(["whitelist contains 0.0.0.0/0"]);
  expect(messages(whitelist, kafkaAllowedIp("0.0.0.0"))).toEqual(["whitelist contains 0.0.0.0"]);
});

it("does not hold read-only instances to the primary's HA, encryption and backup checks", () => {
  const primaryOnly = alicloudPolicies.filter((p) => ["alicloud-rds-ha", "alicloud-rds-encrypted", "alicloud-rds-backup-retention"].includes(p.name));
  expect(primaryOnly.flatMap((p) => messages(p, readOnly()))).toEqual([]);
});

it("parses Alibaba Cloud port ranges", () => {
  expect(parsePortRange("80/443")).toEqual({ from: 80, to: 443 });
  expect(parsePortRange("-1/-1")).toEqual({ from: -1, to: -1 });
  expect(parsePortRange(undefined)).toEqual({});
});
