import { awsDataStorePolicies, docdbTlsForced, mskEncryption } from "../../policies/rules/aws-data-stores";
import { UNKNOWN } from "../helpers/policy";
import { describeChecks, messages } from "./cases";
import { cloud } from "./fixtures";

const DOCDB = "aws:docdb/cluster:Cluster";
const MSK = "aws:msk/cluster:Cluster";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/db";

/** A DocumentDB cluster as MonitoredDatabase registers it in prod. */
const docdb = (props: Record<string, unknown> = {}, options: { stack?: string; protect?: boolean; dependencies?: string[] } = {}) =>
  cloud(
    DOCDB,
    "documents-cluster",
    {
      engine: "docdb",
      storageEncrypted: true,
      kmsKeyId: KEY,
      dbSubnetGroupName: "documents-subnets",
      vpcSecurityGroupIds: ["sg-documents"],
      backupRetentionPeriod: 30,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "documents-final-1a2b",
      ...props,
    },
    { protect: true, ...options },
  );
const docdbParams = (value: string) =>
  cloud("aws:docdb/clusterParameterGroup:ClusterParameterGroup", "documents-params", { family: "docdb5.0", parameters: [{ name: "tls", value }] });

/** An MSK cluster as KafkaCluster registers it in prod. */
const msk = (props: Record<string, unknown> = {}, options: { stack?: string } = {}) =>
  cloud(
    MSK,
    "events-cluster",
    {
      kafkaVersion: "3.7.x",
      brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", connectivityInfo: { publicAccess: { type: "DISABLED" } } },
      clientAuthentication: { sasl: { scram: true, iam: false }, unauthenticated: false },
      encryptionInfo: { encryptionAtRestKmsKeyArn: KEY, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      ...props,
    },
    options,
  );

describeChecks(awsDataStorePolicies, {
  "aws-docdb-encrypted": {
    good: docdb(),
    bad: [docdb({ storageEncrypted: false }), docdb({ kmsKeyId: undefined })],
    expect: ["storage is not encrypted (storageEncrypted must be true)", "storage uses the AWS-managed key"],
  },
  "aws-docdb-private": {
    good: docdb(),
    bad: docdb({ dbSubnetGroupName: undefined, vpcSecurityGroupIds: [] }),
    expect: ["no dbSubnetGroupName", "no vpcSecurityGroupIds"],
  },
  "aws-docdb-backup-retention": {
    good: docdb(),
    bad: docdb({ backupRetentionPeriod: 7 }),
    expect: ["backupRetentionPeriod 7 is below 30 days"],
    config: { minRetentionDays: 30 },
  },
  "aws-docdb-deletion-protection": {
    good: [docdb(), docdb({ deletionProtection: false, skipFinalSnapshot: true }, { stack: "staging", protect: false })],
    bad: docdb({ deletionProtection: false, skipFinalSnapshot: true }, { protect: false }),
    expect: ["production cluster without deletionProtection", "production cluster skips its final snapshot", "production cluster is not protected"],
  },
  "aws-docdb-tls-forced": {
    good: [docdbParams("enabled"), docdb({}, { dependencies: [docdbParams("enabled").urn!] })],
    bad: [docdbParams("disabled"), docdb({}, { dependencies: [docdbParams("disabled").urn!] })],
    expect: ['DocumentDB cluster "documents-cluster" has no cluster parameter group with tls = enabled'],
  },
  "aws-msk-encryption": {
    good: [msk(), msk({ encryptionInfo: { encryptionAtRestKmsKeyArn: KEY } })],
    bad: [msk({ encryptionInfo: { encryptionInTransit: { clientBroker: "TLS_PLAINTEXT", inCluster: false } } })],
    expect: ["client-broker traffic allows plaintext (clientBroker TLS_PLAINTEXT; must be TLS)", "traffic between brokers is not encrypted", "storage uses the AWS-managed key"],
  },
  "aws-msk-client-auth": {
    good: [msk(), msk({ clientAuthentication: { sasl: { iam: true } } }), msk({ clientAuthentication: { unauthenticated: true } }, { stack: "staging" })],
    bad: [msk({ clientAuthentication: { unauthenticated: true } })],
    expect: ["unauthenticated access is enabled", "no client authentication (SASL/SCRAM, IAM or mutual TLS) is enabled"],
  },
  "aws-msk-private": {
    good: [msk(), msk({ brokerNodeGroupInfo: { instanceType: "kafka.m7g.large" } })],
    bad: msk({ brokerNodeGroupInfo: { connectivityInfo: { publicAccess: { type: "SERVICE_PROVIDED_EIPS" } } } }),
    expect: ["brokers are reachable from the internet (publicAccess.type SERVICE_PROVIDED_EIPS)"],
  },
});

describe("DocumentDB and MSK checks during preview", () => {
  it("stay silent on values unknown until the update", () => {
    const unknownParams = cloud("aws:docdb/clusterParameterGroup:ClusterParameterGroup", "documents-params", { parameters: UNKNOWN });
    expect(messages(docdbTlsForced, [unknownParams, docdb({}, { dependencies: [unknownParams.urn!] })])).toEqual([]);
    expect(messages(mskEncryption, msk({ encryptionInfo: UNKNOWN }))).toEqual([]);
  });
});
