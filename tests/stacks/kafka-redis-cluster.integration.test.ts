import { recordedK8sObjects, validateK8sObjects } from "../helpers/k8s-schema";
import { Recorder, unwrapSecrets } from "../helpers/mocks";
import { buildStack, readStackFile, type BuiltStack } from "../helpers/stack";
import { promtoolCheckRules } from "../helpers/tools";
import { CLOUD_SECRETS } from "./fixtures";

/**
 * The prod stack with a Kafka cluster and a Redis cluster, on AWS and Alibaba Cloud: every Kubernetes object (the
 * kafka_exporter Deployment, Service, NetworkPolicy, ServiceMonitor, the credentials Secret, the per-shard Redis
 * ServiceMonitor) validates against its schema and every rule group passes `promtool check rules`.
 */
const kafka = [{ name: "events", version: "3.9.x", size: "medium", topics: [{ name: "orders", partitions: 12 }] }];
const aliKafka = [{ name: "events", version: "2.6.2", topics: [{ name: "orders", partitions: 12 }] }];
const databases = () => (readStackFile("prod")["platform:databases"] as any[]).map((d) => (d.engine === "redis" ? { ...d, cluster: { shards: 2 } } : d));
const backups = () => (readStackFile("prod")["platform:backups"] as any[]).filter((b) => b.database !== "cache");

const variants: Array<[string, Record<string, unknown>]> = [
  // On AWS the cache-backup set stays: its CronJobs dump every shard (REDIS_CLUSTER=1) and validate like any other.
  ["prod-aws", { kafka, databases: databases() }],
  ["prod-alicloud", { cloud: "alicloud", kafka: aliKafka, databases: databases(), backups: backups() }],
];
const built: Record<string, BuiltStack> = {};
beforeAll(async () => {
  for (const [key, overrides] of variants) built[key] = await buildStack("prod", overrides, { secrets: CLOUD_SECRETS });
}, 180_000);

describe.each(variants.map(([key]) => key))("%s with Kafka and a Redis cluster", (key) => {
  it("every Kubernetes object validates against its schema", () => {
    const rec = built[key].recorder;
    const subset = new Recorder();
    subset.resources.push(...rec.resources.filter((r) => r.type !== "kubernetes:helm.sh/v3:Release" && r.type !== "kubernetes:cert-manager.io/v1:ClusterIssuer"));
    const objects = recordedK8sObjects(subset);
    expect(objects.map((o) => o.metadata?.name)).toEqual(expect.arrayContaining(["events-kafka-exporter", "events-kafka-credentials", "cache-redis-exporter"]));
    if (key === "prod-aws") expect(objects.map((o) => o.metadata?.name)).toEqual(expect.arrayContaining(["cache-backup-backup", "cache-backup-verify"]));
    expect(() => validateK8sObjects(objects)).not.toThrow();
  });

  it("every provisioned rule group passes promtool check rules, the Kafka rules among them", () => {
    const groups = built[key].recorder.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => unwrapSecrets(r.inputs).spec.groups);
    expect(groups.map((g: any) => g.name)).toContain("events-kafka");
    expect(promtoolCheckRules({ groups })).toMatch(/SUCCESS: \d+ rules found/);
  });
});
