import type * as pulumi from "@pulumi/pulumi";
import type { RedisSnapshotSource } from "../lib/contracts";
import type { PlatformContext } from "../lib/platform";
import type { ResolvedDatabase } from "./validate";

/** What a per-target builder receives. */
export interface TargetInput {
  /** The component, parent of every child. */
  parent: pulumi.ComponentResource;
  name: string;
  db: ResolvedDatabase;
  ctx: PlatformContext;
  /** Generated password (secret output). */
  password: pulumi.Output<string>;
}

/** What a per-target builder returns: how to reach the data store and what it registered. */
export interface TargetOutput {
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  /** Whether clients must (and can) use TLS. */
  tls: boolean;
  /** ARN or instance id for backup plans. */
  resourceId?: pulumi.Output<string>;
  /** Interval of native snapshots in minutes, when the target takes any. */
  snapshotIntervalMinutes?: number;
  /** Registered children by role. */
  children: Record<string, pulumi.Resource>;
  /** PostgreSQL read replicas, in order (replica 1 first). */
  replicas?: Array<{ host: pulumi.Output<string>; port: pulumi.Output<number> }>;
  /** Extra connection-URL options the target needs (MongoDB replica set name, retryable writes). */
  urlOptions?: pulumi.Input<string>;
  /** MongoDB: whether the exporter can read replSetGetStatus (adds the replica-set alerts). */
  mongodbReplicaSetObservable?: boolean;
  /** Redis cluster mode (ElastiCache): every node with its shard, scraped one by one so each shard is visible. */
  redisNodes?: Array<{ shard: string; node: string; host: pulumi.Output<string> }>;
  /** Exporter facts that differ per target (e.g. whether RDB persistence is observable). */
  redisPersistenceObservable?: boolean;
  /** Managed Redis: the handle backups take native snapshots through (NativeBackupInfo.redisSnapshot). */
  redisSnapshot?: RedisSnapshotSource;
}

/** Resource options for the data store itself: prod data is protected from `pulumi destroy`. */
export function dataStoreOptions(input: TargetInput, provider: { provider?: pulumi.ProviderResource }): pulumi.CustomResourceOptions {
  return { parent: input.parent, ...provider, protect: input.db.protect };
}
