/**
 * Every field of a component's `args.ts` is either set from stack config or listed here as code-only with the
 * reason. tests/stacks/component-args.test.ts reads the args.ts files with TypeScript's parser and fails on a field
 * that is neither; the README table "Component arguments that are not config keys" is generated from
 * CODE_ONLY_ARGS (`npm run docs`).
 *
 * A field counts as set from config when a key of the same name appears in the schemas of the sections that build
 * the component (COMPONENT_SECTIONS), or when REACHED_AS names the config key that sets it under another name.
 */

/** Component directory (components/<dir>/args.ts) -> the top-level config keys whose schemas feed it. */
export const COMPONENT_SECTIONS: Record<string, { title: string; keys: readonly string[] }> = {
  "app-service": { title: "AppService", keys: ["services", "serviceDefaults", "serviceTemplates", "sharedEnv"] },
  "backup-job": { title: "BackupJob", keys: ["backups"] },
  // Hosts, paths, rate limits and headers come from services[].ingress; certificates and ports from dockerEdge.
  "edge-proxy": { title: "EdgeProxy", keys: ["dockerEdge", "services"] },
  foundation: { title: "Foundation", keys: ["network", "cluster", "edge"] },
  "kafka-cluster": { title: "KafkaCluster", keys: ["kafka"] },
  "log-pipeline": { title: "LogPipeline", keys: ["logging"] },
  "monitored-database": { title: "MonitoredDatabase", keys: ["databases"] },
  "trace-pipeline": { title: "TracePipeline", keys: ["tracing"] },
};

/** A component field (`Interface.field` in components/<component>/args.ts). */
export interface ArgRef {
  component: string;
  field: string;
}

/** Fields set from config under another name: the config key path that sets them. */
export const REACHED_AS: ReadonlyArray<ArgRef & { key: string }> = [
  { component: "app-service", field: "SharedEnvSettings.values", key: "sharedEnv" },
  { component: "backup-job", field: "BackupJobArgs.verify", key: "backups[].verifySchedule, backups[].verifyQuery" },
  { component: "backup-job", field: "BackupVerification.query", key: "backups[].verifyQuery" },
  { component: "backup-job", field: "BackupJobArgs.images", key: "backups[].clientImage" },
  { component: "backup-job", field: "BackupImages.client", key: "backups[].clientImage" },
  { component: "backup-job", field: "BackupJobArgs.nativePlan", key: "backups[].copyTo" },
  { component: "backup-job", field: "NativePlanArgs.copyToVaultArn", key: "backups[].copyTo.vaultArn" },
  { component: "backup-job", field: "NativePlanArgs.copyToRegion", key: "backups[].copyTo.region" },
  { component: "backup-job", field: "NativePlanArgs.copyRegionProvider", key: "backups[].copyTo.region (the stack creates the provider for that region)" },
  { component: "edge-proxy", field: "EdgeRouteArgs.service", key: "services[].ingress (one route per service with an ingress)" },
  { component: "edge-proxy", field: "EdgeRouteArgs.grpc", key: "services[].extraPorts[].appProtocol" },
  { component: "edge-proxy", field: "EdgeCertificateArgs.certificate", key: "dockerEdge.certificates[].certificateSecret" },
  { component: "edge-proxy", field: "EdgeCertificateArgs.privateKey", key: "dockerEdge.certificates[].keySecret" },
  { component: "foundation", field: "ClusterArgs.kubeconfig", key: "cluster.kubeconfigSecret" },
  { component: "log-pipeline", field: "LogPipelineArgs.sinkPassword", key: "logging.sink.passwordSecret" },
  { component: "log-pipeline", field: "LogPipelineArgs.monitoringNamespace", key: "alerting.namespace" },
  { component: "trace-pipeline", field: "TracePipelineArgs.monitoringNamespace", key: "alerting.namespace" },
  { component: "trace-pipeline", field: "TracePipelineArgs.services", key: "services[].name (every service sends spans)" },
  { component: "edge-proxy", field: "EdgeProxyArgs.routes", key: "services[].ingress (one route per service with an ingress)" },
];

/** The top-level args interface of each component with a `transforms` escape hatch. */
const ARGS_INTERFACE: Record<string, string> = {
  "app-service": "AppServiceArgs",
  "backup-job": "BackupJobArgs",
  "edge-proxy": "EdgeProxyArgs",
  "kafka-cluster": "KafkaClusterArgs",
  "log-pipeline": "LogPipelineArgs",
  "monitored-database": "MonitoredDatabaseArgs",
  "trace-pipeline": "TracePipelineArgs",
};

const TRANSFORMS = "functions over child resource args, per child role: code, not data";

/** The one list of component fields stack config deliberately does not set, with the reason (README table). */
export const CODE_ONLY_ARGS: ReadonlyArray<ArgRef & { reason: string }> = [
  ...Object.entries(ARGS_INTERFACE).map(([component, args]) => ({
    component,
    field: `${args}.transforms`,
    reason: component === "app-service" ? `${TRANSFORMS}; the roles include \`job\` and \`cronJob\` of services[].jobs` : TRANSFORMS,
  })),
  { component: "foundation", field: "NetworkArgs.transforms", reason: TRANSFORMS },
  { component: "foundation", field: "ClusterArgs.transforms", reason: TRANSFORMS },
  { component: "app-service", field: "SharedEnvSettings.configMap", reason: "the name of the shared ConfigMap the stack creates once from platform:sharedEnv for every service" },
  { component: "app-service", field: "NetworkPolicySettings.dataStores", reason: "derived from services[].connections: egress to exactly the data stores the service connects to" },
  { component: "backup-job", field: "BackupJobArgs.connection", reason: "output of the database it backs up" },
  { component: "backup-job", field: "BackupJobArgs.nativeBackup", reason: "output of the database (its native backup facts count towards the RPO)" },
  { component: "backup-job", field: "BackupJobArgs.identity", reason: "output of the foundation (IRSA / RRSA trust)" },
  { component: "backup-job", field: "BackupVerification.enabled", reason: "restore tests stay on (prod refuses to turn them off)" },
  { component: "backup-job", field: "NativePlanArgs.enabled", reason: "the AWS Backup plan follows the profile (prod, RDS PostgreSQL) and backups[].copyTo, which turns it on; one plan per store, the other sets of that store turn it off" },
  { component: "backup-job", field: "BackupJobArgs.keys", reason: "output of the foundation (its KMS key for backups)" },
  { component: "backup-job", field: "BackupJobArgs.activeDeadlineSeconds", reason: "derived from the schedule's period (half of it, at most 4 h)" },
  { component: "backup-job", field: "BackupJobArgs.backoffLimit", reason: "one retry: a backup that keeps failing needs a human, and its alert fires" },
  { component: "backup-job", field: "BackupJobArgs.resources", reason: "fixed by the component (100m/256Mi requests, 1 CPU/1Gi limits): dumps are I/O-bound; the scratch space follows the database (stagingSize)" },
  { component: "backup-job", field: "BackupJobArgs.retentionCount", reason: "derived from retentionDays and the schedule" },
  { component: "backup-job", field: "BackupJobArgs.startingDeadlineSeconds", reason: "derived from the schedule's period" },
  { component: "backup-job", field: "BackupImages.awsCli", reason: "pinned by the component (the aws cli image only moves files and calls the ElastiCache API)" },
  { component: "backup-job", field: "BackupImages.python", reason: "pinned by the component (a standard-library Python that calls the ApsaraDB for Redis API)" },
  { component: "backup-job", field: "BackupJobArgs.protect", reason: "follows the environment (prod protects the bucket and vault)" },
  { component: "foundation", field: "ClusterArgs.deletionProtection", reason: "prod data protection comes from the profile; relaxing it per stack is deliberately not offered" },
  { component: "foundation", field: "NetworkArgs.region", reason: "the cloud provider's own setting (aws:region / alicloud:region)" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.target", reason: "follows platform:target and platform:cloud" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.image", reason: "Docker/dev: the pinned broker image the stacks rely on" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.target", reason: "follows platform:target and platform:cloud" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.image", reason: "Docker/dev: the pinned `-alpine` image the stacks rely on" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.placement", reason: "follows the foundation's network" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.encryptionKeyId", reason: "the foundation's KMS key" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.protect", reason: "follows the environment (prod protects the cluster)" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.publishPort", reason: "Docker/dev convenience; the stacks keep brokers on the backend network" },
  { component: "kafka-cluster", field: "KafkaClusterArgs.exporter", reason: "the monitoring contract: the exporter is always on in the stacks" },
  { component: "log-pipeline", field: "LogPipelineArgs.images", reason: "pinned by the component (Fluent Bit, Loki), upgraded with it" },
  { component: "log-pipeline", field: "LogPipelineImages.fluentBit", reason: "pinned by the component, upgraded with it" },
  { component: "log-pipeline", field: "LogPipelineImages.loki", reason: "pinned by the component, upgraded with it" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.placement", reason: "follows the foundation's network" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.encryptionKeyId", reason: "the foundation's KMS key" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.pointInTimeRecovery", reason: "prod data protection comes from the profile; relaxing it per stack is deliberately not offered" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.deletionProtection", reason: "prod data protection comes from the profile; relaxing it per stack is deliberately not offered" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.protect", reason: "prod data protection comes from the profile; relaxing it per stack is deliberately not offered" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.enhancedMonitoring", reason: "on in prod from the profile" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.databaseName", reason: "the main database is `app`; further databases with their own roles are logicalDatabases" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.username", reason: "the main role is `app`; further roles come with logicalDatabases" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.publishPort", reason: "Docker/dev convenience; the stacks keep data stores on the backend network, unpublished" },
  { component: "monitored-database", field: "MonitoredDatabaseArgs.exporter", reason: "the monitoring contract: the exporter is always on in the stacks" },
  { component: "trace-pipeline", field: "TracePipelineArgs.images", reason: "pinned by the component (OpenTelemetry Collector, Jaeger), upgraded with it" },
  { component: "trace-pipeline", field: "TracePipelineImages.collector", reason: "pinned by the component, upgraded with it" },
  { component: "trace-pipeline", field: "TracePipelineImages.jaeger", reason: "pinned by the component, upgraded with it" },
];

/** The README table of CODE_ONLY_ARGS, grouped by component (generated; see stacks/config-reference.ts). */
export function codeOnlyArgsTable(): string {
  const lines = [
    "Generated by `npm run docs` from `CODE_ONLY_ARGS` in `stacks/component-args.ts`, the one list of component arguments",
    "stack config does not set (tests/stacks/component-args.test.ts fails on any `args.ts` field that is neither a",
    "config key nor listed there).",
    "",
    "| component | argument | why it is not a config key |",
    "|---|---|---|",
  ];
  for (const [dir, { title }] of Object.entries(COMPONENT_SECTIONS)) {
    for (const a of CODE_ONLY_ARGS.filter((x) => x.component === dir)) lines.push(`| ${title} | \`${a.field}\` | ${a.reason} |`);
  }
  return lines.join("\n");
}
