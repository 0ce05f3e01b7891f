import { KAFKA_ALERTS } from "../../../components/kafka-cluster";
import { MOCK_SECRET_PREFIX, plaintextStrings, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { readStackFile, stackError } from "../../helpers/stack";
import { STAGING_SECRETS } from "../fixtures";
import type { FeatureStacks } from "./stacks";

/**
 * `platform:kafka` end to end: the bundled stacks with a Kafka section build a KafkaCluster on the platform's target,
 * hand its rules to the AlertingStack and leak no secret; bad values fail before anything is registered, with the
 * key path, the value and what is allowed. (The topics of the prod build: KAFKA_TOPICS in ./stacks.)
 */
function alertNames(rec: Recorder): string[] {
  const k8s = rec.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => unwrapSecrets(r.inputs).spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.alert)));
  const docker = rec
    .byType("docker:index/container:Container")
    .flatMap((c) => (unwrapSecrets(c.inputs).uploads ?? []).map((u: any) => String(u.content ?? "")))
    .flatMap((text: string) => [...text.matchAll(/alert: (\w+)/g)].map((m) => m[1]));
  return [...k8s, ...docker];
}

/** Env of a Deployment's first container by variable name: plain values, or the valueFrom. */
function envOf(rec: Recorder, deployment: string): Record<string, unknown> {
  const container = unwrapSecrets(rec.one("kubernetes:apps/v1:Deployment", deployment).inputs).spec.template.spec.containers[0];
  return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

export function describeKafka(stacks: FeatureStacks): void {
  describe("platform:kafka in the bundled stacks", () => {
    it("a service connected to kafka/events gets the bootstrap servers, SASL over TLS, the password by secretKeyRef only, and egress to the brokers", () => {
      const prod = stacks.prod.recorder;
      const env = envOf(prod, "worker-deployment");
      expect(env).toMatchObject({
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_USERNAME: "app",
        KAFKA_PASSWORD: { secretKeyRef: { name: "events-kafka-credentials", key: "password" } },
      });
      expect(Object.keys(env)).toContain("KAFKA_BOOTSTRAP_SERVERS");
      // The database connections are untouched.
      expect(env.DATABASE_PASSWORD).toEqual({ secretKeyRef: expect.objectContaining({ key: "password" }) });
      // The worker's egress reaches the brokers' SASL/SCRAM port (9096) in the VPC; the api, not connected, does not.
      const egressPorts = (workload: string) =>
        prod
          .byType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
          .map((p) => unwrapSecrets(p.inputs))
          .filter((p) => p.metadata.name.startsWith(workload))
          .flatMap((p) => (p.spec.egress ?? []).flatMap((e: any) => (e.ports ?? []).map((x: any) => x.port)));
      expect(egressPorts("worker")).toContain(9096);
      expect(egressPorts("api")).not.toContain(9096);
    });

    it("dev on Docker: a connected service gets SASL_PLAINTEXT and the password as a secret env value", () => {
      const worker = stacks.dev.recorder.byType("docker:index/container:Container").find((c) => c.name === "worker-container")!;
      const envs: string[] = unwrapSecrets(worker.inputs).envs;
      expect(envs).toEqual(expect.arrayContaining(["EVENTS_SECURITY_PROTOCOL=SASL_PLAINTEXT", "EVENTS_SASL_MECHANISM=PLAIN", "EVENTS_USERNAME=app", "EVENTS_BOOTSTRAP_SERVERS=events-kafka:9092"]));
      expect(envs.some((e) => e.startsWith("EVENTS_PASSWORD="))).toBe(true);
      expect(plaintextStrings(worker.inputs).filter((x) => x.value.includes("EVENTS_PASSWORD="))).toEqual([]);
    });

    it("prod on AWS: MSK across the network's zones with replication factor 3 topics, watched and alerted", () => {
      const prod = stacks.prod.recorder;
      const cluster = prod.one("aws:msk/cluster:Cluster").inputs;
      // The prod network has 2 zones: 2 brokers per zone, so replication factor 3 has a broker to spare.
      expect(cluster.numberOfBrokerNodes).toBe(4);
      expect(cluster.brokerNodeGroupInfo.clientSubnets).toHaveLength(2);
      expect(cluster.brokerNodeGroupInfo.instanceType).toBe("kafka.m7g.large");
      expect(prod.byType("aws:msk/topic:Topic").map((t) => [t.inputs.name, t.inputs.replicationFactor, t.protect])).toEqual([
        ["orders", 3, true],
        ["orders.dlq", 3, true],
      ]);
      // The platform's database key encrypts the cluster and the SCRAM secret: no second key.
      expect(prod.byType("aws:kms/key:Key").some((k) => k.name === "events-key")).toBe(false);
      expect(prod.one("kubernetes:apps/v1:Deployment", "events-exporter").inputs.metadata.name).toBe("events-kafka-exporter");
      const alerts = alertNames(prod);
      for (const a of KAFKA_ALERTS) expect(alerts).toContain(a);
      const leaks = prod.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(MOCK_SECRET_PREFIX)).map((s) => `${r.type} ${r.name} ${s.path}`));
      expect(leaks).toEqual([]);
    });

    it("dev on Docker: one KRaft broker, its topic plan, an exporter scraped by the local Prometheus", () => {
      const dev = stacks.dev.recorder;
      const names = dev.byType("docker:index/container:Container").map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(["events-container", "events-topics", "events-exporter"]));
      const prometheus = dev
        .byType("docker:index/container:Container")
        .flatMap((c) => (unwrapSecrets(c.inputs).uploads ?? []).map((u: any) => String(u.content ?? "")))
        .find((text: string) => text.includes("scrape_configs"));
      expect(prometheus).toContain("events-kafka-exporter:9308");
      expect(alertNames(dev)).toContain("KafkaConsumerGroupLag");
    });
  });

  describe("invalid platform:kafka fails before anything is registered", () => {
    it("replication factor above the brokers, a bad topic name and a duplicate cluster, all at once", async () => {
      const message = await stackError(
        "staging",
        { network: { zones: 2 }, kafka: [{ name: "events", version: "3.9.x", brokersPerZone: 1, topics: [{ name: "orders", replicationFactor: 3 }, { name: "__x" }] }, { name: "events", version: "3.9.x" }] },
        { secrets: STAGING_SECRETS },
      );
      expect(message).toContain("platform:kafka[0].topics[0].replicationFactor: must be a whole number from 1 to the broker count (2 on aws: zones x brokersPerZone) (got 3)");
      expect(message).toContain("platform:kafka[0].topics[1].name: must not start with '__'");
      expect(message).toContain('platform:kafka[1].name: duplicates platform:kafka[0].name (got "events")');
    });

    it("a service naming a Kafka cluster that does not exist, a URL for Kafka and a clashing prefix, all at once", async () => {
      const services = (readStackFile("staging")["platform:services"] as any[]).map((svc) =>
        svc.name === "worker"
          ? { ...svc, env: { KAFKA_USERNAME: "me" }, connections: [...svc.connections, { database: "kafka/event" }, { database: "kafka/events", envPrefix: "BUS", urlEnv: "BUS_URL" }] }
          : svc,
      );
      const message = await stackError("staging", { kafka: [{ name: "events", version: "3.9.x" }], services }, { secrets: STAGING_SECRETS });
      const i = services.findIndex((svc) => svc.name === "worker");
      const j = services[i].connections.length - 2;
      expect(message).toContain(`platform:services[${i}].connections[${j}].database: must name a Kafka cluster of platform:kafka as kafka/<cluster> (known: events) (got "kafka/event")`);
      expect(message).toContain(`platform:services[${i}].connections[${j}].envPrefix: would overwrite KAFKA_USERNAME set in env/secretEnv/secretRefs; choose another prefix (got "KAFKA")`);
      expect(message).toContain(`platform:services[${i}].connections[${j + 1}].urlEnv: is not available for a Kafka connection (Kafka has no connection URL); remove it (got "BUS_URL")`);
    });

    it("a reference both a Kafka cluster and a logical database could mean", async () => {
      const databases = [...(readStackFile("staging")["platform:databases"] as any[]), { name: "kafka", engine: "postgres", version: "16", logicalDatabases: [{ name: "events" }] }];
      const services = (readStackFile("staging")["platform:services"] as any[]).map((svc) => (svc.name === "worker" ? { ...svc, connections: [{ database: "kafka/events" }] } : svc));
      const message = await stackError("staging", { kafka: [{ name: "events", version: "3.9.x" }], databases, services }, { secrets: STAGING_SECRETS });
      const i = services.findIndex((svc) => svc.name === "worker");
      expect(message).toContain(`platform:services[${i}].connections[0].database: is ambiguous: the Kafka cluster "events" and a logical database of the database "kafka"; rename one of them (got "kafka/events")`);
    });

    it("a mistyped key, naming the keys allowed", async () => {
      const message = await stackError("staging", { kafka: [{ name: "events", version: "3.9.x", topics: [{ name: "orders", partitons: 3 }] }] }, { secrets: STAGING_SECRETS });
      expect(message).toMatch(/platform:kafka\[0\]\.topics\[0\]\.partitons: unknown key; did you mean "partitions"\? \(allowed: name, partitions,/);
    });

    it("a version the target does not offer, naming what it offers", async () => {
      const message = await stackError("staging", { cloud: "alicloud", kafka: [{ name: "events", version: "3.9.x" }] }, { secrets: STAGING_SECRETS });
      expect(message).toContain('platform:kafka[0].version: is not offered by ApsaraMQ for Kafka (standard instances); use one of 2.2.0, 2.6.2 (got "3.9.x")');
    });

    it("more MSK zones than the network has", async () => {
      const message = await stackError("staging", { network: { zones: 2 }, kafka: [{ name: "events", version: "3.9.x", zones: 3 }] }, { secrets: STAGING_SECRETS });
      expect(message).toContain("platform:kafka[0].zones: must be at most the 2 private subnets of the network (platform:network.zones) (got 3)");
    });

    it("a managed Kafka without a cloud", async () => {
      const message = await stackError(
        "staging",
        { cloud: "none", cluster: { mode: "existing" }, kubeconfig: { secure: "x" }, databases: [], backups: [], kafka: [{ name: "events", version: "3.9.x" }] },
        { secrets: { ...STAGING_SECRETS, kubeconfig: "apiVersion: v1" } },
      );
      expect(message).toContain("platform:kafka: a managed Kafka needs platform:cloud aws or alicloud");
    });
  });
}
