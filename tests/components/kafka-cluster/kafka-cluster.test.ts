import { KAFKA_CLUSTER_TYPE, KafkaCluster, validateKafkaClusterArgs, type KafkaClusterArgs } from "../../../components/kafka-cluster";
import { alertRules } from "../../../components/lib/alerts";
import type { Environment } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, MOCK_SECRET_PREFIX, outputOf, plaintextStrings, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { kafkaArgs, PLACEMENT_3, platformContext, providerOutputs } from "./fixtures";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks({ outputs: providerOutputs });
});
beforeEach(() => rec.clear());

const MSK = "aws:msk/cluster:Cluster";
const MSK_TOPIC = "aws:msk/topic:Topic";
const ALIKAFKA = "alicloud:alikafka/instance:Instance";
const ALI_TOPIC = "alicloud:alikafka/topic:Topic";
const CONTAINER = "docker:index/container:Container";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

function cloudOf(target: "aws" | "alicloud" | "docker"): "aws" | "alicloud" | "none" {
  return target === "docker" ? "none" : target;
}

function build(name: string, env: Environment, args: KafkaClusterArgs) {
  return new KafkaCluster(name, args, platformContext(env, cloudOf(args.target)));
}

function assertNoPlaintextSecrets(): void {
  const leaks = rec.resources.flatMap((r) =>
    plaintextStrings(r.inputs)
      .filter((s) => s.value.includes(MOCK_SECRET_PREFIX))
      .map((s) => `${r.type} ${r.name} ${s.path}`),
  );
  expect(leaks).toEqual([]);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return [...e.problems];
    throw e;
  }
  throw new Error("expected a ValidationError");
}

describe("target x profile", () => {
  const matrix: Array<[Environment, "aws" | "alicloud" | "docker"]> = [["dev", "docker"]];
  for (const target of ["aws", "alicloud"] as const) for (const env of ["dev", "staging", "prod"] as const) matrix.push([env, target]);
  test.each(matrix)("%s on %s: children under the component, no plaintext secret, monitoring bundle", async (env, target) => {
    const k = build("events", env, kafkaArgs(target, env === "prod" && target === "aws" ? { size: "medium" } : {}));
    await settle();
    rec.assertUniqueUrns();
    const component = rec.one(KAFKA_CLUSTER_TYPE, "events");
    for (const r of rec.resources.filter((r) => r !== component)) expect(r.parent).toBe(component.urn);
    assertNoPlaintextSecrets();
    expect(await outputOf(k.connection.password)).toBe(`${MOCK_SECRET_PREFIX}events-password`);
    expect(k.monitoring.ruleGroups).toHaveLength(1);
    expect(k.monitoring.dashboards).toHaveLength(1);
    expect(k.monitoring.dashboards[0].uid).toBe("kafka-events");
    if (target === "docker") {
      expect(k.monitoring.scrapeTargets).toEqual([{ job: "events-kafka-exporter", targets: ["events-kafka-exporter:9308"], labels: { kafka: "events" } }]);
      expect(k.connection.secretName).toBeUndefined();
    } else {
      expect(k.monitoring.scrapeTargets).toEqual([]);
      expect(rec.one(DEPLOYMENT).inputs.metadata.name).toBe("events-kafka-exporter");
      expect(await outputOf(k.connection.secretName!)).toBe("events-kafka-credentials");
    }
    // prod protects the data (cluster/instance/volume and topics) from `pulumi destroy`.
    const data = rec.resources.filter((r) => [MSK, MSK_TOPIC, ALIKAFKA, ALI_TOPIC, "docker:index/volume:Volume"].includes(r.type));
    expect(data.length).toBeGreaterThan(0);
    for (const r of data) expect({ name: r.name, protect: r.protect }).toEqual({ name: r.name, protect: env === "prod" });
  });
});

describe("Amazon MSK", () => {
  test("private, TLS everywhere, KMS at rest, SCRAM secret under a CMK, brokers per zone, topics", async () => {
    const k = build("events", "prod", kafkaArgs("aws", { size: "medium", brokersPerZone: 2 }));
    await settle();
    const cluster = rec.one(MSK).inputs;
    expect(cluster.numberOfBrokerNodes).toBe(6);
    expect(cluster.brokerNodeGroupInfo.clientSubnets).toEqual(PLACEMENT_3.subnetIds);
    expect(cluster.brokerNodeGroupInfo.instanceType).toBe("kafka.m7g.large");
    expect(cluster.brokerNodeGroupInfo.connectivityInfo.publicAccess.type).toBe("DISABLED");
    expect(cluster.encryptionInfo.encryptionInTransit).toEqual({ clientBroker: "TLS", inCluster: true });
    const key = rec.one("aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(cluster.encryptionInfo.encryptionAtRestKmsKeyArn).toBe(`arn:aws:mock:::events-key`);
    expect(cluster.clientAuthentication).toEqual({ sasl: { scram: true, iam: false }, unauthenticated: false });
    expect(cluster.enhancedMonitoring).toBe("PER_TOPIC_PER_BROKER");
    const config = rec.one("aws:msk/configuration:Configuration").inputs;
    expect(config.serverProperties).toContain("auto.create.topics.enable=false");
    expect(config.serverProperties).toContain("unclean.leader.election.enable=false");
    expect(config.kafkaVersions).toEqual(["3.9.x"]);
    const secret = rec.one("aws:secretsmanager/secret:Secret").inputs;
    expect(secret.namePrefix).toBe("AmazonMSK_events-");
    expect(secret.kmsKeyId).toBe("arn:aws:mock:::events-key");
    const version = unwrapSecrets(rec.one("aws:secretsmanager/secretVersion:SecretVersion").inputs);
    expect(JSON.parse(version.secretString)).toEqual({ username: "app", password: `${MOCK_SECRET_PREFIX}events-password` });
    expect(rec.one("aws:msk/scramSecretAssociation:ScramSecretAssociation").dependencies).toContain(rec.one("aws:secretsmanager/secretVersion:SecretVersion").urn);
    const sg = rec.one("aws:ec2/securityGroup:SecurityGroup").inputs;
    expect(sg.ingress.map((r: { fromPort: number; securityGroups: string[] }) => [r.fromPort, r.securityGroups])).toEqual([[9096, ["sg-app"]]]);
    expect(sg.egress).toEqual([]);
    const topics = rec.byType(MSK_TOPIC).map((r) => ({ name: r.inputs.name, p: r.inputs.partitionCount, rf: r.inputs.replicationFactor, configs: JSON.parse(r.inputs.configs) }));
    expect(topics).toEqual([
      { name: "orders", p: 12, rf: 3, configs: { "retention.ms": "259200000", "cleanup.policy": "delete", "min.insync.replicas": "2" } },
      { name: "orders.audit", p: 3, rf: 3, configs: { "retention.ms": "604800000", "cleanup.policy": "compact", "min.insync.replicas": "2" } },
    ]);
    // The exporter speaks SCRAM-SHA-512 over TLS to the first bootstrap broker; the password only through the Secret.
    const container = rec.one(DEPLOYMENT).inputs.spec.template.spec.containers[0];
    expect(container.image).toBe("danielqsj/kafka-exporter:v1.9.0");
    expect(container.command[2]).toContain("--sasl.mechanism=scram-sha512");
    expect(container.command[2]).toContain("--tls.enabled");
    expect(container.command[2]).not.toContain(MOCK_SECRET_PREFIX);
    // The password reaches kafka_exporter through kingpin's @file expansion of a here-document on stdin, so it is
    // never an argument of the process (ps would show it); only the here-document line carries the flag.
    const [argv, hereDoc] = container.command[2].split("<<EOF\n");
    expect(argv).not.toContain("sasl.password");
    expect(argv).toMatch(/ @\/dev\/stdin $/);
    expect(hereDoc).toBe("--sasl.password=${KAFKA_PASSWORD}\nEOF\n");
    expect(container.env.find((e: { name: string }) => e.name === "KAFKA_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "events-kafka-credentials", key: "password" });
    expect(await outputOf(k.connection.bootstrapServers)).toBe("b-1.events-cluster.kafka.local:9096,b-2.events-cluster.kafka.local:9096");
    const rules = alertRules(k.monitoring.ruleGroups);
    expect(rules.find((r) => r.alert === "KafkaBrokerDown")!.expr).toBe('max by (job, instance) (kafka_brokers{job="events-kafka-exporter"}) < 6');
  });

  test("a platform key is used instead of a component key; IAM adds port 9098", async () => {
    build("events", "staging", kafkaArgs("aws", { encryptionKeyId: "arn:aws:kms:us-east-1:123456789012:key/platform", iamAuthentication: true }));
    await settle();
    expect(rec.byType("aws:kms/key:Key")).toHaveLength(0);
    const cluster = rec.one(MSK).inputs;
    expect(cluster.encryptionInfo.encryptionAtRestKmsKeyArn).toBe("arn:aws:kms:us-east-1:123456789012:key/platform");
    expect(cluster.clientAuthentication.sasl).toEqual({ scram: true, iam: true });
    expect(cluster.numberOfBrokerNodes).toBe(3);
    expect(rec.one("aws:ec2/securityGroup:SecurityGroup").inputs.ingress.map((r: { fromPort: number }) => r.fromPort)).toEqual([9096, 9098]);
  });
});

describe("ApsaraMQ for Kafka", () => {
  test("VPC-only SSD instance, professional across two zones in prod, KMS, SCRAM user with ACLs, VPC allow-list, topics", async () => {
    const k = build("events", "prod", kafkaArgs("alicloud", { encryptionKeyId: "kms-key-1" }));
    await settle();
    const instance = rec.one(ALIKAFKA).inputs;
    expect(instance).toMatchObject({
      deployType: 5,
      diskType: 1,
      diskSize: 500,
      ioMaxSpec: "alikafka.hw.2xlarge",
      specType: "professional",
      serviceVersion: "2.6.2",
      vswitchIds: ["subnet-a", "subnet-b"],
      selectedZones: ["zone-a", "zone-b"],
      kmsKeyId: "kms-key-1",
      enableAutoTopic: "disable",
      partitionNum: 100,
    });
    expect(JSON.parse(instance.config)).toEqual({ "enable.acl": "true" });
    const user = unwrapSecrets(rec.one("alicloud:alikafka/saslUser:SaslUser").inputs);
    expect(user).toMatchObject({ username: "app", type: "scram", password: `${MOCK_SECRET_PREFIX}events-password` });
    expect(rec.byType("alicloud:alikafka/saslAcl:SaslAcl").map((r) => `${r.inputs.aclResourceType}:${r.inputs.aclOperationType}`).sort()).toEqual(
      ["Group:Read", "Topic:Describe", "Topic:Read", "Topic:Write"],
    );
    expect(rec.one("alicloud:alikafka/instanceAllowedIpAttachment:InstanceAllowedIpAttachment").inputs).toMatchObject({ allowedType: "vpc", portRange: "9094/9094", allowedIp: "10.0.0.0/16" });
    const topics = rec.byType(ALI_TOPIC).map((r) => ({ topic: r.inputs.topic, p: r.inputs.partitionNum, local: r.inputs.localTopic, compact: r.inputs.compactTopic }));
    expect(topics).toEqual([
      { topic: "orders", p: 12, local: false, compact: false },
      { topic: "orders.audit", p: 3, local: true, compact: true },
    ]);
    expect(k.connection.tls).toBe(false);
    expect(k.connection.saslMechanism).toBe("SCRAM-SHA-256");
    const command = rec.one(DEPLOYMENT).inputs.spec.template.spec.containers[0].command[2];
    expect(command).toContain("--sasl.mechanism=scram-sha256");
    expect(command).toContain("--kafka.version=2.6.0");
    expect(command).not.toContain("--tls.enabled");
    // ApsaraMQ does not publish its broker count: no broker-down rule with a made-up figure.
    expect(alertRules(k.monitoring.ruleGroups).map((r) => r.alert)).not.toContain("KafkaBrokerDown");
  });

  test("staging: normal edition in one zone", async () => {
    build("events", "staging", kafkaArgs("alicloud"));
    await settle();
    const instance = rec.one(ALIKAFKA).inputs;
    expect(instance.specType).toBe("normal");
    expect(instance.vswitchIds).toEqual(["subnet-a"]);
    expect(instance.selectedZones).toBeUndefined();
  });
});

describe("Docker (KRaft)", () => {
  test("one hardened KRaft broker, SASL on the backend only, topic plan container, exporter", async () => {
    const k = build("events", "dev", kafkaArgs("docker"));
    await settle();
    const broker = rec.one(CONTAINER, "events-container").inputs;
    expect(rec.one("docker:index/remoteImage:RemoteImage", "events-image").inputs.name).toBe("apache/kafka:3.9.1");
    expect(broker).toMatchObject({ user: "1000:1000", readOnly: true, networkMode: "net-backend", ports: [] });
    expect(broker.capabilities).toEqual({ drops: ["ALL"] });
    const envs: string[] = unwrapSecrets(broker.envs);
    expect(envs).toContain("KAFKA_PROCESS_ROLES=broker,controller");
    expect(envs).toContain("KAFKA_CONTROLLER_QUORUM_VOTERS=1@127.0.0.1:9093");
    expect(envs).toContain("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CLIENT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
    expect(envs).toContain("KAFKA_AUTO_CREATE_TOPICS_ENABLE=false");
    expect(envs.some((e) => /ZOOKEEPER/i.test(e))).toBe(false);
    expect(envs).toContain(
      `KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG=org.apache.kafka.common.security.plain.PlainLoginModule required user_app="${MOCK_SECRET_PREFIX}events-password";`,
    );
    expect(envs).toContain("CLUSTER_ID=MkU3QjVmNzQ4YjI0NDQ1Zg");
    const topics = rec.one(CONTAINER, "events-topics");
    expect(topics.dependencies).toContain(rec.one(CONTAINER, "events-container").urn);
    expect(topics.inputs.attach).toBe(true);
    expect(topics.inputs.command[2]).toContain("ensure_topic 'orders' 12 1 'retention.ms=259200000,cleanup.policy=delete,min.insync.replicas=1'");
    expect(topics.inputs.command[2]).not.toContain(MOCK_SECRET_PREFIX);
    const exporter = rec.one(CONTAINER, "events-exporter").inputs;
    expect(exporter.entrypoints).toEqual(["/bin/sh", "-c"]);
    expect(exporter.command[0]).toContain("--sasl.mechanism=plain");
    expect(exporter.command[0]).not.toContain(MOCK_SECRET_PREFIX);
    expect(await outputOf(k.connection.bootstrapServers)).toBe("events-kafka:9092");
    expect(alertRules(k.monitoring.ruleGroups).find((r) => r.alert === "KafkaBrokerDown")!.expr).toMatch(/< 1$/);
  });

  test("no topics: no topic plan container; exporter off: no exporter and no rules", async () => {
    const k = build("events", "dev", kafkaArgs("docker", { topics: [], exporter: false }));
    await settle();
    expect(rec.byType(CONTAINER).map((r) => r.name)).toEqual(["events-container"]);
    expect(k.monitoring).toEqual({ ruleGroups: [], dashboards: [], scrapeTargets: [] });
  });
});

describe("validation (before anything is registered)", () => {
  const ctx = (env: Environment, cloud: "aws" | "alicloud" | "none") => platformContext(env, cloud);

  test("replication factor above the brokers, min ISR, topic names and counts, all reported together", () => {
    const problems = problemsOf(() =>
      validateKafkaClusterArgs(
        "events",
        kafkaArgs("aws", {
          zones: 2,
          topics: [
            { name: "orders", replicationFactor: 3 },
            { name: "orders", partitions: 0 },
            { name: "__internal" },
            { name: "a_b" },
            { name: "a.b" },
            { name: "ok", replicationFactor: 2, minInSyncReplicas: 2, retentionHours: 0, cleanupPolicy: "forever" as never },
          ],
        }),
        ctx("staging", "aws"),
      ),
    );
    expect(problems).toEqual([
      'KafkaCluster "events" args: topics[0].replicationFactor: must be a whole number from 1 to the broker count (2 on aws: zones x brokersPerZone) (got 3)',
      'KafkaCluster "events" args: topics[1].name: duplicates topics[0].name (got "orders")',
      'KafkaCluster "events" args: topics[1].partitions: must be a whole number from 1 to 1000 (got 0)',
      `KafkaCluster "events" args: topics[2].name: must not start with '__' (reserved for Kafka's internal topics) (got "__internal")`,
      `KafkaCluster "events" args: topics[4].name: collides with topics[3].name ('.' and '_' are the same in Kafka's metric names) (got "a.b")`,
      'KafkaCluster "events" args: topics[5].minInSyncReplicas: must be below replicationFactor (2), or one broker restart blocks every acks=all write (got 2)',
      'KafkaCluster "events" args: topics[5].retentionHours: must be a whole number of hours from 1 to 87600 (got 0)',
      'KafkaCluster "events" args: topics[5].cleanupPolicy: must be one of delete, compact (got "forever")',
    ].map((p) => expect.stringContaining(p.replace(/^KafkaCluster "events" args: /, ""))));
    expect(problems).toHaveLength(8);
  });

  test("versions and classes the target does not offer, settings of other targets", () => {
    const aws = problemsOf(() => validateKafkaClusterArgs("events", kafkaArgs("aws", { version: "2.8.1", instanceClass: "kafka.t3.large", image: "apache/kafka:3.9.1" }), ctx("staging", "aws")));
    expect(aws.join("\n")).toMatch(/version: is not offered by Amazon MSK; use one of 3\.6\.0, 3\.7\.x.*4\.1\.x\.kraft \(got "2\.8\.1"\)/);
    expect(aws.join("\n")).toMatch(/instanceClass: must be an MSK broker type.*\(got "kafka\.t3\.large"\)/);
    expect(aws.join("\n")).toMatch(/image: is only used by the docker target/);
    const ali = problemsOf(() =>
      validateKafkaClusterArgs("events", kafkaArgs("alicloud", { version: "3.9.x", brokersPerZone: 2, storageGb: 100, topics: [{ name: "t", replicationFactor: 3 }] }), ctx("staging", "alicloud")),
    );
    expect(ali.join("\n")).toMatch(/version: is not offered by ApsaraMQ for Kafka \(standard instances\); use one of 2\.2\.0, 2\.6\.2/);
    expect(ali.join("\n")).toMatch(/brokersPerZone: is only used on aws \(ApsaraMQ sizes its brokers/);
    expect(ali.join("\n")).toMatch(/storageGb: must be a whole number of GB from 500 to 96000 on alicloud \(got 100\)/);
    expect(ali.join("\n")).toMatch(/topics\[0\]\.replicationFactor: is not settable on alicloud/);
    const dock = problemsOf(() => validateKafkaClusterArgs("events", kafkaArgs("docker", { version: "3.6.0", iamAuthentication: true, topics: [{ name: "t", replicationFactor: 2 }] }), ctx("dev", "none")));
    expect(dock.join("\n")).toMatch(/version: must be a full apache\/kafka version from 3\.7\.0 on/);
    expect(dock.join("\n")).toMatch(/iamAuthentication: is only available on aws/);
    expect(dock.join("\n")).toMatch(/topics\[0\]\.replicationFactor: must be a whole number from 1 to the broker count \(1 on docker: one KRaft broker\) \(got 2\)/);
  });

  test("prod on MSK: at least 3 brokers, replication factor 3, no t3.small; zones within the placement", () => {
    const prod = problemsOf(() =>
      validateKafkaClusterArgs("events", kafkaArgs("aws", { zones: 2, brokersPerZone: 1, topics: [{ name: "t", replicationFactor: 2 }] }), ctx("prod", "aws")),
    );
    expect(prod.join("\n")).toMatch(/instanceClass: kafka\.t3\.small is a burstable development type/);
    expect(prod.join("\n")).toMatch(/brokersPerZone: gives 2 brokers; prod needs at least 3/);
    const zones = problemsOf(() => validateKafkaClusterArgs("events", kafkaArgs("aws", { zones: 3, placement: { ...PLACEMENT_3, subnetIds: ["a", "b"] } }), ctx("staging", "aws")));
    expect(zones.join("\n")).toMatch(/zones: must be at most the 2 private subnets of the network/);
    const four = problemsOf(() => validateKafkaClusterArgs("events", kafkaArgs("aws", { zones: 4, brokersPerZone: 20 }), ctx("staging", "aws")));
    expect(four.join("\n")).toMatch(/zones: must be 2 or 3/);
    // The compliant prod cluster passes: 3 zones x 1 broker, medium brokers, replication factor 3 by default.
    const ok = validateKafkaClusterArgs("events", kafkaArgs("aws", { size: "medium" }), ctx("prod", "aws"));
    expect(ok.brokers).toBe(3);
    expect(ok.topics.map((t) => [t.replicationFactor, t.minInSyncReplicas])).toEqual([[3, 2], [3, 2]]);
  });

  test("target must match the platform; managed targets need placement", () => {
    expect(problemsOf(() => validateKafkaClusterArgs("events", kafkaArgs("aws"), ctx("staging", "alicloud"))).join("\n")).toMatch(/target: must match the platform cloud \(alicloud\)/);
    expect(problemsOf(() => validateKafkaClusterArgs("events", { ...kafkaArgs("aws"), placement: undefined }, ctx("staging", "aws"))).join("\n")).toMatch(/placement: is required/);
    expect(problemsOf(() => validateKafkaClusterArgs("events", kafkaArgs("docker"), ctx("staging", "aws"))).join("\n")).toMatch(/needs the docker platform target/);
  });

  test("bad thresholds are refused; the component registers nothing on bad input", () => {
    const p = problemsOf(() => build("events", "dev", kafkaArgs("docker", { thresholds: { consumerLagMessages: { warning: 5000, critical: 100 } } })));
    expect(p.join("\n")).toMatch(/thresholds\.consumerLagMessages: warning \(5000\) must be below critical \(100\)/);
    expect(rec.resources).toHaveLength(0);
  });
});

