import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { applyTransform } from "../lib/transform";
import type { TargetInput } from "./target";

/** Args both RDS and ElastiCache subnet groups accept. */
interface SubnetGroupArgs {
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  description?: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The network side of a managed data store on AWS: a subnet group over the placement's private subnets
 * (of the given kind, RDS or ElastiCache) and a security group that admits `db.port`/tcp only from the
 * application tier's security groups, with no egress rule (the managed service initiates no connections).
 */
export function awsDataStoreNetwork<S extends pulumi.CustomResource>(
  input: TargetInput,
  engineLabel: string,
  SubnetGroup: new (name: string, args: SubnetGroupArgs, opts?: pulumi.CustomResourceOptions) => S,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): { subnetGroup: S; securityGroup: aws.ec2.SecurityGroup } {
  const { name, db } = input;
  const placement = db.placement!;
  const t = db.transforms;
  const subnetGroup = new SubnetGroup(
    `${name}-subnets`,
    applyTransform(t, "subnetGroup", { subnetIds: placement.subnetIds, description: `${name} ${engineLabel} private subnets`, tags }),
    opts,
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-sg`,
    applyTransform(t, "securityGroup", {
      vpcId: placement.vpcId,
      description: `${name} ${engineLabel}: ${db.port}/tcp from the application tier only`,
      ingress: [
        {
          description: `${engineLabel} from the application tier`,
          protocol: "tcp",
          fromPort: db.port,
          toPort: db.port,
          securityGroups: placement.allowedSecurityGroupIds,
        },
      ],
      // RDS and ElastiCache initiate no connections; no egress rule.
      egress: [],
      tags,
    }),
    opts,
  );
  return { subnetGroup, securityGroup };
}
