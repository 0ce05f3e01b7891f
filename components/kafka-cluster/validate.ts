import type * as pulumi from "@pulumi/pulumi";
import { thresholdOrderProblem } from "../lib/alerts";
import type { DataPlacement } from "../lib/contracts";
import type { PlatformContext } from "../lib/platform";
import type { Transforms } from "../lib/transform";
import { imagePinProblem, Problems } from "../lib/validation";
import {
  CLEANUP_POLICIES,
  KAFKA_SIZES,
  KAFKA_TARGETS,
  type CleanupPolicy,
  type KafkaChildRole,
  type KafkaClusterArgs,
  type KafkaSize,
  type KafkaTarget,
  type KafkaThresholds,
} from "./args";
import {
  KAFKA_CLASSES,
  KAFKA_STORAGE_GB,
  kafkaClassProblem,
  kafkaVersionProblem,
  MAX_PARTITIONS,
  MAX_RETENTION_HOURS,
  MAX_TOPICS,
  MSK_MAX_BROKERS,
  MSK_ZONES,
} from "./catalog";

/** A topic after validation, every default applied. */
export interface ResolvedTopic {
  name: string;
  partitions: number;
  /** Undefined where the service decides (ApsaraMQ cloud storage). */
  replicationFactor?: number;
  minInSyncReplicas?: number;
  retentionHours: number;
  cleanupPolicy: CleanupPolicy;
}

/** Args after validation, with every default applied. Only this shape reaches the resource builders. */
export interface ResolvedKafka {
  target: KafkaTarget;
  version: string;
  size: KafkaSize;
  /** Broker type (MSK) or traffic specification (ApsaraMQ). */
  instanceClass?: string;
  /** aws: zones (client subnets) and brokers in total. docker: 1 broker. alicloud: undefined (the service decides). */
  zones?: number;
  brokers?: number;
  storageGb?: number;
  topics: ResolvedTopic[];
  iamAuthentication: boolean;
  placement?: DataPlacement;
  encryptionKeyId?: pulumi.Input<string>;
  thresholds: KafkaThresholds;
  protect: boolean;
  highAvailability: boolean;
  publishPort?: number;
  image?: string;
  exporter: boolean;
  transforms: Transforms<KafkaChildRole>;
}

export const DEFAULT_KAFKA_THRESHOLDS: KafkaThresholds = { consumerLagMessages: { warning: 1000, critical: 10000 } };
export const DEFAULT_PARTITIONS = 3;
export const DEFAULT_RETENTION_HOURS = 168;

/** Kafka topic names: legal characters and length; `.` and `..` are reserved; `__` marks internal topics. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/** Default brokers per zone: one, and in prod enough for three brokers (replication factor 3 survives a zone). */
export function defaultBrokersPerZone(zones: number, environment: PlatformContext["environment"]): number {
  return environment === "prod" ? Math.ceil(3 / zones) : 1;
}

/**
 * Validates every setting that does not depend on the surrounding platform (shared by the component and by the
 * `kafka` config section, which reports with `platform:kafka[i]` key paths). `zonesAvailable` is how many private
 * subnets the placement offers (aws), when known.
 */
export function resolveKafkaSettings(
  args: KafkaClusterArgs,
  environment: PlatformContext["environment"],
  problems: Problems,
  zonesAvailable?: number,
): ResolvedKafka | undefined {
  if (!KAFKA_TARGETS.includes(args.target)) {
    problems.add("target", args.target, `must be one of ${KAFKA_TARGETS.join(", ")}`);
    return undefined;
  }
  const { target } = args;
  const managed = target !== "docker";
  const prod = environment === "prod";

  const versionProblem = kafkaVersionProblem(target, args.version, args.image !== undefined);
  if (versionProblem) problems.add("version", args.version, versionProblem);
  if (args.image !== undefined) {
    if (managed) problems.add("image", args.image, "is only used by the docker target; remove it");
    else {
      const pin = imagePinProblem(args.image);
      if (pin) problems.add("image", args.image, pin);
    }
  }

  const size = args.size ?? "small";
  if (!KAFKA_SIZES.includes(size)) problems.add("size", args.size, `must be one of ${KAFKA_SIZES.join(", ")}`);
  let instanceClass: string | undefined;
  if (args.instanceClass !== undefined && !managed) {
    problems.add("instanceClass", args.instanceClass, "is only used by managed targets (aws, alicloud); use size on docker");
  } else if (managed) {
    instanceClass = args.instanceClass ?? KAFKA_CLASSES[target][KAFKA_SIZES.includes(size) ? size : "small"];
    const problem = args.instanceClass !== undefined ? kafkaClassProblem(target, args.instanceClass) : undefined;
    if (problem) problems.add("instanceClass", args.instanceClass, problem);
    else if (target === "aws" && prod && instanceClass === "kafka.t3.small") {
      problems.add("instanceClass", instanceClass, "kafka.t3.small is a burstable development type MSK does not recommend for production; use kafka.m7g.large or larger (size medium/large)");
    }
  }

  // Brokers: MSK spreads brokersPerZone over 2 or 3 zones; Docker runs one broker; ApsaraMQ sizes brokers itself.
  let zones: number | undefined;
  let brokers: number | undefined;
  if (target === "aws") {
    const available = zonesAvailable ?? MSK_ZONES.max;
    zones = args.zones ?? Math.min(MSK_ZONES.max, available);
    if (!isInt(zones, MSK_ZONES.min, MSK_ZONES.max)) {
      problems.add("zones", args.zones ?? zones, `must be ${MSK_ZONES.min} or ${MSK_ZONES.max} (MSK client subnets in distinct zones)`);
    } else if (zonesAvailable !== undefined && zones > zonesAvailable) {
      problems.add("zones", zones, `must be at most the ${zonesAvailable} private subnets of the network (platform:network.zones)`);
    }
    const perZone = args.brokersPerZone ?? defaultBrokersPerZone(isInt(zones, 1, 6) ? zones : MSK_ZONES.min, environment);
    const maxPerZone = Math.floor(MSK_MAX_BROKERS / (isInt(zones, 1, 6) ? zones : MSK_ZONES.min));
    if (!isInt(perZone, 1, maxPerZone)) {
      problems.add("brokersPerZone", args.brokersPerZone, `must be a whole number from 1 to ${maxPerZone} (MSK allows ${MSK_MAX_BROKERS} brokers per cluster)`);
    } else if (isInt(zones, 1, 6)) {
      brokers = perZone * zones;
      if (prod && brokers < 3) {
        problems.add("brokersPerZone", perZone, `gives ${brokers} brokers; prod needs at least 3 so replication factor 3 survives the loss of a broker`);
      }
    }
  } else {
    if (args.zones !== undefined) problems.add("zones", args.zones, `is only used on aws (${target === "alicloud" ? "ApsaraMQ places brokers across the VSwitches' zones itself" : "Docker runs one broker"})`);
    if (args.brokersPerZone !== undefined) {
      problems.add("brokersPerZone", args.brokersPerZone, `is only used on aws (${target === "alicloud" ? "ApsaraMQ sizes its brokers from the traffic specification (instanceClass)" : "Docker runs one KRaft broker"})`);
    }
    if (target === "docker") brokers = 1;
  }
  if (args.iamAuthentication !== undefined && args.iamAuthentication && target !== "aws") {
    problems.add("iamAuthentication", true, "is only available on aws (MSK IAM access control)");
  }

  let storageGb: number | undefined;
  if (managed) {
    const range = KAFKA_STORAGE_GB[target];
    storageGb = args.storageGb ?? range.default;
    if (!isInt(storageGb, range.min, range.max)) {
      problems.add("storageGb", args.storageGb, `must be a whole number of GB from ${range.min} to ${range.max} on ${target}`);
    }
  } else if (args.storageGb !== undefined) {
    problems.add("storageGb", args.storageGb, "is not used on docker (the broker writes to a named volume)");
  }

  const topics = resolveTopics(args, target, brokers, prod, problems);
  const thresholds = resolveKafkaThresholds(args.thresholds, problems);

  if (args.publishPort !== undefined) {
    if (managed) problems.add("publishPort", args.publishPort, "is only used by the docker target");
    else if (!isInt(args.publishPort, 1, 65535)) problems.add("publishPort", args.publishPort, "must be a port between 1 and 65535");
  }
  if (args.encryptionKeyId !== undefined && !managed) {
    problems.add("encryptionKeyId", "<key>", "is only used by managed targets; docker volumes are not KMS-encrypted");
  }

  return {
    target,
    version: args.version,
    size,
    instanceClass,
    zones,
    brokers,
    storageGb,
    topics,
    iamAuthentication: args.iamAuthentication === true,
    placement: args.placement,
    encryptionKeyId: args.encryptionKeyId,
    thresholds,
    protect: args.protect ?? prod,
    // Several zones (MSK) or ApsaraMQ's professional edition across zones in prod.
    highAvailability: target === "aws" ? (zones ?? 0) >= 2 : target === "alicloud" ? prod : false,
    publishPort: args.publishPort,
    image: target === "docker" ? args.image ?? `apache/kafka:${args.version}` : undefined,
    exporter: args.exporter ?? true,
    transforms: args.transforms ?? {},
  };
}

function resolveTopics(args: KafkaClusterArgs, target: KafkaTarget, brokers: number | undefined, prod: boolean, problems: Problems): ResolvedTopic[] {
  const entries = args.topics ?? [];
  if (!Array.isArray(entries)) {
    problems.add("topics", entries, "must be a list of { name, partitions?, replicationFactor?, retentionHours?, ... }");
    return [];
  }
  if (entries.length > MAX_TOPICS) problems.add("topics", entries.length, `must list at most ${MAX_TOPICS} topics per cluster`);
  const out: ResolvedTopic[] = [];
  const seen = new Map<string, number>();
  // Kafka refuses topics whose names differ only by '.' versus '_' (they collide in metric names).
  const collisions = new Map<string, number>();
  entries.forEach((t, i) => {
    const at = (key: string) => ["topics", i, key];
    let ok = true;
    const name = t?.name;
    if (typeof name !== "string" || !TOPIC_NAME.test(name) || name === "." || name === "..") {
      problems.add(at("name"), name, "must be 1-249 characters of letters, digits, '.', '_' or '-' (and not '.' or '..')");
      ok = false;
    } else if (name.startsWith("__")) {
      problems.add(at("name"), name, "must not start with '__' (reserved for Kafka's internal topics)");
      ok = false;
    } else if (seen.has(name)) {
      problems.add(at("name"), name, `duplicates topics[${seen.get(name)}].name`);
      ok = false;
    } else if (collisions.has(name.replace(/\./g, "_"))) {
      problems.add(at("name"), name, `collides with topics[${collisions.get(name.replace(/\./g, "_"))}].name ('.' and '_' are the same in Kafka's metric names)`);
      ok = false;
    }
    if (typeof name === "string") {
      if (!seen.has(name)) seen.set(name, i);
      if (!collisions.has(name.replace(/\./g, "_"))) collisions.set(name.replace(/\./g, "_"), i);
    }

    const partitions = t?.partitions ?? DEFAULT_PARTITIONS;
    if (!isInt(partitions, 1, MAX_PARTITIONS)) {
      problems.add(at("partitions"), t?.partitions, `must be a whole number from 1 to ${MAX_PARTITIONS}`);
      ok = false;
    }

    let replicationFactor: number | undefined;
    let minInSyncReplicas: number | undefined;
    if (target === "alicloud") {
      if (t?.replicationFactor !== undefined) {
        problems.add(at("replicationFactor"), t.replicationFactor, "is not settable on alicloud (ApsaraMQ cloud-storage topics keep three copies in the storage layer); remove it");
        ok = false;
      }
      if (t?.minInSyncReplicas !== undefined) {
        problems.add(at("minInSyncReplicas"), t.minInSyncReplicas, "is not settable on alicloud (the storage layer replicates); remove it");
        ok = false;
      }
    } else if (brokers !== undefined) {
      replicationFactor = t?.replicationFactor ?? Math.min(3, brokers);
      if (!isInt(replicationFactor, 1, brokers)) {
        problems.add(
          at("replicationFactor"),
          t?.replicationFactor,
          `must be a whole number from 1 to the broker count (${brokers} on ${target}${target === "aws" ? ": zones x brokersPerZone" : ": one KRaft broker"})`,
        );
        ok = false;
      } else {
        if (prod && target === "aws" && replicationFactor < 3) {
          problems.add(at("replicationFactor"), replicationFactor, "must be at least 3 in prod (a broker may be down for maintenance while writes keep their guarantees)");
          ok = false;
        }
        minInSyncReplicas = t?.minInSyncReplicas ?? Math.max(1, Math.min(2, replicationFactor - 1));
        if (!isInt(minInSyncReplicas, 1, replicationFactor)) {
          problems.add(at("minInSyncReplicas"), t?.minInSyncReplicas, `must be a whole number from 1 to replicationFactor (${replicationFactor})`);
          ok = false;
        } else if (replicationFactor > 1 && minInSyncReplicas === replicationFactor) {
          problems.add(at("minInSyncReplicas"), minInSyncReplicas, `must be below replicationFactor (${replicationFactor}), or one broker restart blocks every acks=all write`);
          ok = false;
        }
      }
    }

    const retentionHours = t?.retentionHours ?? DEFAULT_RETENTION_HOURS;
    if (!isInt(retentionHours, 1, MAX_RETENTION_HOURS)) {
      problems.add(at("retentionHours"), t?.retentionHours, `must be a whole number of hours from 1 to ${MAX_RETENTION_HOURS}`);
      ok = false;
    }
    const cleanupPolicy = t?.cleanupPolicy ?? "delete";
    if (!CLEANUP_POLICIES.includes(cleanupPolicy)) {
      problems.add(at("cleanupPolicy"), t?.cleanupPolicy, `must be one of ${CLEANUP_POLICIES.join(", ")}`);
      ok = false;
    }
    if (ok) out.push({ name, partitions, replicationFactor, minInSyncReplicas, retentionHours, cleanupPolicy });
  });
  return out;
}

function resolveKafkaThresholds(overrides: KafkaClusterArgs["thresholds"], problems: Problems): KafkaThresholds {
  const pair = { ...DEFAULT_KAFKA_THRESHOLDS.consumerLagMessages };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (key !== "consumerLagMessages") {
      problems.add(["thresholds", key], value, "unknown Kafka threshold (allowed: consumerLagMessages)");
      continue;
    }
    for (const level of ["warning", "critical"] as const) {
      const v = (value as Partial<Record<string, unknown>> | undefined)?.[level];
      if (v === undefined) continue;
      if (!isInt(v, 1, Number.MAX_SAFE_INTEGER)) problems.add(["thresholds", key, level], v, "must be a positive whole number of messages");
      else pair[level] = v;
    }
    const order = thresholdOrderProblem(pair, true);
    if (order) problems.add(["thresholds", key], pair, order);
  }
  return { consumerLagMessages: pair };
}

/** Checks that the platform can host the cluster: placement for managed targets, networks for Docker. */
function checkPlatformFit(k: ResolvedKafka, ctx: PlatformContext, problems: Problems): void {
  if (k.target === "docker") {
    if (ctx.target !== "docker") problems.add("target", "docker", `a docker Kafka needs the docker platform target (platform target is ${ctx.target}); use aws or alicloud`);
    else if (!ctx.dockerNetworks) problems.add("target", "docker", "needs the platform's Docker networks (PlatformContext.dockerNetworks)");
    return;
  }
  if (ctx.cloud !== k.target) problems.add("target", k.target, `must match the platform cloud (${ctx.cloud})`);
  if (ctx.target !== "kubernetes") problems.add("target", k.target, "a managed Kafka is monitored from the Kubernetes platform target; use docker on the docker target");
  const p = k.placement;
  if (!p) {
    problems.add("placement", undefined, `is required for a managed ${k.target} Kafka (vpcId, private subnets, allowed sources from the network)`);
    return;
  }
  const open = p.allowedCidrBlocks.find((c) => c === "0.0.0.0/0" || c === "::/0");
  if (open) problems.add(["placement", "allowedCidrBlocks"], open, "must not allow the whole internet; use the VPC CIDR");
  if (k.target === "aws") {
    if (k.zones !== undefined && p.subnetIds.length < k.zones) {
      problems.add(["placement", "subnetIds"], p.subnetIds.length, `needs at least ${k.zones} private subnets in distinct zones (zones = ${k.zones})`);
    }
    if (p.allowedSecurityGroupIds.length < 1) problems.add(["placement", "allowedSecurityGroupIds"], 0, "needs at least one security group of the application tier");
  } else {
    if (p.subnetIds.length < 1) problems.add(["placement", "subnetIds"], 0, "needs at least one VSwitch");
    if ((p.zoneIds?.length ?? 0) < 1) problems.add(["placement", "zoneIds"], 0, "needs the zone of each VSwitch on alicloud");
    if (k.highAvailability && ((p.zoneIds?.length ?? 0) < 2 || p.subnetIds.length < 2)) {
      problems.add(["placement", "zoneIds"], p.zoneIds?.length ?? 0, "a prod ApsaraMQ instance spans two zones and needs two VSwitches in two zones");
    }
    if (p.allowedCidrBlocks.length < 1) problems.add(["placement", "allowedCidrBlocks"], 0, "needs the VPC CIDR for the instance's allowed IPs");
  }
}

/**
 * Validates KafkaCluster args against the platform, synchronously and before anything is registered. Throws one
 * ValidationError naming every bad key, its value and what is allowed.
 */
export function validateKafkaClusterArgs(name: string, args: KafkaClusterArgs, ctx: PlatformContext): ResolvedKafka {
  const problems = new Problems(`KafkaCluster "${name}" args`);
  if (!/^[a-z][a-z0-9-]{0,23}$/.test(name)) {
    problems.add("name", name, "must be 1-24 lowercase letters, digits or '-', starting with a letter (it prefixes physical names)");
  }
  const k = resolveKafkaSettings(args, ctx.environment, problems, args.target === "aws" ? args.placement?.subnetIds.length : undefined);
  if (k) checkPlatformFit(k, ctx, problems);
  problems.throwIfAny();
  return k!;
}
