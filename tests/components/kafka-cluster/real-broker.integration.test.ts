/**
 * The Docker target's Kafka, run for real on 127.0.0.1: the component is built under Pulumi mocks, and what it
 * gives its containers (the broker's `KAFKA_*` env with the generated JAAS line, the topic-plan container's script
 * and env) is run against a real KRaft broker from the Maven jars (scripts/build-kafka.sh):
 *  - the broker starts from the image's own configuration, SASL/PLAIN accepts the generated password and refuses a
 *    wrong one, the container healthcheck's command succeeds;
 *  - the topic plan creates the declared topics with their settings, is idempotent, only adds partitions and never
 *    puts the password on a command line.
 * kafka_exporter itself is not run here: the Go module proxy refuses its module, and nothing may build it from a
 * fetched copy (see README, Kafka). The alert rules are tested on its documented series in alerts.integration.test.ts.
 * Servers listen on 127.0.0.1 only and are stopped by pid at the end.
 */
import * as fs from "fs";
import * as path from "path";
import { KafkaCluster, KAFKA_USERNAME } from "../../../components/kafka-cluster";
import { installMocks, MOCK_SECRET_PREFIX, outputOf, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { dockerEnvToServerProperties, envToProperty, interBrokerPort, onLoopback, startKafka, writePlainClientConfig, type RealKafka } from "../../helpers/kafka";
import { okAsync, runAsync } from "../../helpers/servers";
import { tempDir } from "../../helpers/tools";
import { kafkaArgs, platformContext, providerOutputs } from "./fixtures";

const CONTAINER = "docker:index/container:Container";
const PASSWORD = `${MOCK_SECRET_PREFIX}events-password`;

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
