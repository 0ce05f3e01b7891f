import type * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../lib/platform";
import type { ResolvedKafka } from "./validate";

/** SASL user every client of the cluster (and the exporter) authenticates as. */
export const KAFKA_USERNAME = "app";

/** What a per-target builder receives. */
export interface KafkaTargetInput {
  parent: pulumi.ComponentResource;
  name: string;
  kafka: ResolvedKafka;
  ctx: PlatformContext;
  /** Generated SASL password (secret output). */
  password: pulumi.Output<string>;
}

/** How clients reach the cluster, and what the builder registered. */
export interface KafkaTargetOutput {
  /** Comma-separated `host:port` bootstrap list. */
  bootstrapServers: pulumi.Output<string>;
  /** Port of the SASL listener clients use. */
  port: number;
  /** Whether the connection is TLS-encrypted. */
  tls: boolean;
  /** SASL mechanism clients use: `SCRAM-SHA-512` (MSK), `SCRAM-SHA-256` (ApsaraMQ), `PLAIN` (Docker). */
  saslMechanism: "SCRAM-SHA-512" | "SCRAM-SHA-256" | "PLAIN";
  /** ARN or instance id. */
  resourceId?: pulumi.Output<string>;
  children: Record<string, pulumi.Resource>;
}

/** Retention of a topic in milliseconds, as Kafka's `retention.ms`. */
export function retentionMs(hours: number): number {
  return hours * 3600 * 1000;
}
