import type * as pulumi from "@pulumi/pulumi";
import type { AppServiceArgs } from "../../components/app-service";
import { KAFKA_SECRET_KEYS, type KafkaConnection } from "../../components/kafka-cluster";
import type { SectionContext } from "./types";

/**
 * A service's connection to a Kafka cluster of `platform:kafka`: `connections: [{ database: kafka/<cluster> }]`, next
 * to the data stores (`main-db`, `main-db/orders`). Kafka clusters are not databases, so the reference carries the
 * `kafka/` prefix: a database named `kafka` with a logical database of the cluster's name would be ambiguous and is
 * refused at plan time.
 */
export const KAFKA_REFERENCE_PREFIX = "kafka/";

/** The env prefix of a Kafka connection when the entry names none. */
export const DEFAULT_KAFKA_ENV_PREFIX = "KAFKA";

/** Variables a Kafka connection sets, after `<PREFIX>_`. */
export const KAFKA_ENV_SUFFIXES = ["BOOTSTRAP_SERVERS", "SECURITY_PROTOCOL", "SASL_MECHANISM", "USERNAME", "PASSWORD"] as const;

/** The cluster a `connections[].database` value names, or undefined when it names a database. */
export function kafkaClusterOf(reference: string): string | undefined {
  return reference.startsWith(KAFKA_REFERENCE_PREFIX) ? reference.slice(KAFKA_REFERENCE_PREFIX.length) : undefined;
}

/**
 * Environment a service gets from one Kafka connection: the bootstrap list, the Kafka client security protocol
 * (`SASL_SSL` where the brokers speak TLS: MSK; `SASL_PLAINTEXT` on ApsaraMQ's VPC endpoint and the local broker), the
 * SASL mechanism and user, and the password — on Kubernetes only by secretKeyRef to the cluster's credentials Secret,
 * on Docker as a secret env value.
 */
export function kafkaConnectionEnv(
  conn: KafkaConnection,
  envPrefix: string,
  target: SectionContext["platform"]["target"],
): Pick<AppServiceArgs, "env" | "secretEnv" | "secretRefs"> {
  const env: Record<string, pulumi.Input<string>> = {
    [`${envPrefix}_BOOTSTRAP_SERVERS`]: conn.bootstrapServers,
    [`${envPrefix}_SECURITY_PROTOCOL`]: conn.tls ? "SASL_SSL" : "SASL_PLAINTEXT",
    [`${envPrefix}_SASL_MECHANISM`]: conn.saslMechanism,
    [`${envPrefix}_USERNAME`]: conn.username,
  };
  if (target === "kubernetes") {
    // The component registers the credentials Secret on every Kubernetes platform; without it the password would
    // have to travel as a literal, which this never does.
    if (!conn.secretName) throw new Error(`services: Kafka connection ${envPrefix} has no credentials Secret on Kubernetes`);
    return { env, secretRefs: { [`${envPrefix}_PASSWORD`]: { name: conn.secretName, key: KAFKA_SECRET_KEYS.password } } };
  }
  return { env, secretEnv: { [`${envPrefix}_PASSWORD`]: conn.password } };
}
