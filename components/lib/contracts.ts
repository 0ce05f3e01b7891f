import type * as pulumi from "@pulumi/pulumi";
import type { HttpMetrics } from "./http-metrics";

/**
 * Types that cross component boundaries. Keeping them here (rather than importing one component's
 * module from another) lets each component be built and tested alone.
 */

/** Where a managed data store is placed and who may reach it. Produced by the foundation's network. */
export interface DataPlacement {
  vpcId: pulumi.Input<string>;
  /** Private subnets (AWS) or VSwitches (Alibaba Cloud), at least two zones for HA. */
  subnetIds: pulumi.Input<string>[];
  /** AWS: security groups whose members may connect (the application tier). */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /** CIDR blocks that may connect (Alibaba Cloud whitelists; the VPC CIDR). Never 0.0.0.0/0. */
  allowedCidrBlocks: pulumi.Input<string>[];
  /** Zones of the subnets, in the same order, where a provider needs them (Alibaba Cloud). */
  zoneIds?: pulumi.Input<string>[];
}

/** OIDC trust for Kubernetes service accounts (IRSA on EKS, RRSA on ACK). */
export interface WorkloadIdentity {
  cloud: "aws" | "alicloud";
  /** ARN of the OIDC provider registered in the cloud IAM. */
  providerArn: pulumi.Input<string>;
  /** Issuer URL of the cluster's service-account tokens (with https://). */
  issuerUrl: pulumi.Input<string>;
}

/** Customer-managed encryption keys (rotation on), by purpose. Absent on clouds/targets without KMS. */
export interface EncryptionKeys {
  database?: pulumi.Input<string>;
  backups?: pulumi.Input<string>;
  clusterSecrets?: pulumi.Input<string>;
}

/** Reference to a key of an existing Kubernetes Secret. */
export interface SecretKeyRef {
  name: pulumi.Input<string>;
  key: string;
}

/** How an application reaches a data store. Passwords are Pulumi secrets only. */
export interface DatabaseConnection {
  engine: "postgres" | "redis" | "mongodb";
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  /** PostgreSQL only. */
  user?: pulumi.Output<string>;
  /** PostgreSQL only. */
  database?: pulumi.Output<string>;
  /** Secret output. */
  password: pulumi.Output<string>;
  /** Whether clients must use TLS. */
  tls: boolean;
  /**
   * Redis cluster mode behind a configuration endpoint (ElastiCache cluster mode): `host` answers CLUSTER NODES and
   * clients (and the BackupJob, which dumps every shard) reach each shard's nodes directly. Absent for one endpoint,
   * including ApsaraDB's cluster-edition proxy, which shows the shards as one Redis.
   */
  cluster?: boolean;
  /** PostgreSQL read replicas' hosts (same port, user and password), for read-only traffic. */
  replicaHosts?: pulumi.Output<string>[];
  /** Secret output: the client connection URL with the password embedded (`postgresql://...`, `rediss://...`). */
  url?: pulumi.Output<string>;
  /** Kubernetes target: the Secret holding `password` (and `url`), for AppService secret references. */
  secretRef?: { name: pulumi.Output<string>; passwordKey: string; urlKey: string };
  /**
   * Kubernetes target: a ConfigMap holding the CA bundle that verifies the server (DocumentDB: the Amazon RDS CAs,
   * in no public trust store). Clients mount `key` at `file` and verify with it (tlsCAFile / --sslCAFile).
   */
  caBundle?: { configMap: pulumi.Output<string>; key: string; file: string };
}

/** Service level objectives an AppService may declare; the AlertingStack turns them into burn-rate alerts. */
export interface ServiceObjectives {
  /** Availability objective in percent of non-5xx responses over 30 days, e.g. 99.9. */
  availabilityPercent?: number;
  /** Latency objective: `percent` of requests faster than `thresholdSeconds` over 30 days. */
  latency?: { thresholdSeconds: number; percent: number };
}

/**
 * What the AlertingStack needs to know about an HTTP service to build its RED dashboard, HTTP alerts and
 * SLO alerts. AppService exposes one when it declares metrics.
 */
export interface MonitoredService {
  /** Service name; equals the Prometheus `service` label the ServiceMonitor / scrape config sets. */
  name: string;
  namespace: string;
  kind: "web" | "api" | "worker" | "singleton";
  /** Prometheus `job` label of the service's scrape. */
  job: string;
  objectives?: ServiceObjectives;
  /** Names of the HTTP series its alerts and dashboard read. @default DEFAULT_HTTP_METRICS (lib/http-metrics) */
  http?: Partial<HttpMetrics>;
}

/**
 * Provider-native backup facts of a data store, published by MonitoredDatabase and consumed by BackupJob
 * (which adds an AWS Backup plan in prod and refuses RPO/RTO targets the mechanisms cannot meet).
 */
export interface NativeBackupInfo {
  engine: "postgres" | "redis" | "mongodb";
  /** Where the data store runs. `docker` has no native backups. */
  target: "aws" | "alicloud" | "docker";
  /** Retention of provider-native backups in days (0 = off). */
  retentionDays: number;
  /** Continuous log/WAL backups allowing point-in-time recovery (RDS PITR, Alicloud log backup). */
  pointInTimeRecovery: boolean;
  /** Interval between native snapshots in minutes (RDS daily = 1440; ElastiCache daily = 1440). */
  snapshotIntervalMinutes?: number;
  /** ARN (AWS) or instance id (Alibaba Cloud) of the data store, for backup plans. */
  resourceId?: pulumi.Output<string>;
  /**
   * Managed Redis (ElastiCache, ApsaraDB for Redis): what a backup job needs to take on-demand native snapshots and
   * restore-test them. Managed Redis refuses `SYNC`, so `redis-cli --rdb` cannot dump it; BackupJob snapshots it
   * through the cloud's API instead.
   */
  redisSnapshot?: RedisSnapshotSource;
}

/** The cloud API handle of a managed Redis for native snapshots (see NativeBackupInfo.redisSnapshot). */
export type RedisSnapshotSource =
  | {
      cloud: "aws";
      /** ElastiCache replication group id. */
      replicationGroupId: pulumi.Output<string>;
      /** Node groups (shards); 1 when cluster mode is off. Every snapshot must hold one node snapshot per shard. */
      shards: number;
      /**
       * CreateReplicationGroup parameters (API names) of a scratch copy for the restore test: same node type, engine
       * version, subnet group, security groups and encryption as the original, without replicas.
       */
      restoreTemplate: pulumi.Input<Record<string, unknown>>;
      /** KMS key the data is encrypted with (the restore test needs to use it). */
      kmsKeyArn?: pulumi.Input<string>;
    }
  | {
      cloud: "alicloud";
      /** ApsaraDB for Redis (KVStore) instance id. */
      instanceId: pulumi.Output<string>;
      /** Data shards (cluster edition); 1 for the standard edition. One backup file per shard. */
      shards: number;
      /** Cluster edition (cloud-native): its backup sets are listed by DescribeClusterBackupList, not DescribeBackups. */
      clusterEdition: boolean;
      /**
       * Region of the instance (`alicloud:region`): the R-kvstore API and the VPC STS endpoint are regional. The
       * instance resource does not publish it, so the stack adds it from its config.
       */
      regionId?: string;
    };
