/**
 * The Docker target's Kafka, run for real on 127.0.0.1: the component is built under Pulumi mocks, and what it
 * gives its containers (the broker's `KAFKA_*` env with the generated JAAS line, the topic-plan container's script
 * and env, the exporter's start line and env) is run against a real KRaft broker from the Maven jars
 * (scripts/build-kafka.sh) and a real kafka_exporter at the pinned release (scripts/build-kafka-exporter.sh):
 *  - the broker starts from the image's own configuration, SASL/PLAIN accepts the generated password and refuses a
 *    wrong one, the container healthcheck's command succeeds;
 *  - the topic plan creates the declared topics with their settings, is idempotent, only adds partitions and never
 *    puts the password on a command line;
 *  - the exporter, started with the component's flags, is scraped while a consumer group lags and after it caught up,
 *    and those series drive `promtool test rules` on the component's generated rules.
 * Servers listen on 127.0.0.1 only and are stopped by pid at the end.
 */
import * as fs from "fs";
import * as path from "path";
import { KafkaCluster, KAFKA_USERNAME } from "../../../components/kafka-cluster";
import { alertFamily, alertRules, SEVERITY_PRIORITY, toPrometheusRuleFile, type AlertRule } from "../../../components/lib/alerts";
import { installMocks, MOCK_SECRET_PREFIX, outputOf, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { missingInScrape, phasesAsSeries, scrapeUntil, sumOf, type Scrape } from "../../helpers/exposition";
import { dockerEnvToServerProperties, envToProperty, interBrokerPort, onLoopback, requireKafkaExporter, startKafka, startKafkaExporter, writePlainClientConfig, type RealExporter, type RealKafka } from "../../helpers/kafka";
import { okAsync, runAsync } from "../../helpers/servers";
import { promtoolTestRules, renderAlertTemplate, requireTool, tempDir, type PromtoolTestGroup } from "../../helpers/tools";
import { kafkaArgs, platformContext, providerOutputs } from "./fixtures";

const CONTAINER = "docker:index/container:Container";
const PASSWORD = `${MOCK_SECRET_PREFIX}events-password`;
const BASE_URL = "https://runbooks.example.org/";

let rec: Recorder;
let cluster: KafkaCluster;
let brokerEnvs: string[];
let broker: RealKafka | undefined;
let work: { dir: string; cleanup: () => void };
let clientPort = 0;
let goodConfig = "";

/** The loopback address of a `host:port` of the container configuration. */
const loopback = (address: string) => {
  const port = Number(address.split(":").pop());
  const mapped = broker!.ports[port];
  if (mapped === undefined) throw new Error(`no loopback port for ${address}`);
  return `127.0.0.1:${mapped}`;
};
const tool = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) => runAsync(broker!.tool(name), args, { KAFKA_HEAP_OPTS: "-Xmx128m", ...env });
const okTool = (name: string, args: string[]) => okAsync(broker!.tool(name), args, { KAFKA_HEAP_OPTS: "-Xmx128m" });

beforeAll(async () => {
  rec = installMocks({ outputs: providerOutputs });
  cluster = new KafkaCluster("events", kafkaArgs("docker"), platformContext("dev", "none"));
  await settle();
  brokerEnvs = unwrapSecrets(rec.one(CONTAINER, "events-container").inputs.envs);
  // The broker answers unauthenticated ApiVersions on its inter-broker listener (the one the healthcheck uses).
  broker = await startKafka(brokerEnvs, interBrokerPort(brokerEnvs));
  clientPort = Number(loopback(await outputOf(cluster.connection.bootstrapServers)).split(":")[1]);
  work = tempDir("kafka-itest");
  goodConfig = writePlainClientConfig(work.dir, "good.properties", KAFKA_USERNAME, PASSWORD);
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  work?.cleanup();
});

describe("the broker from the Docker target's configuration", () => {
  test("the image's KAFKA_* rule gives a KRaft broker+controller with SASL/PLAIN on the client listener only", () => {
    expect(envToProperty("KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG")).toBe("listener.name.client.plain.sasl.jaas.config");
    expect(envToProperty("KAFKA_ABC__DEF___GHI")).toBe("abc_def-ghi");
    expect(envToProperty("KAFKA_HEAP_OPTS")).toBeUndefined();
    const { properties, other } = dockerEnvToServerProperties(brokerEnvs);
    expect(properties).toMatchObject({
      "process.roles": "broker,controller",
      "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
      "sasl.enabled.mechanisms": "PLAIN",
      "auto.create.topics.enable": "false",
      "listener.name.client.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required user_app="${PASSWORD}";`,
    });
    expect(Object.keys(properties).filter((k) => /zookeeper/.test(k))).toEqual([]);
    expect(Object.keys(other).sort()).toEqual(["CLUSTER_ID", "KAFKA_HEAP_OPTS", "LOG_DIR"]);
    // Every address moved to 127.0.0.1; an unmapped port is refused rather than left on a fixed port.
    expect(broker!.properties.listeners).toMatch(/^CLIENT:\/\/127\.0\.0\.1:\d+,INTERNAL:\/\/127\.0\.0\.1:\d+,CONTROLLER:\/\/127\.0\.0\.1:\d+$/);
    expect(broker!.properties["controller.quorum.voters"]).toMatch(/^1@127\.0\.0\.1:\d+$/);
    expect(() => onLoopback(properties, {}, "/tmp/x")).toThrow(/listeners: no loopback port for 9092/);
  });

  test("the container healthcheck's command succeeds against the running broker", async () => {
    const healthcheck: string[] = rec.one(CONTAINER, "events-container").inputs.healthcheck.tests;
    expect(healthcheck[0]).toBe("CMD-SHELL");
    const command = healthcheck[1].replace("/opt/kafka/bin/", `${broker!.home}/bin/`).replace(/127\.0\.0\.1:\d+/, (a) => loopback(a));
    expect(command).not.toContain("/opt/kafka");
    expect(await okAsync("sh", ["-c", command], {})).toBe("");
  });

  test("SASL/PLAIN on the client listener: the generated password works, a wrong one and none are refused", async () => {
    const good = await tool("kafka-topics.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", goodConfig, "--list"]);
    expect(good).toMatchObject({ code: 0 });
    const wrong = writePlainClientConfig(work.dir, "wrong.properties", KAFKA_USERNAME, "not-the-password");
    const refused = await tool("kafka-topics.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", wrong, "--list"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/Authentication failed.*Invalid username or password/);
    // A client without SASL gets nothing from the client listener (the broker drops the connection).
    const plain = path.join(work.dir, "plain.properties");
    fs.writeFileSync(plain, "security.protocol=PLAINTEXT\ndefault.api.timeout.ms=8000\nrequest.timeout.ms=4000\n");
    const anonymous = await tool("kafka-topics.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", plain, "--list"]);
    expect(anonymous.code).not.toBe(0);
    expect(fs.readFileSync(broker!.serverLog, "utf8")).not.toContain(PASSWORD);
  });
});

describe("the topic plan script against the broker", () => {
  let shims = "";
  let calls = "";
  const topicsContainer = () => rec.one(CONTAINER, "events-topics").inputs;

  /** The plan as the topics container runs it: its script, its env with the bootstrap address moved to loopback. */
  const runPlan = async (script: string) => {
    const env: Record<string, string> = {};
    for (const e of unwrapSecrets(topicsContainer().envs) as string[]) env[e.slice(0, e.indexOf("="))] = e.slice(e.indexOf("=") + 1);
    expect(env.KAFKA_PASSWORD).toBe(PASSWORD);
    return runAsync("sh", ["-c", script], { ...env, KAFKA_BOOTSTRAP: loopback(env.KAFKA_BOOTSTRAP), KAFKA_BIN: shims, TMPDIR: work.dir });
  };
  const describeTopic = async (topic: string) => {
    const out = await okTool("kafka-topics.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", goodConfig, "--describe", "--topic", topic]);
    const head = out.split("\n").find((l) => l.startsWith("Topic:") && l.includes("PartitionCount"))!;
    return { partitions: Number(/PartitionCount: (\d+)/.exec(head)![1]), replication: Number(/ReplicationFactor: (\d+)/.exec(head)![1]) };
  };
  const topicConfig = async (topic: string) => {
    const out = await okTool("kafka-configs.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", goodConfig, "--describe", "--entity-type", "topics", "--entity-name", topic]);
    return Object.fromEntries([...out.matchAll(/^\s*([a-z.]+)=(\S+) sensitive=false/gm)].map((m) => [m[1], m[2]]));
  };

  beforeAll(() => {
    // Recording shims in front of the launchers: every command line the plan runs is kept for the password check.
    shims = path.join(work.dir, "bin");
    calls = path.join(work.dir, "calls");
    fs.mkdirSync(shims);
    for (const t of ["kafka-topics.sh", "kafka-configs.sh", "kafka-broker-api-versions.sh"]) {
      fs.writeFileSync(path.join(shims, t), `#!/bin/sh\nprintf '%s\\n' "$0 $*" >> '${calls}'\nexec '${broker!.tool(t)}' "$@"\n`, { mode: 0o755 });
    }
  });

  test("creates the declared topics with partitions, retention and cleanup policy, then is idempotent", async () => {
    const script: string = topicsContainer().command[2];
    const first = await runPlan(script);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain("created topic orders (12 partitions, replication factor 1)");
    expect(first.stdout).toContain("created topic orders.audit (3 partitions, replication factor 1)");
    expect(await describeTopic("orders")).toEqual({ partitions: 12, replication: 1 });
    expect(await topicConfig("orders")).toMatchObject({ "retention.ms": "259200000", "cleanup.policy": "delete", "min.insync.replicas": "1" });
    expect(await topicConfig("orders.audit")).toMatchObject({ "retention.ms": "604800000", "cleanup.policy": "compact" });
    // The client config holding the password is private.
    expect(fs.statSync(path.join(work.dir, "client.properties")).mode & 0o077).toBe(0);

    const second = await runPlan(script);
    expect(second).toMatchObject({ code: 0, stderr: "" });
    expect(second.stdout).not.toContain("created");
    expect(second.stdout).not.toContain("partitions 12 ->");
    expect(await describeTopic("orders")).toEqual({ partitions: 12, replication: 1 });
    expect(fs.readFileSync(calls, "utf8")).not.toContain(PASSWORD);
  });

  test("only adds partitions: more are added and settings updated in place, fewer are reported and left", async () => {
    const { topicPlanScript } = await import("../../../components/kafka-cluster");
    const orders = cluster.settings.topics.find((t) => t.name === "orders")!;
    const grown = await runPlan(topicPlanScript([{ ...orders, partitions: 15, retentionHours: 24 }], "PLAIN"));
    expect(grown).toMatchObject({ code: 0, stderr: "" });
    expect(grown.stdout).toContain("topic orders: partitions 12 -> 15");
    expect(await describeTopic("orders")).toEqual({ partitions: 15, replication: 1 });
    expect(await topicConfig("orders")).toMatchObject({ "retention.ms": "86400000", "cleanup.policy": "delete" });

    const shrunk = await runPlan(topicPlanScript([{ ...orders, partitions: 3 }], "PLAIN"));
    expect(shrunk.code).toBe(0);
    expect(shrunk.stderr).toContain("topic orders has 15 partitions, more than the 3 declared; partitions never shrink (left as is)");
    expect(await describeTopic("orders")).toEqual({ partitions: 15, replication: 1 });
    expect(fs.readFileSync(calls, "utf8")).not.toContain(PASSWORD);
  });
});

describe("kafka_exporter series from the broker drive the generated rules", () => {
  let exporter: RealExporter | undefined;
  const groups = (args: string[]) => okTool("kafka-consumer-groups.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", goodConfig, ...args]);
  const lagOf = (s: Scrape) => sumOf(s, "kafka_consumergroup_lag", { consumergroup: "billing" });

  afterAll(() => exporter?.stop());

  test("started with the component's flags (SASL/PLAIN), it sees the broker, lags, then silence once caught up", async () => {
    requireTool("promtool", "prometheus");
    const inputs = rec.one(CONTAINER, "events-exporter").inputs;
    exporter = await startKafkaExporter({ entrypoints: inputs.entrypoints, command: inputs.command, envs: unwrapSecrets(inputs.envs) }, loopback, work.dir);
    // The start line is POSIX sh (the image's busybox shell runs it).
    fs.writeFileSync(path.join(work.dir, "exporter-start.sh"), exporter.startLine);
    expect(await okAsync(requireTool("shellcheck", "shellcheck"), ["-s", "sh", path.join(work.dir, "exporter-start.sh")], {})).toBe("");

    // 3000 messages on `orders` (declared by the plan above; created here too when this test runs alone), a group
    // `billing` that committed nothing past the start. The producer gives up instead of waiting on a missing topic.
    await okTool("kafka-topics.sh", ["--bootstrap-server", `127.0.0.1:${clientPort}`, "--command-config", goodConfig, "--create", "--if-not-exists", "--topic", "orders", "--partitions", "12"]);
    const messages = path.join(work.dir, "messages.txt");
    fs.writeFileSync(messages, Array.from({ length: 3000 }, (_, i) => `order-${i}`).join("\n") + "\n");
    const produced = await runAsync("sh", ["-c", `exec '${broker!.tool("kafka-console-producer.sh")}' --bootstrap-server 127.0.0.1:${clientPort} --producer.config '${goodConfig}' --producer-property max.block.ms=20000 --topic orders < '${messages}'`], { KAFKA_HEAP_OPTS: "-Xmx128m" });
    expect(produced).toMatchObject({ code: 0 });
    await groups(["--group", "billing", "--topic", "orders", "--reset-offsets", "--to-earliest", "--execute"]);
    const lagging = await scrapeUntil(exporter.url, (s) => lagOf(s) === 3000, "a lag of 3000 for billing", "kafka_");
    expect(fs.readFileSync(exporter.log, "utf8")).not.toMatch(/error/i);
    // The password reached the exporter without being on its command line (ps shows every process's argv).
    const argv = fs.readFileSync(`/proc/${exporter.pid}/cmdline`, "utf8").split("\0");
    expect(argv[0]).toBe(requireKafkaExporter());
    expect(argv.some((a) => a.startsWith("--sasl.username="))).toBe(true);
    expect(argv.join(" ")).not.toContain(PASSWORD);
    expect(fs.readFileSync(exporter.log, "utf8")).not.toContain(PASSWORD);

    // The names and labels the rules select and group by exist in the real output.
    const rules = alertRules(cluster.monitoring.ruleGroups);
    expect(rules.flatMap((r) => missingInScrape(r.expr, lagging).map((m) => `${r.alert}: ${m}`))).toEqual([]);
    expect(sumOf(lagging, "kafka_brokers")).toBe(1);

    // Caught up: the group's committed offsets move to the end.
    await groups(["--group", "billing", "--topic", "orders", "--reset-offsets", "--to-latest", "--execute"]);
    const caughtUp = await scrapeUntil(exporter.url, (s) => lagOf(s) === 0, "billing caught up", "kafka_");

    // promtool: the scraped series as Prometheus stores them (job and instance from the component's scrape target),
    // lagging for 15 minutes, then caught up for 15.
    const target = cluster.monitoring.scrapeTargets[0];
    const scrapeLabels = { job: target.job, instance: target.targets[0] as string };
    const input_series = [
      { series: `up{job="${scrapeLabels.job}",instance="${scrapeLabels.instance}"}`, values: "1x30" },
      ...phasesAsSeries([{ scrape: lagging, minutes: 15 }, { scrape: caughtUp, minutes: 15 }], "kafka_", scrapeLabels),
    ];
    const ruleFile = toPrometheusRuleFile(cluster.monitoring.ruleGroups, BASE_URL);
    const warning = rules.find((r) => r.alert === "KafkaConsumerGroupLag" && r.severity === "warning") as AlertRule;
    const labels = { ...scrapeLabels, consumergroup: "billing", topic: "orders" };
    const expectLag = {
      exp_labels: { ...labels, ...warning.labels, severity: "warning", priority: SEVERITY_PRIORITY.warning, alert_family: alertFamily(warning) },
      exp_annotations: { summary: renderAlertTemplate(warning.summary, labels, 3000), description: renderAlertTemplate(warning.description, labels, 3000), runbook_url: `${BASE_URL}KafkaConsumerGroupLag.md` },
    };
    const silentAt = (eval_time: string) => [...new Set(rules.map((r) => r.alert))].filter((a) => a !== "KafkaConsumerGroupLag").map((alertname) => ({ eval_time, alertname, exp_alerts: [] }));
    const tests: PromtoolTestGroup[] = [
      {
        name: "real kafka_exporter series: billing lags 3000 messages, then catches up",
        interval: "1m",
        input_series,
        alert_rule_test: [
          // 3000 > warning 1000 for 10 minutes: the warning fires; 3000 < critical 10000: only the warning.
          { eval_time: "12m", alertname: "KafkaConsumerGroupLag", exp_alerts: [expectLag] },
          // Caught up: silent.
          { eval_time: "25m", alertname: "KafkaConsumerGroupLag", exp_alerts: [] },
          // The healthy single broker raises nothing else, lagging or not.
          ...silentAt("12m"),
          ...silentAt("25m"),
        ],
      },
    ];
    expect(promtoolTestRules(ruleFile, tests)).toMatch(/SUCCESS/);
    // KafkaExporterDown's premise: an exporter that cannot authenticate exits (its target goes down) instead of
    // serving an empty page, and says why without echoing the password it was given.
    const refusedEnvs = (unwrapSecrets(inputs.envs) as string[]).map((e) => (e.startsWith("KAFKA_PASSWORD=") ? "KAFKA_PASSWORD=not-the-password" : e));
    const refused = await startKafkaExporter({ entrypoints: inputs.entrypoints, command: inputs.command, envs: refusedEnvs }, loopback, work.dir);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([refused.exited, new Promise((res) => (timer = setTimeout(() => res("still running"), 60_000)))]);
    clearTimeout(timer);
    refused.stop();
    expect(code).not.toBe(0);
    expect(code).not.toBe("still running");
    expect(fs.readFileSync(refused.log, "utf8")).toMatch(/Invalid username or password|SASL Authentication failed/i);
    expect(fs.readFileSync(refused.log, "utf8")).not.toContain("not-the-password");
    // And the harness can fail: expecting silence while the group lags is reported.
    expect(() => promtoolTestRules(ruleFile, [{ ...tests[0], alert_rule_test: [{ eval_time: "12m", alertname: "KafkaConsumerGroupLag", exp_alerts: [] }] }])).toThrow(/FAILED/);
  });
});
