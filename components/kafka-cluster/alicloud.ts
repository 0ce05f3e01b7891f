import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { cloudTags } from "../lib/labels";
import { providerFor } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { KAFKA_CLIENT_PORT } from "./catalog";
import { KAFKA_USERNAME, retentionMs, type KafkaTargetInput, type KafkaTargetOutput } from "./target";

/** ApsaraMQ deploy type 5: reachable from the VPC only (4 would add an internet endpoint). */
const VPC_ONLY = 5;
/** Disk type 1: standard SSD. */
const SSD = 1;
/** Partitions are bought in steps; every instance includes at least 50. */
const PARTITION_STEP = 50;

/** Partitions to buy: the declared topics' partitions rounded up to the next step, at least one step spare. */
export function purchasedPartitions(topicPartitions: number): number {
  return (Math.ceil(topicPartitions / PARTITION_STEP) + 1) * PARTITION_STEP;
}

/**
 * Kafka on ApsaraMQ for Kafka: a VPC-only instance on SSDs across two zones in prod (professional edition),
 * encryption at rest with the platform's KMS key, SASL/SCRAM users with ACLs (`enable.acl`), no automatic topic
 * creation, the allowed-IP list of the SASL endpoint limited to the VPC, and the declared topics.
 *
 * In transit: ApsaraMQ's VPC endpoints do not offer TLS (only its internet SSL endpoint does, which this component
 * never enables); SCRAM keeps the password off the wire, and the traffic stays inside the VPC.
 */
export function kafkaOnAlicloud(input: KafkaTargetInput): KafkaTargetOutput {
  const { parent, name, kafka, ctx } = input;
  const provider = providerFor(ctx, "alicloud");
  const opts = { parent, ...provider };
  const t = kafka.transforms;
  const placement = kafka.placement!;
  const zones = placement.zoneIds ?? [];
  const ha = kafka.highAvailability;
  const partitions = kafka.topics.reduce((sum, topic) => sum + topic.partitions, 0);

  const instance = new alicloud.alikafka.Instance(
    `${name}-instance`,
    applyTransform(t, "instance", {
      deployType: VPC_ONLY,
      diskType: SSD,
      diskSize: kafka.storageGb!,
      ioMaxSpec: kafka.instanceClass!,
      specType: ha ? "professional" : "normal",
      serviceVersion: kafka.version,
      partitionNum: purchasedPartitions(partitions),
      paidType: "PostPaid",
      vpcId: placement.vpcId,
      vswitchId: placement.subnetIds[0],
      vswitchIds: ha ? placement.subnetIds.slice(0, 2) : [placement.subnetIds[0]],
      zoneId: zones[0],
      ...(ha ? { selectedZones: zones.slice(0, 2) } : {}),
      kmsKeyId: kafka.encryptionKeyId,
      enableAutoTopic: "disable",
      config: JSON.stringify({ "enable.acl": "true" }),
      tags: cloudTags(ctx, "kafka"),
    } satisfies alicloud.alikafka.InstanceArgs),
    { ...opts, protect: kafka.protect },
  );
  const children: Record<string, pulumi.Resource> = { instance };
  placement.allowedCidrBlocks.forEach((cidr, i) => {
    children[`allowedIp${i}`] = new alicloud.alikafka.InstanceAllowedIpAttachment(
      `${name}-allowed-${i}`,
      { instanceId: instance.id, allowedType: "vpc", portRange: `${KAFKA_CLIENT_PORT.alicloud}/${KAFKA_CLIENT_PORT.alicloud}`, allowedIp: cidr },
      opts,
    );
  });
  const saslUser = new alicloud.alikafka.SaslUser(
    `${name}-sasl-user`,
    applyTransform(t, "saslUser", { instanceId: instance.id, username: KAFKA_USERNAME, password: pulumi.secret(input.password), type: "scram" } satisfies alicloud.alikafka.SaslUserArgs),
    opts,
  );
  children.saslUser = saslUser;
  // With ACLs on, a SASL user may do nothing until granted: produce/consume every topic, read every group.
  const grants: Array<[string, string, string]> = [
    ["topic-write", "Topic", "Write"],
    ["topic-read", "Topic", "Read"],
    ["topic-describe", "Topic", "Describe"],
    ["group-read", "Group", "Read"],
  ];
  for (const [role, resourceType, operation] of grants) {
    children[`acl:${role}`] = new alicloud.alikafka.SaslAcl(
      `${name}-acl-${role}`,
      applyTransform(t, "saslAcl", {
        instanceId: instance.id,
        username: saslUser.username,
        aclResourceType: resourceType,
        aclResourceName: "*",
        aclResourcePatternType: "LITERAL",
        aclOperationType: operation,
      } satisfies alicloud.alikafka.SaslAclArgs),
      opts,
    );
  }
  for (const topic of kafka.topics) {
    // Compaction needs local storage; cloud-storage topics (the default) are replicated by the storage layer.
    const compact = topic.cleanupPolicy === "compact";
    children[`topic:${topic.name}`] = new alicloud.alikafka.Topic(
      `${name}-topic-${topic.name}`,
      applyTransform(t, "topic", {
        instanceId: instance.id,
        topic: topic.name,
        remark: `${name}: managed by Pulumi`,
        partitionNum: topic.partitions,
        localTopic: compact,
        compactTopic: compact,
        configs: JSON.stringify({ "retention.ms": String(retentionMs(topic.retentionHours)) }),
        tags: cloudTags(ctx, "kafka"),
      } satisfies alicloud.alikafka.TopicArgs),
      { ...opts, protect: kafka.protect },
    );
  }
  return {
    bootstrapServers: instance.saslDomainEndpoint,
    port: KAFKA_CLIENT_PORT.alicloud,
    tls: false,
    saslMechanism: "SCRAM-SHA-256",
    resourceId: instance.id,
    children,
  };
}
