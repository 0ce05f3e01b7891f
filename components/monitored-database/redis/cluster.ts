import type { Problems } from "../../lib/validation";
import type { DatabaseTarget, Engine, RedisClusterArgs, SizeClass } from "../args";

/** Redis cluster mode after validation. */
export interface ResolvedRedisCluster {
  shards: number;
  replicasPerShard: number;
}

/**
 * What each managed target offers for Redis cluster mode. ElastiCache (cluster mode enabled): 1–500 node groups
 * (shards), 0–5 replicas each, at most 500 nodes per replication group. ApsaraDB for Redis cluster edition
 * (cloud-native, cloud disks): 2–256 data shards, each a master-replica pair, classes `redis.shard.*`.
 */
export const REDIS_CLUSTER_LIMITS: Record<Exclude<DatabaseTarget, "docker">, { shards: [number, number]; replicas: [number, number]; maxNodes?: number }> = {
  aws: { shards: [1, 500], replicas: [0, 5], maxNodes: 500 },
  alicloud: { shards: [2, 256], replicas: [1, 1] },
};

/** ApsaraDB cluster-edition shard classes per size (memory per shard: 1, 2, 4 GiB). */
export const ALICLOUD_SHARD_CLASSES: Record<SizeClass, string> = {
  small: "redis.shard.small.2.ce",
  medium: "redis.shard.mid.2.ce",
  large: "redis.shard.large.2.ce",
};
const ALICLOUD_SHARD_CLASS = /^redis\.shard\.[a-z0-9]+(\.[a-z0-9]+){1,3}$/;

function isInt(v: unknown, [min, max]: [number, number]): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Validates `cluster` (Redis cluster mode) for the engine and target; records problems with their key paths.
 * Returns the resolved settings, or undefined when cluster mode is off or invalid.
 */
export function resolveRedisCluster(
  cluster: RedisClusterArgs | undefined,
  engine: Engine,
  target: DatabaseTarget,
  environment: "dev" | "staging" | "prod",
  instanceClass: string | undefined,
  explicitClass: boolean,
  problems: Problems,
): ResolvedRedisCluster | undefined {
  if (cluster === undefined) return undefined;
  if (engine !== "redis") {
    problems.add("cluster", cluster, `is only available for redis (cluster mode shards the keyspace); ${engine} scales with ${engine === "postgres" ? "readReplicas" : "members"}`);
    return undefined;
  }
  if (target === "docker") {
    problems.add(
      "cluster",
      cluster,
      "is not available on the docker target (one local Redis container); leave cluster out of the docker stack: cluster-aware clients also work against a single node",
    );
    return undefined;
  }
  if (cluster === null || typeof cluster !== "object") {
    problems.add("cluster", cluster, "must be an object { shards, replicasPerShard? }");
    return undefined;
  }
  const limits = REDIS_CLUSTER_LIMITS[target];
  let ok = true;
  if (!isInt(cluster.shards, limits.shards)) {
    problems.add(["cluster", "shards"], cluster.shards, `must be a whole number from ${limits.shards[0]} to ${limits.shards[1]} on ${target}`);
    ok = false;
  }
  const replicasPerShard = cluster.replicasPerShard ?? 1;
  if (!isInt(replicasPerShard, limits.replicas)) {
    problems.add(
      ["cluster", "replicasPerShard"],
      cluster.replicasPerShard,
      limits.replicas[0] === limits.replicas[1]
        ? `must be ${limits.replicas[0]} on ${target} (each ApsaraDB cluster shard is a master-replica pair)`
        : `must be a whole number from ${limits.replicas[0]} to ${limits.replicas[1]} on ${target}`,
    );
    ok = false;
  } else if (environment === "prod" && replicasPerShard < 1) {
    problems.add(["cluster", "replicasPerShard"], replicasPerShard, "must be at least 1 in prod (a shard without a replica loses its keys and slots when its node fails)");
    ok = false;
  }
  if (ok && limits.maxNodes !== undefined && cluster.shards * (1 + replicasPerShard) > limits.maxNodes) {
    problems.add(["cluster", "shards"], cluster.shards, `gives ${cluster.shards * (1 + replicasPerShard)} nodes with ${replicasPerShard} replicas per shard; ElastiCache allows ${limits.maxNodes} per replication group`);
    ok = false;
  }
  if (target === "alicloud" && explicitClass && instanceClass !== undefined && !ALICLOUD_SHARD_CLASS.test(instanceClass)) {
    problems.add("instanceClass", instanceClass, "must be an ApsaraDB cluster-edition shard class like redis.shard.small.2.ce when cluster is set");
    ok = false;
  }
  return ok ? { shards: cluster.shards, replicasPerShard } : undefined;
}

/**
 * ElastiCache node ids of a cluster-mode replication group: `<group>-<shard 0001..>-<node 001..>`, the first node of
 * each shard created as its primary. The hosts share the configuration endpoint's domain
 * (`clustercfg.<group>.<suffix>` -> `<node id>.<group>.<suffix>`).
 */
export function elasticacheClusterNodes(shards: number, replicasPerShard: number): Array<{ shard: string; node: string }> {
  const out: Array<{ shard: string; node: string }> = [];
  for (let s = 1; s <= shards; s++) {
    for (let n = 1; n <= 1 + replicasPerShard; n++) out.push({ shard: String(s).padStart(4, "0"), node: `${String(s).padStart(4, "0")}-${String(n).padStart(3, "0")}` });
  }
  return out;
}

/** Host of one node from the configuration endpoint and the replication group id. */
export function elasticacheNodeHost(configurationEndpoint: string, groupId: string, node: string): string {
  const prefix = `clustercfg.${groupId}.`;
  const suffix = configurationEndpoint.startsWith(prefix) ? configurationEndpoint.slice("clustercfg.".length) : `${groupId}.${configurationEndpoint}`;
  return `${groupId}-${node}.${suffix}`;
}
