import { MonitoredDatabase, validateMonitoredDatabaseArgs } from "../../../components/monitored-database";
import { alertRules } from "../../../components/lib/alerts";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, outputOf, settle, type Recorder } from "../../helpers/mocks";
import { platformContext, profileArgs, providerOutputs } from "./fixtures";

/**
 * Redis cluster mode: ElastiCache cluster mode enabled and the ApsaraDB cluster edition under mocks, every node of an
 * ElastiCache cluster scraped with shard labels, and the bad inputs refused before anything is registered.
 */
let rec: Recorder;
beforeAll(() => {
  rec = installMocks({
    outputs: (args) =>
      args.type === "aws:elasticache/replicationGroup:ReplicationGroup"
        ? { configurationEndpointAddress: "clustercfg.cache-rg.abc123.use1.cache.amazonaws.com", replicationGroupId: "cache-rg", port: 6379 }
        : providerOutputs(args),
  });
});
beforeEach(() => rec.clear());

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const KVSTORE = "alicloud:kvstore/instance:Instance";
const MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.join("\n");
    throw e;
  }
  throw new Error("expected a ValidationError");
}

describe("ElastiCache cluster mode enabled", () => {
  test("node groups with replicas, failover, the cluster parameter group, the configuration endpoint, every node scraped per shard", async () => {
    const db = new MonitoredDatabase("cache", { ...profileArgs("prod", "redis", "aws"), cluster: { shards: 3, replicasPerShard: 1 } }, platformContext("prod", "aws"));
    await settle();
    const group = rec.one(GROUP).inputs;
    expect(group).toMatchObject({
      clusterMode: "enabled",
      numNodeGroups: 3,
      replicasPerNodeGroup: 1,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      parameterGroupName: "default.redis7.cluster.on",
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
    });
    expect(group.numCacheClusters).toBeUndefined();
    expect(await outputOf(db.connection.host)).toBe("clustercfg.cache-rg.abc123.use1.cache.amazonaws.com");
    const endpoints = rec.one(MONITOR).inputs.spec.endpoints;
    expect(endpoints).toHaveLength(6);
    expect(endpoints[2]).toEqual({
      port: "metrics",
      path: "/scrape",
      interval: "30s",
      scrapeTimeout: "10s",
      params: { target: ["rediss://cache-rg-0002-001.cache-rg.abc123.use1.cache.amazonaws.com:6379"] },
      relabelings: [
        { targetLabel: "instance", replacement: "cache-rg-0002-001.cache-rg.abc123.use1.cache.amazonaws.com" },
        { targetLabel: "shard", replacement: "0002" },
        { targetLabel: "node", replacement: "0002-001" },
      ],
    });
    const rules = alertRules(db.monitoring.ruleGroups);
    expect(rules.find((r) => r.alert === "RedisMemoryNearMax")!.expr).toContain("max by (job, instance, shard)");
    expect(rules.find((r) => r.alert === "RedisReplicationBroken")!.expr).toContain("< 1");
    expect(JSON.stringify(db.monitoring.dashboards[0].model)).toContain("Memory used of maxmemory by shard");
  });

  test("custom parameters: a group of the right family that enables cluster mode itself", async () => {
    new MonitoredDatabase(
      "cache",
      { ...profileArgs("staging", "redis", "aws"), version: "6.2", cluster: { shards: 2, replicasPerShard: 0 }, parameters: { "maxmemory-policy": "allkeys-lru" } },
      platformContext("staging", "aws"),
    );
    await settle();
    const pg = rec.one("aws:elasticache/parameterGroup:ParameterGroup").inputs;
    expect(pg.family).toBe("redis6.x");
    expect(pg.parameters).toEqual([
      { name: "maxmemory-policy", value: "allkeys-lru" },
      { name: "cluster-enabled", value: "yes" },
    ]);
    expect(rec.one(GROUP).inputs).toMatchObject({ numNodeGroups: 2, replicasPerNodeGroup: 0, multiAzEnabled: false });
  });

  test("without cluster: unchanged single-primary group, one scrape endpoint, rules per instance", async () => {
    const db = new MonitoredDatabase("cache", profileArgs("prod", "redis", "aws"), platformContext("prod", "aws"));
    await settle();
    expect(rec.one(GROUP).inputs).toMatchObject({ numCacheClusters: 2, automaticFailoverEnabled: true });
    expect(rec.one(GROUP).inputs.clusterMode).toBeUndefined();
    expect(rec.one(MONITOR).inputs.spec.endpoints).toEqual([{ port: "metrics", interval: "30s", scrapeTimeout: "10s" }]);
    expect(alertRules(db.monitoring.ruleGroups).find((r) => r.alert === "RedisMemoryNearMax")!.expr).not.toContain("shard");
  });
});

describe("ApsaraDB for Redis cluster edition", () => {
  test("shard count and a shard class", async () => {
    new MonitoredDatabase("cache", { ...profileArgs("prod", "redis", "alicloud"), cluster: { shards: 4 } }, platformContext("prod", "alicloud"));
    await settle();
    expect(rec.one(KVSTORE).inputs).toMatchObject({ shardCount: 4, instanceClass: "redis.shard.large.2.ce" });
  });
});

describe("bad cluster settings are refused before registration", () => {
  test("docker, other engines, ranges, prod replicas, ApsaraDB replicas and classes", () => {
    expect(problemsOf(() => validateMonitoredDatabaseArgs("cache", { ...profileArgs("dev", "redis", "docker"), cluster: { shards: 3 } }, platformContext("dev", "none")))).toMatch(
      /cluster: is not available on the docker target \(one local Redis container\)/,
    );
    expect(problemsOf(() => validateMonitoredDatabaseArgs("main", { ...profileArgs("staging", "postgres", "aws"), cluster: { shards: 3 } }, platformContext("staging", "aws")))).toMatch(
      /cluster: is only available for redis/,
    );
    const aws = problemsOf(() =>
      validateMonitoredDatabaseArgs("cache", { ...profileArgs("prod", "redis", "aws"), cluster: { shards: 0, replicasPerShard: 0 } }, platformContext("prod", "aws")),
    );
    expect(aws).toMatch(/cluster\.shards: must be a whole number from 1 to 500 on aws \(got 0\)/);
    expect(aws).toMatch(/cluster\.replicasPerShard: must be at least 1 in prod/);
    expect(problemsOf(() => validateMonitoredDatabaseArgs("cache", { ...profileArgs("staging", "redis", "aws"), cluster: { shards: 200, replicasPerShard: 5 } }, platformContext("staging", "aws")))).toMatch(
      /cluster\.shards: gives 1200 nodes with 5 replicas per shard; ElastiCache allows 500/,
    );
    const ali = problemsOf(() =>
      validateMonitoredDatabaseArgs(
        "cache",
        { ...profileArgs("staging", "redis", "alicloud"), instanceClass: "redis.master.small.default", cluster: { shards: 1, replicasPerShard: 2 } },
        platformContext("staging", "alicloud"),
      ),
    );
    expect(ali).toMatch(/cluster\.shards: must be a whole number from 2 to 256 on alicloud \(got 1\)/);
    expect(ali).toMatch(/cluster\.replicasPerShard: must be 1 on alicloud/);
    expect(ali).toMatch(/instanceClass: must be an ApsaraDB cluster-edition shard class/);
    // The compliant prod cluster passes.
    const ok = validateMonitoredDatabaseArgs("cache", { ...profileArgs("prod", "redis", "aws"), cluster: { shards: 3, replicasPerShard: 2 } }, platformContext("prod", "aws"));
    expect(ok.redisCluster).toEqual({ shards: 3, replicasPerShard: 2 });
    expect(ok.highAvailability).toBe(true);
  });
});
