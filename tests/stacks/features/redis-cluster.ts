import { unwrapSecrets } from "../../helpers/mocks";
import { stackError } from "../../helpers/stack";
import { DEV_SECRETS, STAGING_SECRETS } from "../fixtures";
import { withCluster, type FeatureStacks } from "./stacks";

/** `platform:databases[].cluster` end to end: a prod stack with a Redis cluster builds; bad settings fail with key paths. */
export function describeRedisCluster(stacks: FeatureStacks): void {
  describe("Redis cluster mode in the bundled stacks", () => {
    it("prod on AWS: a cluster-mode replication group whose nodes are scraped per shard, backed up shard by shard", () => {
      const { recorder } = stacks.prod;
      const group = recorder.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs;
      expect(group).toMatchObject({ clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 1 });
      const monitor = recorder.byType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").find((m) => m.name === "cache-exporter")!;
      expect(unwrapSecrets(monitor.inputs).spec.endpoints.map((e: any) => e.relabelings[1].replacement)).toEqual(["0001", "0001", "0002", "0002", "0003", "0003"]);
      const groups = recorder.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => unwrapSecrets(r.inputs).spec.groups);
      const memory = groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === "RedisMemoryNearMax");
      expect(memory.expr).toContain("by (job, instance, shard)");

      // The prod stack's cache-backup set dumps every shard through the configuration endpoint.
      const backup = unwrapSecrets(recorder.one("kubernetes:batch/v1:CronJob", "cache-backup-backup").inputs);
      const pod = backup.spec.jobTemplate.spec.template.spec;
      const [dump] = pod.initContainers;
      const [upload] = pod.containers;
      for (const c of [dump, upload]) expect(c.env).toContainEqual({ name: "REDIS_CLUSTER", value: "1" });
      expect(dump.env.find((e: any) => e.name === "REDIS_HOST")).toBeDefined();
      expect(dump.env).toContainEqual({ name: "REDIS_TLS", value: "1" });
      // Staging holds the tar of every shard plus the shard being read: (3 + 1) x a large node's 16Gi.
      expect(pod.volumes.find((v: any) => v.name === "staging").emptyDir.sizeLimit).toBe("64Gi");
      const verify = unwrapSecrets(recorder.one("kubernetes:batch/v1:CronJob", "cache-backup-verify").inputs).spec.jobTemplate.spec.template.spec;
      for (const c of [...verify.initContainers, ...verify.containers]) expect(c.env).toContainEqual({ name: "REDIS_CLUSTER", value: "1" });
      // Watched by the stale-backup alert like any backup set.
      const stale = groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert === "BackupStale" && String(r.expr).includes("cache-backup"));
      expect(stale).toHaveLength(1);
    });
  });

  describe("invalid Redis cluster settings fail before anything is registered", () => {
    it("on Docker, with the reason", async () => {
      const message = await stackError("dev", { databases: withCluster("dev", { shards: 3 }) }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:databases[1].cluster: is not available on the docker target (one local Redis container)");
    });

    it("counts out of range on ElastiCache, naming what is allowed", async () => {
      const message = await stackError("staging", { databases: withCluster("staging", { shards: 501, replicasPerShard: 6 }) }, { secrets: STAGING_SECRETS });
      expect(message).toContain("platform:databases[1].cluster.shards: must be a whole number from 1 to 500 on aws (got 501)");
      expect(message).toContain("platform:databases[1].cluster.replicasPerShard: must be a whole number from 0 to 5 on aws (got 6)");
    });

    it("a dump backup of an ApsaraDB cluster edition, whose proxy cannot serve a shard's RDB", async () => {
      const message = await stackError("staging", { cloud: "alicloud", databases: withCluster("staging", { shards: 2 }) }, { secrets: STAGING_SECRETS });
      expect(message).toContain("platform:backups[1].database: is an ApsaraDB Redis cluster edition: its proxy endpoint shows the shards as one Redis and cannot serve a shard's RDB");
      expect(message).toContain('(got "cache")');
    });
  });
}
