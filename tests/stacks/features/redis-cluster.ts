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

      // ElastiCache refuses SYNC: the prod stack's cache-backup set takes native snapshots of all 3 node groups and
      // restore-tests them into a 3-shard scratch group of the same node type.
      const backup = unwrapSecrets(recorder.one("kubernetes:batch/v1:CronJob", "cache-backup-backup").inputs);
      const [snapshot] = backup.spec.jobTemplate.spec.template.spec.containers;
      expect(snapshot.command).toEqual(["bash", "/opt/backup/redis-snapshot-aws.sh", "snapshot"]);
      expect(snapshot.env).toContainEqual({ name: "EXPECTED_SHARDS", value: "3" });
      expect(snapshot.env.find((e: any) => e.name === "REDISCLI_AUTH")).toBeUndefined();
      const verify = unwrapSecrets(recorder.one("kubernetes:batch/v1:CronJob", "cache-backup-verify").inputs).spec.jobTemplate.spec.template.spec;
      const template = JSON.parse(verify.containers[0].env.find((e: any) => e.name === "RESTORE_TEMPLATE").value);
      expect(template).toMatchObject({ NumNodeGroups: 3, ReplicasPerNodeGroup: 0, CacheNodeType: group.nodeType, CacheParameterGroupName: "default.redis7.cluster.on" });
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
  });
}
