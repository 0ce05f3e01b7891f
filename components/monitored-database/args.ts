import type * as pulumi from "@pulumi/pulumi";
import type { DataPlacement } from "../lib/contracts";
import type { Transforms } from "../lib/transform";
import type { ThresholdOverrides } from "./thresholds";

export type Engine = "postgres" | "redis" | "mongodb";
export const ENGINES: readonly Engine[] = ["postgres", "redis", "mongodb"];

/** Where the data store runs: a managed cloud service or a container on the local Docker engine. */
export type DatabaseTarget = "aws" | "alicloud" | "docker";
export const DATABASE_TARGETS: readonly DatabaseTarget[] = ["aws", "alicloud", "docker"];

export type SizeClass = "small" | "medium" | "large";
export const SIZE_CLASSES: readonly SizeClass[] = ["small", "medium", "large"];

/** Child roles a `transforms` entry may adjust. */
export type DatabaseChildRole =
  | "password"
  | "snapshotSuffix"
  | "securityGroup"
  | "subnetGroup"
  | "parameterGroup"
  | "instance"
  | "readReplica"
  | "replicationGroup"
  | "cluster"
  | "clusterInstance"
  | "database"
  | "account"
  | "backupPolicy"
  | "image"
  | "volume"
  | "container"
  | "credentialsSecret"
  | "caBundle"
  | "exporterImage"
  | "exporterContainer"
  | "exporterDeployment"
  | "exporterService"
  | "serviceMonitor";

/** One more database (and its owner role) on a PostgreSQL instance. */
export interface LogicalDatabaseArgs {
  /** Database name, `[a-z][a-z0-9_]{0,30}`. */
  name: string;
  /** Owner login role. @default the database name */
  user?: string;
}

/** Redis cluster mode: the keyspace spread over shards, each a primary with its replicas. */
export interface RedisClusterArgs {
  /** Shards (ElastiCache node groups 1–500; ApsaraDB cluster-edition data shards 2–256). */
  shards: number;
  /**
   * Replicas per shard (ElastiCache 0–5, at least 1 in prod; ApsaraDB 1: each shard is a master-replica pair).
   * @default 1
   */
  replicasPerShard?: number;
}

/** Most logical databases one instance carries (ApsaraDB allows 500 accounts; more is a sign to split). */
export const MAX_LOGICAL_DATABASES = 32;

export interface MonitoredDatabaseArgs {
  /**
   * Database engine.
   * @example "postgres"
   * Caution: changing it replaces the data store (data is not migrated).
   */
  engine: Engine;
  /**
   * Where the data store runs. Managed targets (`aws`, `alicloud`) need `placement`; `docker` needs the
   * platform's Docker networks.
   * @example "aws"
   * Caution: changing it creates a new, empty data store.
   */
  target: DatabaseTarget;
  /**
   * Engine version. Managed targets accept a major (`16`) or major.minor (`16.4`); Docker needs the full
   * version the image tag is pinned to (PostgreSQL `16.4`, Redis `7.4.1`).
   * @example "16.4"
   * Caution: a major version change upgrades in place on RDS (with downtime) and replaces a Docker container.
   */
  version: string;
  /**
   * Size class, mapped per target to an instance type (see sizes.ts).
   * @default "small"
   * @example "large"
   */
  size?: SizeClass;
  /**
   * Provider instance type/class, overriding the one `size` maps to.
   * @default the size class mapping
   * @example "db.r7g.2xlarge"
   */
  instanceClass?: string;
  /**
   * Allocated storage in GB (PostgreSQL only; Redis is sized by memory). Minimum 20 on RDS and ApsaraDB.
   * @default 20
   * @example 100
   * Caution: providers only grow storage; a smaller value fails on update.
   */
  storageGb?: number;
  /**
   * Standby in a second zone with automatic failover (RDS Multi-AZ, ApsaraDB HighAvailability, ElastiCache
   * replica + failover). Not available on Docker.
   * @default false
   */
  highAvailability?: boolean;
  /**
   * PostgreSQL read replicas (RDS read replicas of the primary, ApsaraDB read-only instances), same class and
   * storage as the primary, each with its own exporter so replica lag is measured on the replica.
   * At most 15 on aws, 32 on alicloud; not on docker.
   * @default 0
   * @example 2
   * Caution: lowering the count deletes the highest-numbered replicas.
   */
  readReplicas?: number;
  /**
   * MongoDB only: data-bearing members of the replica set. DocumentDB (aws): 1–16 instances, one primary and
   * the rest replicas spread over the placement's zones; ApsaraDB for MongoDB (alicloud): a replica set of 3, 5
   * or 7 nodes; docker: 1 (a single mongod).
   * @default 3 with highAvailability (aws, alicloud), else 1 on aws/docker and 3 on alicloud (its smallest replica set)
   * @example 3
   * Caution: lowering it on aws deletes the highest-numbered instances.
   */
  members?: number;
  /**
   * PostgreSQL extensions to load and create: `timescaledb` (ApsaraDB RDS PostgreSQL: added to
   * shared_preload_libraries, then `CREATE EXTENSION timescaledb` by the owner; Docker: the pinned
   * timescale/timescaledb image, which creates it in the database at first start). Refused on aws: RDS cannot load it.
   * @default []
   * @example ["timescaledb"]
   * Caution: on docker adding it replaces the image (the data volume is kept).
   */
  extensions?: string[];
  /**
   * Redis only: cluster mode (ElastiCache cluster mode enabled, ApsaraDB cluster edition). Not on docker. Each node
   * is scraped with `shard` and `node` labels on ElastiCache, so one shard's memory pressure is its own alert.
   * @default single primary (with a replica when highAvailability)
   * @example { shards: 3, replicasPerShard: 1 }
   * Caution: turning cluster mode on or off replaces the data store.
   */
  cluster?: RedisClusterArgs;
  /** Where a managed data store is placed and who may reach it (from the foundation network). */
  placement?: DataPlacement;
  /**
   * KMS key id/ARN for encryption at rest. Without it the provider's service key is used (still encrypted).
   * @default provider-managed key
   * @example "arn:aws:kms:eu-west-1:123456789012:key/..."
   * Caution: changing the key of an existing RDS instance replaces it.
   */
  encryptionKeyId?: pulumi.Input<string>;
  /**
   * Native backup retention in days (RDS 0–35, ElastiCache 0–35, ApsaraDB RDS 7–730, ApsaraDB Redis 7).
   * @default 7
   */
  backupRetentionDays?: number;
  /**
   * Continuous log/WAL backups for point-in-time recovery (ApsaraDB log backup; RDS has PITR whenever
   * retention > 0).
   * @default true when backupRetentionDays > 0
   */
  pointInTimeRecovery?: boolean;
  /**
   * Daily backup window, UTC `hh:mm-hh:mm`; must not overlap the maintenance window.
   * @default "18:00-19:00"
   */
  backupWindow?: string;
  /**
   * Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`.
   * @default "sun:20:00-sun:21:00"
   */
  maintenanceWindow?: string;
  /**
   * Engine parameters (postgresql.conf / redis.conf keys). `rds.force_ssl` cannot be turned off.
   * @default {}
   * @example { "log_min_duration_statement": "500" }
   */
  parameters?: Record<string, string | number>;
  /**
   * Alert threshold overrides, by threshold name (see thresholds.ts); warning must not be worse than critical.
   * @example { connectionsPercent: { warning: 70, critical: 90 } }
   */
  thresholds?: ThresholdOverrides;
  /**
   * Deletion protection on the data store.
   * @default true in prod
   */
  deletionProtection?: boolean;
  /**
   * Pulumi `protect` on the data store, so `pulumi destroy` refuses to delete it.
   * @default true in prod
   */
  protect?: boolean;
  /**
   * Performance Insights and CloudWatch log exports (RDS).
   * @default true in prod
   */
  enhancedMonitoring?: boolean;
  /**
   * PostgreSQL database name and user.
   * @default database "app", user "app"
   */
  databaseName?: string;
  username?: string;
  /**
   * PostgreSQL only: further databases on the same instance, each owned by its own login role with its own
   * generated password (one database per service). The admin user creates them idempotently: ApsaraDB
   * accounts/databases on Alibaba Cloud, a provisioning Job (Kubernetes) or one-shot container (Docker)
   * elsewhere. No role can connect to another role's database.
   * @default []
   * @example [{ name: "orders" }, { name: "billing", user: "billing_svc" }]
   * Caution: removing an entry does not drop the database or the role (data is never deleted by config).
   */
  logicalDatabases?: LogicalDatabaseArgs[];
  /**
   * Docker only: publish the port on 127.0.0.1 at this host port (for local tools). Never on all interfaces.
   * @default not published
   * @example 15432
   */
  publishPort?: number;
  /**
   * Docker only: image override, pinned by tag or digest.
   * @default postgres:<version>-alpine / redis:<version>-alpine
   */
  image?: string;
  /**
   * Deploy the Prometheus exporter next to the workloads (Kubernetes Deployment or Docker container).
   * @default true
   */
  exporter?: boolean;
  /** Per-child args adjustments for settings this component does not model. */
  transforms?: Transforms<DatabaseChildRole>;
}
