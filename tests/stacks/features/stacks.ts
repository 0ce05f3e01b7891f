import { buildStack, readStackFile, type BuiltStack } from "../../helpers/stack";
import { CLOUD_SECRETS, DEV_SECRETS, STAGING_SECRETS } from "../fixtures";

/**
 * The bundled stacks with the optional features switched on, built once per `npm test` run for every feature's
 * assertions (tests/stacks/features.test.ts): one build per stack and combination instead of one per feature
 * test, since a build is most of a second of CPU. Each override below says which feature's tests need it; two
 * features share a build unless their assertions exclude each other (noted where they do).
 */
export interface FeatureStacks {
  /** dev (Docker): logging (installed Loki), tracing at 20 %, a KRaft broker, a MongoDB with its backup, an S3 backup destination. */
  dev: BuiltStack;
  /** dev stack file run as production on Docker (`environment: prod`), nothing else changed. */
  dockerProd: BuiltStack;
  /** staging on AWS: logging to an external Elasticsearch, a logical database with its own backup. */
  staging: BuiltStack;
  /**
   * staging on AWS with tracing and the installed Loki: Grafana's datasources are then Loki and Jaeger, which
   * the Elasticsearch case above must not have (its assertion is that there is none), hence a build of its own.
   */
  stagingTraced: BuiltStack;
  /** prod on AWS: an MSK cluster with topics, and the cache as a 3-shard Redis cluster with its backup set. */
  prod: BuiltStack;
}

/** Password of the external Elasticsearch the staging logs ship to (a secret config value). */
export const ES_PASSWORD = "es-shipper-password-value";

/** Keys of the S3-compatible backup destination of dev (secret config values). */
export const S3_SECRETS = { backupS3AccessKeyId: "dev-s3-access-key-id-value", backupS3SecretAccessKey: "dev-s3-secret-access-key-value" };
/** An image with both the PostgreSQL client and the aws cli, which an S3 destination on Docker needs. */
export const S3_CLIENT_IMAGE = "registry.example.com/ops/pg-backup:16.6-aws2";

/** platform:backups entries sending main-db's dumps to an S3-compatible server, cache's to the local volume. */
export function s3Backups(destination: Record<string, unknown> = {}, entry: Record<string, unknown> = {}) {
  return [
    {
      name: "main-db-backup",
      database: "main-db",
      clientImage: S3_CLIENT_IMAGE,
      destination: {
        type: "s3",
        bucket: "dev-backups",
        endpointUrl: "https://minio.internal:9000",
        lifecycleRule: false,
        credentials: { accessKeyIdSecret: "backupS3AccessKeyId", secretAccessKeySecret: "backupS3SecretAccessKey" },
        ...destination,
      },
      ...entry,
    },
    { name: "cache-backup", database: "cache" },
  ];
}

/** The staging databases with a logical database `orders` (its own role) in main-db. */
export const LOGICAL_DATABASES = [
  { name: "main-db", engine: "postgres", version: "16", logicalDatabases: [{ name: "orders", user: "orders_svc" }] },
  { name: "cache", engine: "redis", version: "7.0" },
];

/** The stack file's databases with `cluster` set on its Redis. */
export const withCluster = (stack: string, cluster: unknown) =>
  (readStackFile(stack)["platform:databases"] as any[]).map((d) => (d.engine === "redis" ? { ...d, cluster } : d));

export const KAFKA_TOPICS = [
  { name: "orders", partitions: 12, retentionHours: 72 },
  { name: "orders.dlq", partitions: 3 },
];

/** The stack file's services with the worker also connected to `kafka/events` (extra keys on its connection). */
export function servicesWithKafka(stack: string, connection: Record<string, unknown> = {}): unknown[] {
  const services = readStackFile(stack)["platform:services"] as any[];
  return services.map((s) => (s.name === "worker" ? { ...s, connections: [...(s.connections ?? []), { database: "kafka/events", ...connection }] } : s));
}

export async function buildFeatureStacks(): Promise<FeatureStacks> {
  const dev = await buildStack(
    "dev",
    {
      logging: { enabled: true }, // logging
      tracing: { enabled: true, sampling: { percent: 20 } }, // tracing
      kafka: [{ name: "events", version: "3.9.1", topics: [{ name: "orders", replicationFactor: 1 }] }], // kafka
      services: servicesWithKafka("dev", { envPrefix: "EVENTS" }), // kafka (a service connected to the cluster)
      // logical-backups (a MongoDB and its backup) and backup-destinations (main-db's dumps to S3).
      databases: [
        { name: "main-db", engine: "postgres", version: "16.4" },
        { name: "cache", engine: "redis", version: "7.4.1" },
        { name: "docs", engine: "mongodb", version: "7.0.14" },
      ],
      backups: [...s3Backups(), { name: "docs-backup", database: "docs" }],
    },
    { secrets: { ...DEV_SECRETS, ...S3_SECRETS } },
  );
  const dockerProd = await buildStack("dev", { environment: "prod" }, { secrets: DEV_SECRETS });
  const staging = await buildStack(
    "staging",
    {
      // logging
      logging: {
        enabled: true,
        sink: { type: "elasticsearch", url: "https://es.example.com:9200", user: "shipper", passwordSecret: "esPassword", indexPrefix: "paimon" },
        masking: { keys: ["id_card"] },
      },
      // logical-backups
      databases: LOGICAL_DATABASES,
      backups: [{ name: "main-db-backup", database: "main-db" }, { name: "orders-backup", database: "main-db/orders" }],
    },
    { secrets: { ...STAGING_SECRETS, esPassword: ES_PASSWORD } },
  );
  const stagingTraced = await buildStack("staging", { tracing: { enabled: true }, logging: { enabled: true } }, { secrets: STAGING_SECRETS });
  const prod = await buildStack(
    "prod",
    {
      kafka: [{ name: "events", version: "3.9.x", size: "medium", topics: KAFKA_TOPICS }], // kafka
      services: servicesWithKafka("prod"), // kafka (a service connected to the cluster)
      databases: withCluster("prod", { shards: 3 }), // redis-cluster (its cache-backup set dumps every shard)
    },
    { secrets: CLOUD_SECRETS },
  );
  return { dev, dockerProd, staging, stagingTraced, prod };
}
