import type * as pulumi from "@pulumi/pulumi";
import type { KafkaClusterArgs } from "../../../components/kafka-cluster";
import type { DataPlacement } from "../../../components/lib/contracts";
import { PLACEMENT, providerOutputs as databaseOutputs } from "../monitored-database/fixtures";

export { platformContext } from "../monitored-database/fixtures";

/** Three private subnets in three zones (the prod network). */
export const PLACEMENT_3: DataPlacement = {
  ...PLACEMENT,
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  zoneIds: ["zone-a", "zone-b", "zone-c"],
};

export const TOPICS: KafkaClusterArgs["topics"] = [
  { name: "orders", partitions: 12, retentionHours: 72 },
  { name: "orders.audit", cleanupPolicy: "compact" },
];

/** Args per target as a stack would pass them. */
export function kafkaArgs(target: "aws" | "alicloud" | "docker", extra: Partial<KafkaClusterArgs> = {}): KafkaClusterArgs {
  return {
    target,
    version: target === "aws" ? "3.9.x" : target === "alicloud" ? "2.6.2" : "3.9.1",
    topics: TOPICS,
    ...(target === "docker" ? {} : { placement: PLACEMENT_3 }),
    ...extra,
  };
}

/** Computed outputs the real providers would return. */
export function providerOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> | undefined {
  switch (args.type) {
    case "aws:msk/cluster:Cluster":
      return {
        arn: `arn:aws:kafka:us-east-1:123456789012:cluster/${args.name}/uuid`,
        bootstrapBrokersSaslScram: `b-1.${args.name}.kafka.local:9096,b-2.${args.name}.kafka.local:9096`,
      };
    case "aws:msk/configuration:Configuration":
      return { arn: `arn:aws:kafka:::configuration/${args.name}`, latestRevision: 1 };
    case "alicloud:alikafka/instance:Instance":
      return { saslDomainEndpoint: `alikafka-${args.name}-1-vpc.alikafka.aliyuncs.com:9094,alikafka-${args.name}-2-vpc.alikafka.aliyuncs.com:9094` };
    case "random:index/randomId:RandomId":
      return { hex: "a1b2c3d4", b64Url: "MkU3QjVmNzQ4YjI0NDQ1Zg" };
    default:
      return databaseOutputs(args);
  }
}
