import type * as pulumi from "@pulumi/pulumi";
import type { ThresholdPair } from "../lib/alerts";
import type { DataPlacement } from "../lib/contracts";
import type { Transforms } from "../lib/transform";

/** Where the Kafka cluster runs: Amazon MSK, ApsaraMQ for Kafka, or one KRaft container on the local Docker engine. */
export type KafkaTarget = "aws" | "alicloud" | "docker";
export const KAFKA_TARGETS: readonly KafkaTarget[] = ["aws", "alicloud", "docker"];

export type KafkaSize = "small" | "medium" | "large";
export const KAFKA_SIZES: readonly KafkaSize[] = ["small", "medium", "large"];

export type CleanupPolicy = "delete" | "compact";
export const CLEANUP_POLICIES: readonly CleanupPolicy[] = ["delete", "compact"];

/** Child roles a `transforms` entry may adjust. */
export type KafkaChildRole =
  | "password"
  | "securityGroup"
  | "configuration"
  | "kmsKey"
  | "scramSecret"
  | "scramSecretVersion"
  | "scramAssociation"
  | "logGroup"
  | "cluster"
  | "instance"
  | "saslUser"
  | "saslAcl"
  | "topic"
  | "image"
  | "volume"
  | "container"
  | "topicsContainer"
  | "credentialsSecret"
  | "exporterImage"
  | "exporterContainer"
  | "exporterDeployment"
  | "exporterService"
  | "serviceMonitor"
  | "exporterNetworkPolicy";

/** One topic, created and kept in shape by the component (partitions only grow; retention is updated in place). */
export interface KafkaTopicArgs {
  /** Topic name: letters, digits, `.`, `_`, `-`; at most 249 characters; not starting with `__` (internal topics). */
  name: string;
  /**
   * Partitions (the unit of consumer parallelism).
   * @default 3
   * Caution: partitions can only be added; adding them moves keys to other partitions.
   */
  partitions?: number;
  /**
   * Copies of each partition, at most the broker count (aws, docker). ApsaraMQ cloud-storage topics keep three
   * copies in the storage layer; not settable there.
   * @default min(3, brokers)
   */
  replicationFactor?: number;
  /**
   * Acknowledged replicas a write with `acks=all` needs; at most replicationFactor (aws, docker).
   * @default replicationFactor - 1 (at least 1, at most 2)
   */
  minInSyncReplicas?: number;
  /** How long messages are kept, in hours (`retention.ms`). @default 168 (7 days) */
  retentionHours?: number;
  /** `delete` (time-based retention) or `compact` (keep the latest value per key). @default "delete" */
  cleanupPolicy?: CleanupPolicy;
}

/** Alert thresholds of a Kafka cluster. */
export interface KafkaThresholds {
  /** Messages a consumer group may be behind on one topic (sum over its partitions). */
  consumerLagMessages: ThresholdPair;
}

export interface KafkaClusterArgs {
  /**
   * Where the cluster runs. `aws` and `alicloud` need `placement`; `docker` needs the platform's Docker networks.
   * Caution: changing it creates a new, empty cluster.
   */
  target: KafkaTarget;
  /**
   * Kafka version, checked against the target's catalog (catalog.ts): MSK `3.6.0`, `3.7.x`, ... `4.1.x.kraft`;
   * ApsaraMQ `2.2.0` or `2.6.2`; Docker the full apache/kafka image version (`3.9.1`, `4.1.0`; KRaft only, 3.7+).
   * @example "3.9.x"
   */
  version: string;
  /**
   * Size class mapped per target to a broker instance type (MSK), a traffic specification (ApsaraMQ) or a
   * memory limit (Docker).
   * @default "small"
   */
  size?: KafkaSize;
  /**
   * Exact broker type (MSK `kafka.m7g.large`) or traffic specification (ApsaraMQ `alikafka.hw.6xlarge`).
   * @default the size class mapping
   */
  instanceClass?: string;
  /**
   * aws: zones the brokers are spread over (MSK takes 2 or 3 client subnets), at most the placement's subnets.
   * @default min(3, placement subnets)
   */
  zones?: number;
  /**
   * aws: brokers per zone (MSK's broker count is a multiple of the zones).
   * @default 1 (prod: enough for 3 brokers)
   */
  brokersPerZone?: number;
  /**
   * Storage per broker in GB (MSK EBS, 1–16384) or of the instance (ApsaraMQ, 500–96000). Not on Docker.
   * @default aws 100, alicloud 500
   * Caution: storage only grows.
   */
  storageGb?: number;
  /** Topics the component creates and keeps in shape. @default [] */
  topics?: KafkaTopicArgs[];
  /**
   * aws: also accept IAM access control (SASL/IAM, port 9098) besides SASL/SCRAM, for clients with an IAM role.
   * @default false
   */
  iamAuthentication?: boolean;
  /** Where a managed cluster is placed and who may reach it (from the foundation network). */
  placement?: DataPlacement;
  /**
   * KMS key for encryption at rest (MSK, ApsaraMQ) and of the SCRAM secret in Secrets Manager (MSK needs a
   * customer-managed key there). Without it on aws the component creates one, rotation on.
   * @default aws: a key of the component; alicloud: the service key
   */
  encryptionKeyId?: pulumi.Input<string>;
  /** Alert threshold overrides. @example { consumerLagMessages: { warning: 5000, critical: 50000 } } */
  thresholds?: { consumerLagMessages?: Partial<ThresholdPair> };
  /** Deletion protection (ApsaraMQ has none; MSK has none either: `protect` guards both). @default true in prod */
  protect?: boolean;
  /** Docker only: publish the client port on 127.0.0.1 at this host port. @default not published */
  publishPort?: number;
  /** Docker only: image override, pinned. @default apache/kafka:<version> */
  image?: string;
  /** Deploy kafka_exporter next to the workloads (Kubernetes Deployment or Docker container). @default true */
  exporter?: boolean;
  /** Per-child args adjustments for settings this component does not model. */
  transforms?: Transforms<KafkaChildRole>;
}
