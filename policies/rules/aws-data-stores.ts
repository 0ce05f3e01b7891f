/**
 * AWS data stores beyond RDS and ElastiCache: Amazon DocumentDB (MonitoredDatabase's MongoDB on AWS) and Amazon MSK
 * (KafkaCluster on AWS). Each check reads only the resource's own inputs, or its recorded dependencies.
 */
import { environmentOf, ENVIRONMENTS_PARAM, isTrue } from "./common";
import { known, resourceCheck, stackCheck, StackProblem } from "./framework";

const DOCDB_CLUSTER = "aws:docdb/cluster:Cluster";
const DOCDB_PARAMETER_GROUP = "aws:docdb/clusterParameterGroup:ClusterParameterGroup";
const MSK = "aws:msk/cluster:Cluster";

export const docdbEncrypted = resourceCheck({
  name: "aws-docdb-encrypted",
  description: "DocumentDB cluster storage is encrypted with a customer-managed KMS key.",
  severity: "high",
  remediation: "Set storageEncrypted: true and kmsKeyId (the foundation's database key). Changing this replaces the cluster.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [DOCDB_CLUSTER],
  validate: (r) => {
    if (!isTrue(r.props.storageEncrypted)) return ["storage is not encrypted (storageEncrypted must be true)"];
    return r.props.kmsKeyId ? [] : ["storage uses the AWS-managed key; set kmsKeyId to a customer-managed key"];
  },
});

export const docdbPrivate = resourceCheck({
  name: "aws-docdb-private",
  description: "DocumentDB clusters sit in a subnet group of their own with explicit security groups (else they land in the default VPC's subnets behind its default group).",
  severity: "critical",
  remediation: "Set dbSubnetGroupName (the private subnets) and vpcSecurityGroupIds (a group open to the application tier only).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [DOCDB_CLUSTER],
  validate: (r) => {
    const out: string[] = [];
    if (!r.props.dbSubnetGroupName) out.push("no dbSubnetGroupName: the cluster is placed in the default VPC's subnets");
    if (!(r.props.vpcSecurityGroupIds ?? []).length) out.push("no vpcSecurityGroupIds: the VPC's default security group guards the cluster");
    return out;
  },
});

export const docdbBackups = resourceCheck<{ minRetentionDays: number }>({
  name: "aws-docdb-backup-retention",
  description: "DocumentDB automated backups (point-in-time recovery) are kept at least the stack's minimum number of days.",
  severity: "high",
  remediation: "Raise backupRetentionPeriod (databases[].backupRetentionDays) to at least the stack's minimum (DocumentDB allows 1–35).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [DOCDB_CLUSTER],
  config: { minRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Minimum backupRetentionPeriod in days." } },
  validate: (r, config) => {
    const days = r.props.backupRetentionPeriod ?? 1;
    return days < config.minRetentionDays ? [`backupRetentionPeriod ${days} is below ${config.minRetentionDays} days`] : [];
  },
});

export const docdbDeletionProtection = resourceCheck<{ environments: string[] }>({
  name: "aws-docdb-deletion-protection",
  description: "Production DocumentDB clusters have deletion protection, take a final snapshot and are Pulumi-protected.",
  severity: "critical",
  remediation: "Set deletionProtection: true, skipFinalSnapshot: false with a finalSnapshotIdentifier and the resource option protect: true.",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [DOCDB_CLUSTER],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const p = r.props;
    const out: string[] = [];
    if (!isTrue(p.deletionProtection)) out.push("production cluster without deletionProtection");
    if (isTrue(p.skipFinalSnapshot) || !p.finalSnapshotIdentifier) out.push("production cluster skips its final snapshot (skipFinalSnapshot false and a finalSnapshotIdentifier are required)");
    if (!r.protect) out.push("production cluster is not protected (resource option protect: true)");
    return out;
  },
});

/** Values of DocumentDB's `tls` cluster parameter that require TLS (`disabled` is the only one that does not). */
const DOCDB_TLS_ON = new Set(["enabled", "fips-140-3", "tls1.2+", "tls1.3+"]);

export const docdbTlsForced = stackCheck({
  name: "aws-docdb-tls-forced",
  description: "DocumentDB clusters use a cluster parameter group (found through the cluster's dependencies) with tls = enabled (or a stricter value).",
  severity: "high",
  remediation: "Attach a cluster parameter group with tls = enabled (MonitoredDatabase does this; keep parameters from turning it off).",
  enforcementLevel: "mandatory",
  category: "aws",
  validate: (stack) => {
    const problems: StackProblem[] = [];
    for (const cluster of stack.ofType(DOCDB_CLUSTER)) {
      const verdict = known(() => {
        const groups = stack.dependenciesOf(cluster).filter((d) => d.type === DOCDB_PARAMETER_GROUP);
        const forced = groups.some((g) => (g.props.parameters ?? []).some((p: any) => p.name === "tls" && DOCDB_TLS_ON.has(String(p.value))));
        return forced ? undefined : `DocumentDB cluster "${cluster.name}" has no cluster parameter group with tls = enabled`;
      });
      if (verdict) problems.push({ urn: cluster.urn, message: verdict });
    }
    return problems;
  },
});

export const mskEncryption = resourceCheck({
  name: "aws-msk-encryption",
  description: "MSK clusters encrypt in transit with TLS only (client-broker and between brokers) and at rest with a customer-managed KMS key.",
  severity: "high",
  remediation: 'Set encryptionInfo {encryptionAtRestKmsKeyArn, encryptionInTransit {clientBroker: "TLS", inCluster: true}}. Changing this replaces the cluster.',
  enforcementLevel: "mandatory",
  category: "aws",
  types: [MSK],
  validate: (r) => {
    const info = r.props.encryptionInfo ?? {};
    const transit = info.encryptionInTransit ?? {};
    const out: string[] = [];
    // The provider's default for clientBroker is TLS and for inCluster true; only explicit weaker values are refused.
    const clientBroker = transit.clientBroker ?? "TLS";
    if (clientBroker !== "TLS") out.push(`client-broker traffic allows plaintext (clientBroker ${clientBroker}; must be TLS)`);
    if (transit.inCluster === false || transit.inCluster === "false") out.push("traffic between brokers is not encrypted (inCluster false)");
    if (!info.encryptionAtRestKmsKeyArn) out.push("storage uses the AWS-managed key; set encryptionAtRestKmsKeyArn to a customer-managed key");
    return out;
  },
});

export const mskClientAuth = resourceCheck<{ environments: string[] }>({
  name: "aws-msk-client-auth",
  description: "Production MSK clusters authenticate every client (SASL/SCRAM, IAM or mutual TLS) and refuse unauthenticated access.",
  severity: "critical",
  remediation: "Set clientAuthentication {sasl {scram: true}, unauthenticated: false} (KafkaCluster does; iamAuthentication adds IAM).",
  enforcementLevel: "mandatory",
  category: "aws",
  types: [MSK],
  config: { ...ENVIRONMENTS_PARAM },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props))) return [];
    const auth = r.props.clientAuthentication ?? {};
    const out: string[] = [];
    if (isTrue(auth.unauthenticated)) out.push("unauthenticated access is enabled");
    const methods = isTrue(auth.sasl?.scram) || isTrue(auth.sasl?.iam) || (auth.tls?.certificateAuthorityArns ?? []).length > 0;
    if (!methods) out.push("no client authentication (SASL/SCRAM, IAM or mutual TLS) is enabled");
    return out;
  },
});

export const mskPrivate = resourceCheck({
  name: "aws-msk-private",
  description: "MSK brokers have no public access (no service-provided Elastic IPs).",
  severity: "critical",
  remediation: 'Set brokerNodeGroupInfo.connectivityInfo.publicAccess.type: "DISABLED"; reach the brokers from the VPC.',
  enforcementLevel: "mandatory",
  category: "aws",
  types: [MSK],
  validate: (r) => {
    const type = r.props.brokerNodeGroupInfo?.connectivityInfo?.publicAccess?.type ?? "DISABLED";
    return type === "DISABLED" ? [] : [`brokers are reachable from the internet (publicAccess.type ${type})`];
  },
});

export const awsDataStorePolicies = [docdbEncrypted, docdbPrivate, docdbBackups, docdbDeletionProtection, docdbTlsForced, mskEncryption, mskClientAuth, mskPrivate];
