import { z } from "zod";
import { dnsLabel, parseOrThrow, Problems, ValidationError } from "../../components/lib/validation";
import {
  ALIKAFKA_VERSIONS,
  CLEANUP_POLICIES,
  KAFKA_SIZES,
  KafkaCluster,
  MSK_VERSIONS,
  resolveKafkaSettings,
  type KafkaClusterArgs,
  type KafkaTarget,
} from "../../components/kafka-cluster";
import { type DataStoreDeps, managedStoreArgs, requirePlacement } from "./data-store-placement";
import type { SectionContext } from "./types";

/**
 * `platform:kafka`: the Kafka clusters of the stack, one KafkaCluster each (`components/kafka-cluster/`). The target
 * follows the platform like the databases': one KRaft container on Docker, Amazon MSK on AWS, ApsaraMQ for Kafka on
 * Alibaba Cloud.
 */
export const SECTION_KEY = "kafka";
const PREFIX = `platform:${SECTION_KEY}`;

const intField = z.number().int({ message: "must be a whole number" });

const topicSchema = z
  .object({
    name: z.string().describe("Topic name: letters, digits, `.`, `_`, `-` (at most 249; not starting with `__`; names differing only by `.`/`_` collide). Example: `orders.created`"),
    partitions: intField.optional().describe("Partitions, 1–1000; they only grow (a smaller value is reported, never applied) and adding some moves keys. Default: 3. Example: `12`"),
    replicationFactor: intField
      .optional()
      .describe("Copies of each partition, at most the broker count (aws: zones x brokersPerZone; docker: 1); at least 3 in prod on aws. Not settable on alicloud (cloud storage keeps three copies). Default: min(3, brokers)."),
    minInSyncReplicas: intField
      .optional()
      .describe("Replicas an `acks=all` write needs; below replicationFactor (unless it is 1). Not on alicloud. Default: replicationFactor - 1, between 1 and 2."),
    retentionHours: intField.optional().describe("Hours messages are kept (`retention.ms`), 1–87600. Default: 168 (7 days). Example: `72`"),
    cleanupPolicy: z
      .enum(CLEANUP_POLICIES as [string, ...string[]])
      .optional()
      .describe("`delete` (time-based retention) or `compact` (keep the latest value per key; on alicloud a local-storage topic). Default: `delete`."),
  })
  .strict();

const entrySchema = z
  .object({
    name: dnsLabel
      .max(24, { message: "must be at most 24 characters (it prefixes physical names)" })
      .describe("Cluster name (DNS label); prefixes child and physical names (`<name>-kafka-credentials`, job `<name>-kafka-exporter`). Caution: renaming replaces the cluster."),
    version: z
      .string()
      .min(1)
      .describe(
        `Kafka version, checked against the target: MSK ${MSK_VERSIONS.join(", ")}; ApsaraMQ ${ALIKAFKA_VERSIONS.join(", ")}; ` +
          "Docker the full apache/kafka version from 3.7.0 (KRaft, no ZooKeeper). Example: `3.9.x`",
      ),
    size: z
      .enum(KAFKA_SIZES as [string, ...string[]])
      .optional()
      .describe("Size class: MSK broker type (small kafka.t3.small, medium kafka.m7g.large, large kafka.m7g.xlarge), ApsaraMQ traffic specification (alikafka.hw.2xlarge / 6xlarge / 12xlarge) or Docker memory (1/2/4 GiB). Default: profile database size (staging small, prod large)."),
    instanceClass: z
      .string()
      .optional()
      .describe("Exact MSK broker type (`kafka.m7g.large`) or ApsaraMQ traffic specification (`alikafka.hw.6xlarge`), overriding `size`; managed targets only. Default: the size class mapping."),
    zones: intField.optional().describe("aws: zones the brokers spread over, 2 or 3, at most `platform:network.zones`. Default: min(3, network zones)."),
    brokersPerZone: intField
      .optional()
      .describe("aws: brokers per zone (MSK's broker count is zones x brokersPerZone, at most 30); prod needs at least 3 brokers. Default: 1 (prod: enough for 3 brokers)."),
    storageGb: intField.optional().describe("Storage in GB: per broker on MSK (1–16384), of the instance on ApsaraMQ (500–96000); not on docker. Caution: storage only grows. Default: aws 100, alicloud 500."),
    iamAuthentication: z.boolean().optional().describe("aws: also accept MSK IAM access control (port 9098) besides SASL/SCRAM. Default: false."),
    topics: z.array(topicSchema).optional().describe("Topics the cluster carries, created and kept in shape by the stack (at most 200). Default: none."),
    thresholds: z
      .object({
        consumerLagMessages: z
          .object({
            warning: z.number().optional().describe("Messages behind (per group and topic) at which the warning fires. Default: 1000."),
            critical: z.number().optional().describe("Messages behind at which the critical alert fires; above the warning. Default: 10000."),
          })
          .strict()
          .optional()
          .describe("KafkaConsumerGroupLag thresholds."),
      })
      .strict()
      .optional()
      .describe("Alert threshold overrides. Example: `{consumerLagMessages: {warning: 5000, critical: 50000}}`"),
  })
  .strict();

/** The raw section: a list of clusters; absent = none. */
export const schema = z.array(entrySchema).default([]).describe("Kafka clusters of the stack, one KafkaCluster each, with their topics.");
export type KafkaConfig = z.output<typeof schema>;

export function parseKafka(raw: unknown): KafkaConfig {
  return parseOrThrow(schema, raw, "stack config", PREFIX);
}

/** One validated cluster: component args minus what only exists at build time (placement, keys). */
export interface KafkaPlan {
  name: string;
  target: KafkaTarget;
  args: Omit<KafkaClusterArgs, "placement" | "encryptionKeyId">;
}
export type KafkaClustersPlan = KafkaPlan[];

/**
 * Pure: config + context -> validated KafkaCluster args, every problem with its key path
 * (`platform:kafka[0].topics[1].replicationFactor`). `networkZones` is the foundation network's zone count
 * (private subnets), which bounds MSK's zones.
 */
export function planKafka(parsed: KafkaConfig, sctx: SectionContext, networkZones?: number): KafkaClustersPlan {
  if (parsed.length === 0) return [];
  const target: KafkaTarget | undefined = sctx.platform.target === "docker" ? "docker" : sctx.platform.cloud === "none" ? undefined : sctx.platform.cloud;
  if (!target) {
    throw new ValidationError("stack config", [
      `${PREFIX}: a managed Kafka needs platform:cloud aws or alicloud when platform:target is kubernetes (got cloud "none"); set platform:cloud, or use platform:target docker for a local broker`,
    ]);
  }
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const plans: KafkaClustersPlan = [];
  parsed.forEach((entry, i) => {
    const at = `${PREFIX}[${i}]`;
    const first = seen.get(entry.name);
    if (first !== undefined) problems.push(`${at}.name: duplicates ${PREFIX}[${first}].name (got "${entry.name}")`);
    seen.set(entry.name, i);
    const args: KafkaPlan["args"] = {
      target,
      version: entry.version,
      size: (entry.size as KafkaClusterArgs["size"]) ?? sctx.profile.database.size,
      ...(entry.instanceClass !== undefined ? { instanceClass: entry.instanceClass } : {}),
      ...(entry.zones !== undefined ? { zones: entry.zones } : {}),
      ...(entry.brokersPerZone !== undefined ? { brokersPerZone: entry.brokersPerZone } : {}),
      ...(entry.storageGb !== undefined ? { storageGb: entry.storageGb } : {}),
      ...(entry.iamAuthentication !== undefined ? { iamAuthentication: entry.iamAuthentication } : {}),
      topics: (entry.topics ?? []).map((t) => ({ ...t, cleanupPolicy: t.cleanupPolicy as "delete" | "compact" | undefined })),
      ...(entry.thresholds ? { thresholds: entry.thresholds } : {}),
      protect: sctx.profile.database.deletionProtection,
    };
    const local = new Problems("stack config", at);
    resolveKafkaSettings(args as KafkaClusterArgs, sctx.platform.environment, local, target === "aws" ? networkZones : undefined);
    try {
      local.throwIfAny();
    } catch (e) {
      problems.push(...(e as ValidationError).problems);
    }
    plans.push({ name: entry.name, target, args });
  });
  if (problems.length > 0) throw new ValidationError("stack config", problems);
  return plans;
}

export type KafkaDeps = DataStoreDeps;

/** Registers one KafkaCluster per planned entry, keyed by name. */
export function buildKafka(plan: KafkaClustersPlan, sctx: SectionContext, deps: KafkaDeps = {}): Record<string, KafkaCluster> {
  requirePlacement(plan, deps, PREFIX, () => "Kafka");
  const out: Record<string, KafkaCluster> = {};
  for (const p of plan) out[p.name] = new KafkaCluster(p.name, { ...p.args, ...managedStoreArgs(p.target, deps) }, sctx.platform);
  return out;
}

export const plan = planKafka;
export const build = buildKafka;
