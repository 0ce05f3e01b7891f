import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { exporterWorkload } from "../lib/exporter-workload";
import type { ScrapeTarget } from "../lib/monitoring";
import { k8sName } from "../lib/naming";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { dockerHardening } from "../monitored-database/docker-common";
import { exporterProtocolVersion } from "./catalog";
import { KAFKA_USERNAME, type KafkaTargetOutput } from "./target";
import type { ResolvedKafka } from "./validate";

/** danielqsj/kafka_exporter, pinned; its image is busybox-based (a shell for the start line) and runs as nobody. */
export const KAFKA_EXPORTER = { image: "danielqsj/kafka-exporter:v1.9.0", port: 9308, uid: 65534 } as const;

/** Prometheus `job` of a cluster's exporter (its Service / container alias). */
export function kafkaExporterJob(name: string): string {
  return k8sName(name, "kafka", "exporter");
}

const MECHANISM_FLAG: Record<KafkaTargetOutput["saslMechanism"], string> = {
  "SCRAM-SHA-512": "scram-sha512",
  "SCRAM-SHA-256": "scram-sha256",
  PLAIN: "plain",
};

/**
 * The exporter's start line. kafka_exporter takes its SASL password only as a flag; a flag on the command line is
 * readable by anyone who can list processes (`ps`, /proc/<pid>/cmdline), so the shell hands it over through
 * kingpin's `@file` argument expansion instead: a here-document on the exporter's stdin (a pipe, no file written)
 * with the `--sasl.password=` line expanded from the secret env. The password appears neither in the pod spec,
 * container config or any Pulumi input nor in the process's argv. The exporter reads the first bootstrap broker
 * and discovers the others from the cluster metadata.
 */
export function kafkaExporterCommand(kafka: Pick<ResolvedKafka, "target" | "version">, target: Pick<KafkaTargetOutput, "saslMechanism" | "tls">): string[] {
  const flags = [
    '--kafka.server="${KAFKA_SERVER%%,*}"',
    `--kafka.version=${exporterProtocolVersion(kafka.target, kafka.version)}`,
    "--sasl.enabled",
    `--sasl.mechanism=${MECHANISM_FLAG[target.saslMechanism]}`,
    '--sasl.username="$KAFKA_USERNAME"',
    ...(target.tls ? ["--tls.enabled"] : []),
    `--web.listen-address=:${KAFKA_EXPORTER.port}`,
    // Read as one more argument per line; a generated password has no newline.
    "@/dev/stdin",
  ];
  return ["/bin/sh", "-c", `exec /bin/kafka_exporter ${flags.join(" ")} <<EOF\n--sasl.password=\${KAFKA_PASSWORD}\nEOF\n`];
}

export interface KafkaExporterInput {
  parent: pulumi.Resource;
  name: string;
  kafka: ResolvedKafka;
  ctx: PlatformContext;
  target: KafkaTargetOutput;
  password: pulumi.Output<string>;
  /** Kubernetes: the credentials Secret (key `password`). */
  secretName?: pulumi.Output<string>;
}

export function kubernetesKafkaExporter(input: KafkaExporterInput): { children: Record<string, pulumi.Resource>; scrapeTargets: ScrapeTarget[] } {
  const { parent, name, kafka, ctx, target } = input;
  const env: k8s.types.input.core.v1.EnvVar[] = [
    { name: "KAFKA_SERVER", value: target.bootstrapServers },
    { name: "KAFKA_USERNAME", value: KAFKA_USERNAME },
    { name: "KAFKA_PASSWORD", valueFrom: { secretKeyRef: { name: input.secretName!, key: "password" } } },
  ];
  const w = exporterWorkload({
    parent,
    ctx,
    transforms: kafka.transforms,
    childName: `${name}-exporter`,
    policyName: `${name}-exporter`,
    job: kafkaExporterJob(name),
    ownerLabels: { "platform.example.org/kafka": name },
    image: KAFKA_EXPORTER.image,
    port: KAFKA_EXPORTER.port,
    uid: KAFKA_EXPORTER.uid,
    env,
    command: kafkaExporterCommand(kafka, target),
    egressPorts: [target.port],
  });
  return {
    children: { exporterDeployment: w.deployment, exporterService: w.service, serviceMonitor: w.serviceMonitor, exporterNetworkPolicy: w.networkPolicy },
    scrapeTargets: [],
  };
}

export function dockerKafkaExporter(input: KafkaExporterInput): { children: Record<string, pulumi.Resource>; scrapeTargets: ScrapeTarget[] } {
  const { parent, name, kafka, ctx, target } = input;
  const job = kafkaExporterJob(name);
  const opts = { parent, ...providerFor(ctx, "docker") };
  const t = kafka.transforms;
  const image = new docker.RemoteImage(`${name}-exporter-image`, applyTransform(t, "exporterImage", { name: KAFKA_EXPORTER.image, keepLocally: true }), opts);
  const envs = pulumi
    .all([target.bootstrapServers, input.password])
    .apply(([servers, pw]) => [`KAFKA_SERVER=${servers}`, `KAFKA_USERNAME=${KAFKA_USERNAME}`, `KAFKA_PASSWORD=${pw}`]);
  const container = new docker.Container(
    `${name}-exporter`,
    applyTransform(t, "exporterContainer", {
      image: image.imageId,
      hostname: job,
      user: `${KAFKA_EXPORTER.uid}:${KAFKA_EXPORTER.uid}`,
      // The image's entrypoint is the exporter itself; the shell start line replaces it.
      entrypoints: kafkaExporterCommand(kafka, target).slice(0, 2),
      command: kafkaExporterCommand(kafka, target).slice(2),
      envs: pulumi.secret(envs),
      memory: 128,
      ...dockerHardening(ctx, job, "metrics-exporter"),
    } satisfies docker.ContainerArgs),
    opts,
  );
  return {
    children: { exporterImage: image, exporterContainer: container },
    scrapeTargets: [{ job, targets: [`${job}:${KAFKA_EXPORTER.port}`], labels: { kafka: name } }],
  };
}
