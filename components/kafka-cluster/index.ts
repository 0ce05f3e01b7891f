import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { standardLabels } from "../lib/labels";
import type { MonitoringBundle } from "../lib/monitoring";
import { k8sName } from "../lib/naming";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { PASSWORD_SPEC } from "../monitored-database/credentials";
import { kafkaAlertRules } from "./alerts";
import { kafkaOnAlicloud } from "./alicloud";
import type { KafkaClusterArgs, KafkaTarget } from "./args";
import { kafkaOnAws } from "./aws";
import { kafkaDashboard } from "./dashboard";
import { kafkaOnDocker } from "./docker";
import { dockerKafkaExporter, kafkaExporterJob, kubernetesKafkaExporter } from "./exporter";
import { KAFKA_USERNAME, type KafkaTargetInput, type KafkaTargetOutput } from "./target";
import { validateKafkaClusterArgs, type ResolvedKafka } from "./validate";

export * from "./args";
export { validateKafkaClusterArgs, resolveKafkaSettings, DEFAULT_KAFKA_THRESHOLDS, type ResolvedKafka, type ResolvedTopic } from "./validate";
export { kafkaAlertRules, KAFKA_ALERTS } from "./alerts";
export { kafkaDashboard } from "./dashboard";
export { kafkaExporterJob, kafkaExporterCommand, KAFKA_EXPORTER } from "./exporter";
export { topicPlanScript, topicConfigs } from "./topic-script";
export { MSK_VERSIONS, ALIKAFKA_VERSIONS, KAFKA_CLASSES, KAFKA_CLIENT_PORT } from "./catalog";
export { KAFKA_USERNAME } from "./target";

/** Constant type token (never change it; use aliases if the module moves). */
export const KAFKA_CLUSTER_TYPE = "platform:kafka:KafkaCluster";

const BUILDERS: Record<KafkaTarget, (input: KafkaTargetInput) => KafkaTargetOutput> = {
  aws: kafkaOnAws,
  alicloud: kafkaOnAlicloud,
  docker: kafkaOnDocker,
};

/** Keys of the credentials Secret (Kubernetes platform target). */
export const KAFKA_SECRET_KEYS = { password: "password", username: "username", bootstrapServers: "bootstrap-servers", mechanism: "sasl-mechanism" } as const;

/** Name of the credentials Secret an AppService references (`secretRefs`). */
export function kafkaCredentialsSecretName(name: string): string {
  return k8sName(name, "kafka", "credentials");
}

/** How applications reach the cluster; the password only as a secret. */
export interface KafkaConnection {
  /** Comma-separated `host:port` bootstrap list. */
  bootstrapServers: pulumi.Output<string>;
  /** The brokers' client port (SASL listener): what a client's egress must allow. */
  port: number;
  username: string;
  /** Secret output. */
  password: pulumi.Output<string>;
  saslMechanism: KafkaTargetOutput["saslMechanism"];
  tls: boolean;
  /** Kubernetes target: the Secret holding the password and the connection facts. */
  secretName?: pulumi.Output<string>;
}

/**
 * A Kafka cluster with its topics: Amazon MSK, ApsaraMQ for Kafka, or one KRaft broker on Docker; SASL credentials
 * generated as a secret, kafka_exporter, alert rules and a dashboard.
 *
 * A sibling of MonitoredDatabase rather than one of its engines: a database is one endpoint with a user, a database
 * name and backups; a Kafka cluster is a broker set (count per zone, replication) carrying topics (partitions,
 * replication factor, retention) that services produce to and consume from, and is watched through consumer lag
 * and partition health. Shared pieces (the Docker hardening, the exporter workload, credentials spec) are reused.
 *
 * @example
 * const events = new KafkaCluster("events", { target: "aws", version: "3.9.x", placement: network.dataPlacement,
 *   topics: [{ name: "orders", partitions: 12 }] }, platform);
 */
export class KafkaCluster extends pulumi.ComponentResource {
  readonly settings: ResolvedKafka;
  readonly password: random.RandomPassword;
  readonly children: Readonly<Record<string, pulumi.Resource>>;
  readonly connection: KafkaConnection;
  readonly monitoring: MonitoringBundle;

  constructor(name: string, args: KafkaClusterArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    const kafka = validateKafkaClusterArgs(name, args, ctx);
    super(KAFKA_CLUSTER_TYPE, name, {}, opts);
    this.settings = kafka;

    this.password = new random.RandomPassword(`${name}-password`, applyTransform(kafka.transforms, "password", { ...PASSWORD_SPEC }), { parent: this });
    const password = pulumi.secret(this.password.result);
    const target = BUILDERS[kafka.target]({ parent: this, name, kafka, ctx, password });
    const children: Record<string, pulumi.Resource> = { password: this.password, ...target.children };

    let secretName: pulumi.Output<string> | undefined;
    if (ctx.target === "kubernetes") {
      const secret = new k8s.core.v1.Secret(
        `${name}-credentials`,
        applyTransform(kafka.transforms, "credentialsSecret", {
          metadata: { name: kafkaCredentialsSecretName(name), namespace: ctx.namespace, labels: standardLabels(ctx, name, "kafka") },
          type: "Opaque",
          stringData: pulumi.secret(
            pulumi.all([password, target.bootstrapServers]).apply(([pw, servers]) => ({
              [KAFKA_SECRET_KEYS.password]: pw,
              [KAFKA_SECRET_KEYS.username]: KAFKA_USERNAME,
              [KAFKA_SECRET_KEYS.bootstrapServers]: servers,
              [KAFKA_SECRET_KEYS.mechanism]: target.saslMechanism,
            })),
          ),
        } satisfies k8s.core.v1.SecretArgs),
        { parent: this, ...providerFor(ctx, "kubernetes") },
      );
      children.credentialsSecret = secret;
      secretName = secret.metadata.name;
    }
    this.connection = {
      bootstrapServers: target.bootstrapServers,
      port: target.port,
      username: KAFKA_USERNAME,
      password,
      saslMechanism: target.saslMechanism,
      tls: target.tls,
      ...(secretName ? { secretName } : {}),
    };

    const job = kafkaExporterJob(name);
    const scrapeTargets = [];
    if (kafka.exporter) {
      const exporterInput = { parent: this, name, kafka, ctx, target, password, secretName };
      const exporter = ctx.target === "kubernetes" ? kubernetesKafkaExporter(exporterInput) : dockerKafkaExporter(exporterInput);
      Object.assign(children, exporter.children);
      scrapeTargets.push(...exporter.scrapeTargets);
    }
    this.children = children;
    this.monitoring = kafka.exporter
      ? {
          ruleGroups: kafkaAlertRules({ kafka: name, job, thresholds: kafka.thresholds, expectedBrokers: kafka.brokers }),
          dashboards: [kafkaDashboard({ kafka: name, job })],
          scrapeTargets,
        }
      : { ruleGroups: [], dashboards: [], scrapeTargets: [] };

    this.registerOutputs({ bootstrapServers: target.bootstrapServers, tls: target.tls, secretName, resourceId: target.resourceId });
  }
}
