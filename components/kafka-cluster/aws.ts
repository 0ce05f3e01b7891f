import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudTags } from "../lib/labels";
import { providerFor } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { KAFKA_CLIENT_PORT, MSK_IAM_PORT } from "./catalog";
import { KAFKA_USERNAME, retentionMs, type KafkaTargetInput, type KafkaTargetOutput } from "./target";

/** Broker settings every cluster gets: no topic appears by accident, no unclean (data-losing) leader election. */
export function mskServerProperties(brokers: number): string {
  const rf = Math.min(3, brokers);
  return [
    "auto.create.topics.enable=false",
    `default.replication.factor=${rf}`,
    `min.insync.replicas=${Math.max(1, Math.min(2, rf - 1))}`,
    "unclean.leader.election.enable=false",
    "allow.everyone.if.no.acl.found=true",
  ].join("\n");
}

/**
 * Kafka on Amazon MSK: brokers spread over the private subnets of `zones` zones, no public access, TLS between
 * clients and brokers and inside the cluster, encryption at rest with a customer-managed KMS key, SASL/SCRAM
 * (the credentials in Secrets Manager, encrypted with that key, as MSK requires) and optionally IAM access
 * control, broker logs in CloudWatch Logs, and the declared topics as MSK topics.
 */
export function kafkaOnAws(input: KafkaTargetInput): KafkaTargetOutput {
  const { parent, name, kafka, ctx } = input;
  const provider = providerFor(ctx, "aws");
  const opts = { parent, ...provider };
  const dataOpts = { ...opts, protect: kafka.protect };
  const t = kafka.transforms;
  const tags = cloudTags(ctx, "kafka");
  const placement = kafka.placement!;
  const zones = kafka.zones!;
  const brokers = kafka.brokers!;

  // MSK refuses SCRAM secrets under the default Secrets Manager key: without a platform key the component brings one.
  const children: Record<string, pulumi.Resource> = {};
  let keyArn: pulumi.Input<string>;
  if (kafka.encryptionKeyId !== undefined) keyArn = kafka.encryptionKeyId;
  else {
    const key = new aws.kms.Key(
      `${name}-key`,
      applyTransform(t, "kmsKey", {
        description: `${name} Kafka: encryption at rest and SCRAM credentials`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      } satisfies aws.kms.KeyArgs),
      opts,
    );
    keyArn = key.arn;
    children.kmsKey = key;
  }

  const ports = [KAFKA_CLIENT_PORT.aws, ...(kafka.iamAuthentication ? [MSK_IAM_PORT] : [])];
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    applyTransform(t, "securityGroup", {
      vpcId: placement.vpcId,
      description: `${name} Kafka: ${ports.join(", ")}/tcp from the application tier only`,
      ingress: ports.map((port) => ({
        description: port === MSK_IAM_PORT ? "Kafka SASL/IAM over TLS from the application tier" : "Kafka SASL/SCRAM over TLS from the application tier",
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        securityGroups: placement.allowedSecurityGroupIds,
      })),
      // Brokers initiate no connections into the VPC.
      egress: [],
      tags,
    }),
    opts,
  );
  const configuration = new aws.msk.Configuration(
    `${name}-config`,
    applyTransform(t, "configuration", {
      kafkaVersions: [kafka.version],
      description: `${name} broker settings`,
      serverProperties: mskServerProperties(brokers),
    } satisfies aws.msk.ConfigurationArgs),
    opts,
  );
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-broker-logs`,
    applyTransform(t, "logGroup", { retentionInDays: 30, tags } satisfies aws.cloudwatch.LogGroupArgs),
    opts,
  );
  const cluster = new aws.msk.Cluster(
    `${name}-cluster`,
    applyTransform(t, "cluster", {
      kafkaVersion: kafka.version,
      numberOfBrokerNodes: brokers,
      brokerNodeGroupInfo: {
        instanceType: kafka.instanceClass!,
        clientSubnets: placement.subnetIds.slice(0, zones),
        securityGroups: [securityGroup.id],
        storageInfo: { ebsStorageInfo: { volumeSize: kafka.storageGb! } },
        connectivityInfo: { publicAccess: { type: "DISABLED" } },
      },
      clientAuthentication: { sasl: { scram: true, iam: kafka.iamAuthentication }, unauthenticated: false },
      encryptionInfo: { encryptionAtRestKmsKeyArn: keyArn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      enhancedMonitoring: ctx.environment === "prod" ? "PER_TOPIC_PER_BROKER" : "DEFAULT",
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } } },
      tags,
    } satisfies aws.msk.ClusterArgs),
    dataOpts,
  );

  // The SCRAM credentials: the secret's name must start with AmazonMSK_ and its key must be customer-managed.
  const scramSecret = new aws.secretsmanager.Secret(
    `${name}-scram`,
    applyTransform(t, "scramSecret", {
      namePrefix: `AmazonMSK_${name}-`,
      description: `${name} Kafka SASL/SCRAM credentials`,
      kmsKeyId: keyArn,
      recoveryWindowInDays: 7,
      tags,
    } satisfies aws.secretsmanager.SecretArgs),
    opts,
  );
  const scramSecretVersion = new aws.secretsmanager.SecretVersion(
    `${name}-scram`,
    applyTransform(t, "scramSecretVersion", {
      secretId: scramSecret.id,
      secretString: pulumi.secret(input.password.apply((password) => JSON.stringify({ username: KAFKA_USERNAME, password }))),
    } satisfies aws.secretsmanager.SecretVersionArgs),
    opts,
  );
  const scramAssociation = new aws.msk.ScramSecretAssociation(
    `${name}-scram`,
    applyTransform(t, "scramAssociation", { clusterArn: cluster.arn, secretArnLists: [scramSecret.arn] } satisfies aws.msk.ScramSecretAssociationArgs),
    { ...opts, dependsOn: [scramSecretVersion] },
  );

  Object.assign(children, { securityGroup, configuration, logGroup, cluster, scramSecret, scramSecretVersion, scramAssociation });
  for (const topic of kafka.topics) {
    children[`topic:${topic.name}`] = new aws.msk.Topic(
      `${name}-topic-${topic.name}`,
      applyTransform(t, "topic", {
        clusterArn: cluster.arn,
        name: topic.name,
        partitionCount: topic.partitions,
        replicationFactor: topic.replicationFactor!,
        configs: JSON.stringify({
          "retention.ms": String(retentionMs(topic.retentionHours)),
          "cleanup.policy": topic.cleanupPolicy,
          "min.insync.replicas": String(topic.minInSyncReplicas),
        }),
      } satisfies aws.msk.TopicArgs),
      dataOpts,
    );
  }
  return {
    bootstrapServers: cluster.bootstrapBrokersSaslScram,
    port: KAFKA_CLIENT_PORT.aws,
    tls: true,
    saslMechanism: "SCRAM-SHA-512",
    resourceId: cluster.arn,
    children,
  };
}
