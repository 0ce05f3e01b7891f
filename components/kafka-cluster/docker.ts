import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { dockerHardening } from "../monitored-database/docker-common";
import { KAFKA_CLIENT_PORT, KAFKA_DOCKER_MEMORY_MB } from "./catalog";
import { KAFKA_USERNAME, type KafkaTargetInput, type KafkaTargetOutput } from "./target";
import { KAFKA_BIN, topicPlanScript } from "./topic-script";

/** UID:GID of `appuser` in the apache/kafka image. */
export const KAFKA_UID = "1000:1000";
/** Loopback-only listeners: the broker's own replication listener and the KRaft controller. */
const INTERNAL_PORT = 19092;
const CONTROLLER_PORT = 9093;
const DATA_DIR = "/var/lib/kafka/data";

/**
 * Broker settings of the single KRaft node (broker and controller in one process, no ZooKeeper), as the
 * apache/kafka image reads them from `KAFKA_*` variables. Clients authenticate with SASL/PLAIN on the backend
 * network (the JAAS line with the password is passed separately, as a secret); the controller and the
 * inter-broker listener listen on 127.0.0.1 inside the container only.
 */
export function kraftEnvironment(alias: string, memoryMb: number, clusterId: string): string[] {
  const heap = Math.floor(memoryMb / 2);
  return [
    `CLUSTER_ID=${clusterId}`,
    "KAFKA_NODE_ID=1",
    "KAFKA_PROCESS_ROLES=broker,controller",
    `KAFKA_LISTENERS=CLIENT://:${KAFKA_CLIENT_PORT.docker},INTERNAL://127.0.0.1:${INTERNAL_PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}`,
    `KAFKA_ADVERTISED_LISTENERS=CLIENT://${alias}:${KAFKA_CLIENT_PORT.docker},INTERNAL://127.0.0.1:${INTERNAL_PORT}`,
    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CLIENT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
    "KAFKA_INTER_BROKER_LISTENER_NAME=INTERNAL",
    `KAFKA_CONTROLLER_QUORUM_VOTERS=1@127.0.0.1:${CONTROLLER_PORT}`,
    "KAFKA_SASL_ENABLED_MECHANISMS=PLAIN",
    `KAFKA_LOG_DIRS=${DATA_DIR}`,
    "KAFKA_AUTO_CREATE_TOPICS_ENABLE=false",
    "KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE=false",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0",
    `KAFKA_HEAP_OPTS=-Xmx${heap}m -Xms${heap}m`,
    // Server logs go to the tmpfs, not into the read-only image.
    "LOG_DIR=/tmp/kafka-logs",
  ];
}

/** The JAAS line of the SASL/PLAIN client listener: the one user and its password (secret). */
export function plainJaasEnv(password: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.interpolate`KAFKA_LISTENER_NAME_CLIENT_PLAIN_SASL_JAAS_CONFIG=org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_USERNAME}="${password}";`,
  );
}

function hardening(ctx: PlatformContext, alias: string, component: string) {
  return dockerHardening(ctx, alias, component);
}

/**
 * Kafka as one KRaft container for local development: pinned apache/kafka image, data on a named volume, SASL
 * on the backend network only, read-only root with tmpfs for the generated config and logs, a healthcheck
 * against the loopback listener, and a one-shot container that applies the topic plan (topic-script.ts).
 */
export function kafkaOnDocker(input: KafkaTargetInput): KafkaTargetOutput {
  const { parent, name, kafka, ctx } = input;
  const provider = providerFor(ctx, "docker");
  const opts = { parent, ...provider };
  const t = kafka.transforms;
  const alias = `${name}-kafka`;
  const memory = KAFKA_DOCKER_MEMORY_MB[kafka.size];

  const image = new docker.RemoteImage(`${name}-image`, applyTransform(t, "image", { name: kafka.image!, keepLocally: true }), opts);
  const volume = new docker.Volume(`${name}-data`, applyTransform(t, "volume", { labels: [{ label: "platform.kafka", value: name }] }), {
    ...opts,
    protect: kafka.protect,
  });
  // KRaft formats its log directory once with a cluster id (22 characters of URL-safe base64, a UUID).
  const clusterId = new random.RandomId(`${name}-cluster-id`, { byteLength: 16 }, { parent });
  const envs = pulumi.secret(
    pulumi.all([clusterId.b64Url, plainJaasEnv(input.password)]).apply(([id, jaas]) => [...kraftEnvironment(alias, memory, id), jaas]),
  );
  const container = new docker.Container(
    `${name}-container`,
    applyTransform(t, "container", {
      image: image.imageId,
      hostname: alias,
      user: KAFKA_UID,
      envs,
      volumes: [{ volumeName: volume.name, containerPath: DATA_DIR }],
      // The image's start script writes the final server.properties into /opt/kafka/config.
      tmpfs: { "/opt/kafka/config": "rw,noexec,nosuid,size=4m,uid=1000", "/tmp": "rw,noexec,nosuid,size=64m,mode=1777" },
      healthcheck: {
        // The loopback listener needs no credentials; a small heap keeps the check inside the memory limit.
        tests: ["CMD-SHELL", `KAFKA_HEAP_OPTS=-Xmx64m ${KAFKA_BIN}/kafka-broker-api-versions.sh --bootstrap-server 127.0.0.1:${INTERNAL_PORT} > /dev/null`],
        interval: "30s",
        timeout: "20s",
        retries: 5,
        startPeriod: "60s",
      },
      ports: kafka.publishPort !== undefined ? [{ internal: KAFKA_CLIENT_PORT.docker, external: kafka.publishPort, ip: "127.0.0.1" }] : [],
      memory,
      ...hardening(ctx, alias, "kafka"),
    } satisfies docker.ContainerArgs),
    { ...opts, protect: kafka.protect },
  );
  const children: Record<string, pulumi.Resource> = { image, volume, clusterId, container };
  if (kafka.topics.length > 0) {
    const topicsAlias = `${name}-kafka-topics`;
    children.topicsContainer = new docker.Container(
      `${name}-topics`,
      applyTransform(t, "topicsContainer", {
        image: image.imageId,
        hostname: topicsAlias,
        user: KAFKA_UID,
        command: ["sh", "-c", topicPlanScript(kafka.topics, "PLAIN")],
        envs: pulumi.secret(
          input.password.apply((pw) => [
            `KAFKA_BOOTSTRAP=${alias}:${KAFKA_CLIENT_PORT.docker}`,
            `KAFKA_USERNAME=${KAFKA_USERNAME}`,
            `KAFKA_PASSWORD=${pw}`,
            "KAFKA_HEAP_OPTS=-Xmx128m",
            "LOG_DIR=/tmp/kafka-logs",
          ]),
        ),
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m,mode=1777" },
        memory: 384,
        attach: true,
        logs: false,
        mustRun: false,
        ...hardening(ctx, topicsAlias, "kafka-topics"),
        restart: "no",
      } satisfies docker.ContainerArgs),
      { ...opts, dependsOn: [container] },
    );
  }
  return {
    bootstrapServers: pulumi.output(`${alias}:${KAFKA_CLIENT_PORT.docker}`),
    port: KAFKA_CLIENT_PORT.docker,
    tls: false,
    saslMechanism: "PLAIN",
    children,
  };
}
