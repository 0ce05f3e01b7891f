import type { KafkaSize, KafkaTarget } from "./args";

/**
 * What each target offers for Kafka, in one place. Sources: Amazon MSK supported Apache Kafka versions (3.6.0,
 * then `x` patch lines; `.kraft` lines run KRaft controllers, 4.x is KRaft only), ApsaraMQ for Kafka
 * `serviceVersion` of standard instances (2.2.0, 2.6.2), the official apache/kafka image (published from 3.7.0;
 * KRaft only), MSK broker types and ApsaraMQ traffic specifications.
 */
export const MSK_VERSIONS = [
  "3.6.0",
  "3.7.x",
  "3.7.x.kraft",
  "3.8.x",
  "3.8.x.kraft",
  "3.9.x",
  "3.9.x.kraft",
  "4.0.x.kraft",
  "4.1.x.kraft",
] as const;
export const ALIKAFKA_VERSIONS = ["2.2.0", "2.6.2"] as const;
/** apache/kafka tags: 3.7.0 and later, full version. */
const DOCKER_VERSION = /^(3\.([7-9])|4\.\d{1,2})\.\d{1,2}$/;

/** Problem text when `version` is not offered by the target, else undefined. */
export function kafkaVersionProblem(target: KafkaTarget, version: unknown, imageOverride: boolean): string | undefined {
  if (typeof version !== "string") return "must be a version string";
  if (target === "aws") {
    return (MSK_VERSIONS as readonly string[]).includes(version) ? undefined : `is not offered by Amazon MSK; use one of ${MSK_VERSIONS.join(", ")}`;
  }
  if (target === "alicloud") {
    return (ALIKAFKA_VERSIONS as readonly string[]).includes(version)
      ? undefined
      : `is not offered by ApsaraMQ for Kafka (standard instances); use one of ${ALIKAFKA_VERSIONS.join(", ")}`;
  }
  if (imageOverride) return /^\d+\.\d+\.\d+$/.test(version) ? undefined : "must be the full version of the image, e.g. 3.9.1";
  return DOCKER_VERSION.test(version)
    ? undefined
    : "must be a full apache/kafka version from 3.7.0 on, e.g. 3.9.1 or 4.1.0 (the image tag is pinned to it; KRaft needs no ZooKeeper)";
}

/**
 * Protocol version kafka_exporter (Sarama) speaks: Sarama picks request versions from it without negotiating, so it
 * must not be newer than the brokers. 3.6.0 is the newest both Sarama and every 3.x/4.x broker here understand.
 */
export function exporterProtocolVersion(target: KafkaTarget, version: string): string {
  if (target === "alicloud") return version === "2.2.0" ? "2.2.0" : "2.6.0";
  return "3.6.0";
}

const MSK_M5 = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"];
const MSK_M7G = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];
const MSK_CLASS = new RegExp(`^kafka\\.(t3\\.small|m5\\.(${MSK_M5.join("|")})|m7g\\.(${MSK_M7G.join("|")}))$`);
const ALIKAFKA_CLASS = /^alikafka\.(hw|hr)\.(\d{1,2})?xlarge$/;

/** Problem text when `instanceClass` is not a broker type / traffic specification of the target. */
export function kafkaClassProblem(target: Exclude<KafkaTarget, "docker">, instanceClass: unknown): string | undefined {
  if (typeof instanceClass !== "string") return "must be a string";
  if (target === "aws") {
    return MSK_CLASS.test(instanceClass)
      ? undefined
      : "must be an MSK broker type: kafka.t3.small, kafka.m5.<large..24xlarge> or kafka.m7g.<large..16xlarge>, e.g. kafka.m7g.large";
  }
  return ALIKAFKA_CLASS.test(instanceClass)
    ? undefined
    : "must be an ApsaraMQ for Kafka traffic specification alikafka.hw.<n>xlarge (high write) or alikafka.hr.<n>xlarge (high read), e.g. alikafka.hw.2xlarge";
}

/** Size classes per managed target: the broker type (MSK) or traffic specification (ApsaraMQ). */
export const KAFKA_CLASSES: Record<Exclude<KafkaTarget, "docker">, Record<KafkaSize, string>> = {
  aws: { small: "kafka.t3.small", medium: "kafka.m7g.large", large: "kafka.m7g.xlarge" },
  alicloud: { small: "alikafka.hw.2xlarge", medium: "alikafka.hw.6xlarge", large: "alikafka.hw.12xlarge" },
};

/** Docker memory limit in MiB per size (the JVM heap gets half). */
export const KAFKA_DOCKER_MEMORY_MB: Record<KafkaSize, number> = { small: 1024, medium: 2048, large: 4096 };

/** Storage bounds in GB: MSK EBS per broker 1–16384; ApsaraMQ instance disk 500–96000. */
export const KAFKA_STORAGE_GB: Record<Exclude<KafkaTarget, "docker">, { min: number; max: number; default: number }> = {
  aws: { min: 1, max: 16384, default: 100 },
  alicloud: { min: 500, max: 96000, default: 500 },
};

/** MSK: client subnets (zones) per cluster, and the default broker quota per cluster. */
export const MSK_ZONES = { min: 2, max: 3 } as const;
export const MSK_MAX_BROKERS = 30;

/** Partitions per topic: Kafka has no hard limit; beyond 1000 one topic outgrows a small cluster's budget. */
export const MAX_PARTITIONS = 1000;
/** Retention bound in hours (10 years), like every other retention of the platform. */
export const MAX_RETENTION_HOURS = 87600;
/** Topics per cluster declared in config. */
export const MAX_TOPICS = 200;

/** Ports clients use: MSK SASL/SCRAM over TLS 9096 (IAM 9098); ApsaraMQ VPC SASL endpoint 9094; Docker SASL 9092. */
export const KAFKA_CLIENT_PORT: Record<KafkaTarget, number> = { aws: 9096, alicloud: 9094, docker: 9092 };
export const MSK_IAM_PORT = 9098;
