/**
 * The partition and broker alerts on what kafka_exporter really reports when a broker goes away. Three KRaft nodes
 * (broker and controller each) run on 127.0.0.1 from the Docker target's own configuration (scripts/build-kafka.sh
 * jars), differing only in `node.id` and a three-voter quorum; kafka_exporter (pinned release) runs with the
 * component's start line. A topic replicated on all three nodes and one that lives on node 3 only are created; then
 * node 3 stops, then the other two. The series scraped in each state drive `promtool test rules` on the generated rules
 * for a cluster of 3 brokers: KafkaBrokerDown, KafkaUnderReplicatedPartitions and KafkaOfflinePartitions stay silent
 * while all nodes run and fire once node 3 is gone; KafkaBrokerDown still fires with no broker left. Every process is
 * stopped by pid at the end.
 */
import * as fs from "fs";
import { KAFKA_CLIENT_PORT, KafkaCluster, KAFKA_USERNAME, kafkaAlertRules, kafkaExporterJob } from "../../../components/kafka-cluster";
import { alertFamily, alertRules, SEVERITY_PRIORITY, toPrometheusRuleFile, type AlertRule } from "../../../components/lib/alerts";
import { installMocks, MOCK_SECRET_PREFIX, settle, unwrapSecrets } from "../../helpers/mocks";
import { missingInScrape, phasesAsSeries, scrapeUntil, sumOf, type Scrape } from "../../helpers/exposition";
import { dockerEnvToServerProperties, interBrokerPort, loopbackPorts, startKafka, startKafkaExporter, writePlainClientConfig, type RealExporter, type RealKafka } from "../../helpers/kafka";
import { okAsync } from "../../helpers/servers";
import { promtoolTestRules, renderAlertTemplate, requireTool, tempDir } from "../../helpers/tools";
import { kafkaArgs, platformContext, providerOutputs } from "./fixtures";

const CONTAINER = "docker:index/container:Container";
const PASSWORD = `${MOCK_SECRET_PREFIX}events-password`;
const BASE_URL = "https://runbooks.example.org/";
const NODES = 3;

const nodes: RealKafka[] = [];
let exporter: RealExporter | undefined;
let work: { dir: string; cleanup: () => void };

afterAll(async () => {
  exporter?.stop();
  await Promise.all(nodes.map((n) => n.stop()));
  work?.cleanup();
});

test("a stopped broker: real exporter series fire KafkaBrokerDown, KafkaUnderReplicatedPartitions and KafkaOfflinePartitions", async () => {
  requireTool("promtool", "prometheus");
  const rec = installMocks({ outputs: providerOutputs });
  new KafkaCluster("events", kafkaArgs("docker", { topics: [] }), platformContext("dev", "none"));
  await settle();
  const envs: string[] = unwrapSecrets(rec.one(CONTAINER, "events-container").inputs.envs);
  const exporterInputs = rec.one(CONTAINER, "events-exporter").inputs;
  work = tempDir("kafka-failure");

  // Three nodes of the container's configuration: own loopback ports, node ids 1..3, all three as voters.
  const voter = /^(\d+)@[^:]+:(\d+)$/.exec(dockerEnvToServerProperties(envs).properties["controller.quorum.voters"]);
  if (!voter) throw new Error("the configuration has not exactly one quorum voter");
  const controllerPort = Number(voter[2]);
  const ports = await Promise.all(Array.from({ length: NODES }, () => loopbackPorts(envs)));
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p[controllerPort]}`).join(",");
  const probe = interBrokerPort(envs);
  for (let i = 0; i < NODES; i++) {
    nodes.push(await startKafka(envs, probe, { ports: ports[i], overrides: { "node.id": String(i + 1), "controller.quorum.voters": voters }, wait: false }));
  }
  await Promise.all(nodes.map((n) => n.ready()));
  const clientPort = ports[0][KAFKA_CLIENT_PORT.docker];
  const bootstrap = ports.map((p) => `127.0.0.1:${p[KAFKA_CLIENT_PORT.docker]}`).join(",");
  const config = writePlainClientConfig(work.dir, "client.properties", KAFKA_USERNAME, PASSWORD);
  const topics = (args: string[]) => okAsync(nodes[0].tool("kafka-topics.sh"), ["--bootstrap-server", bootstrap, "--command-config", config, ...args], { KAFKA_HEAP_OPTS: "-Xmx128m" });
  // `payments`: 3 partitions on all three nodes. `ledger`: 2 partitions on node 3 alone.
  await topics(["--create", "--topic", "payments", "--partitions", "3", "--replication-factor", "3"]);
  await topics(["--create", "--topic", "ledger", "--replica-assignment", "3,3"]);

  exporter = await startKafkaExporter(
    { entrypoints: exporterInputs.entrypoints, command: exporterInputs.command, envs: unwrapSecrets(exporterInputs.envs) },
    () => `127.0.0.1:${clientPort}`,
    work.dir,
  );
  const healthy = await scrapeUntil(
    exporter.url,
    (s) => sumOf(s, "kafka_brokers") === NODES && sumOf(s, "kafka_topic_partitions", { topic: "ledger" }) === 2 && sumOf(s, "kafka_topic_partition_in_sync_replica", { topic: "payments" }) === 9,
    "three brokers and both topics in sync",
    "kafka_",
  );

  // Node 3 stops (a clean shutdown: it leaves the ISR of `payments` at once; `ledger` loses its only replica).
  await nodes[2].stop();
  const failed = await scrapeUntil(
    exporter.url,
    (s) => sumOf(s, "kafka_brokers") === NODES - 1 && sumOf(s, "kafka_topic_partition_under_replicated_partition", { topic: "payments" }) === 3,
    "two brokers and payments under-replicated",
    "kafka_",
  );
  const series = (s: Scrape, name: string) =>
    [...s.values()]
      .filter((x) => x.name === name)
      .map((x) => `${x.labels.topic}/${x.labels.partition}=${x.value}`)
      .sort();
  // What the exporter reports for the partitions without a leader (the offline rule relies on it).
  expect({ leader: series(failed, "kafka_topic_partition_leader").filter((x) => x.startsWith("ledger")), replicas: series(failed, "kafka_topic_partition_replicas").filter((x) => x.startsWith("ledger")) }).toEqual({
    leader: [],
    replicas: ["ledger/0=1", "ledger/1=1"],
  });
  expect(fs.readFileSync(exporter.log, "utf8")).not.toContain(PASSWORD);

  // Then the whole cluster stops. The exporter keeps serving (up stays 1) from cached metadata until its next
  // metadata refresh (30 s by default) finds no broker: kafka_brokers 0, which KafkaBrokerDown has to catch.
  await Promise.all([nodes[0].stop(), nodes[1].stop()]);
  const down = await scrapeUntil(exporter.url, (s) => sumOf(s, "kafka_brokers") === 0, "no brokers after the whole cluster stopped", "kafka_", 120);

  // The rules of a three-broker cluster, on these series.
  const job = kafkaExporterJob("events");
  const groups = kafkaAlertRules({ kafka: "events", job, thresholds: { consumerLagMessages: { warning: 1000, critical: 10000 } }, expectedBrokers: NODES });
  const rules = alertRules(groups);
  expect(rules.flatMap((r) => missingInScrape(r.expr, healthy).map((m) => `${r.alert}: ${m}`)).filter((m) => !m.includes("kafka_consumergroup_lag"))).toEqual([]);
  const scrapeLabels = { job, instance: `${job}:9308` };
  const input_series = [
    { series: `up{job="${job}",instance="${scrapeLabels.instance}"}`, values: "1x40" },
    ...phasesAsSeries([{ scrape: healthy, minutes: 10 }, { scrape: failed, minutes: 20 }, { scrape: down, minutes: 10 }], "kafka_", scrapeLabels),
  ];
  const expected = (alert: string, labels: Record<string, string>, value: number) => {
    const r = rules.find((x) => x.alert === alert) as AlertRule;
    return {
      exp_labels: { ...labels, ...r.labels, severity: r.severity, priority: SEVERITY_PRIORITY[r.severity], alert_family: alertFamily(r) },
      exp_annotations: { summary: renderAlertTemplate(r.summary, labels, value), description: renderAlertTemplate(r.description, labels, value), runbook_url: `${BASE_URL}${alert}.md` },
    };
  };
  const ALERTS = ["KafkaBrokerDown", "KafkaUnderReplicatedPartitions", "KafkaOfflinePartitions"];
  const report = promtoolTestRules(toPrometheusRuleFile(groups, BASE_URL), [
    {
      name: "real kafka_exporter series: three healthy brokers, then node 3 stopped",
      interval: "1m",
      input_series,
      alert_rule_test: [
        ...ALERTS.map((alertname) => ({ eval_time: "9m", alertname, exp_alerts: [] })),
        { eval_time: "25m", alertname: "KafkaBrokerDown", exp_alerts: [expected("KafkaBrokerDown", scrapeLabels, 2)] },
        { eval_time: "25m", alertname: "KafkaUnderReplicatedPartitions", exp_alerts: [expected("KafkaUnderReplicatedPartitions", { ...scrapeLabels, topic: "payments" }, 3)] },
        { eval_time: "25m", alertname: "KafkaOfflinePartitions", exp_alerts: [expected("KafkaOfflinePartitions", { ...scrapeLabels, topic: "ledger" }, 2)] },
        // The whole cluster down: still firing, now with no broker at all.
        { eval_time: "38m", alertname: "KafkaBrokerDown", exp_alerts: [expected("KafkaBrokerDown", scrapeLabels, 0)] },
      ],
    },
  ]);
  expect(report).toMatch(/SUCCESS/);
}, 420_000);
