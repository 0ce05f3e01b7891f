import * as pulumi from "@pulumi/pulumi";
import type { DataPlacement } from "../lib/contracts";
import type { NetworkArgs } from "./args";

/**
 * The zones a network spans, in order: the pinned `availabilityZones` when given, otherwise the first
 * `zones` the provider lists (`lookUp` runs only then, so pinned zones never touch the provider API).
 */
export function networkZones(args: NetworkArgs, lookUp: () => pulumi.Output<string[]>): pulumi.Output<string>[] {
  if (args.availabilityZones) return args.availabilityZones.slice(0, args.zones).map((z) => pulumi.output(z));
  const found = lookUp();
  return Array.from({ length: args.zones }, (_, i) => found[i]);
}

/**
 * Where data stores go: the private subnets (VSwitches) and their zones, the app tier security group as
 * the only allowed source and the VPC CIDR for whitelists. Derived from network resources only, so data
 * stores never wait for the cluster.
 */
export function appTierPlacement<S extends { id: pulumi.Output<string> }>(
  vpc: { id: pulumi.Output<string>; cidrBlock: pulumi.Output<string> },
  appSecurityGroup: { id: pulumi.Output<string> },
  privateSubnets: S[],
  zoneOf: (subnet: S) => pulumi.Input<string>,
): DataPlacement {
  return {
    vpcId: vpc.id,
    subnetIds: privateSubnets.map((s) => s.id),
    allowedSecurityGroupIds: [appSecurityGroup.id],
    allowedCidrBlocks: [vpc.cidrBlock],
    zoneIds: privateSubnets.map(zoneOf),
  };
}
