import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { DataPlacement } from "../../lib/contracts";
import { cloudTags } from "../../lib/labels";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { Problems } from "../../lib/validation";
import { networkProblems, subnetLayout, type NetworkArgs } from "../args";
import { appTierPlacement, networkZones } from "../network-common";
import { TIER_TAG, tierIngressRules, WORLD_IPV4, WORLD_IPV6, type Tier } from "../tiers";

export const AWS_NETWORK_TYPE = "platform:foundation:AwsNetwork";

/** Validates AWS network args; throws a ValidationError naming every bad key. */
export function validateAwsNetworkArgs(name: string, args: NetworkArgs): void {
  const problems = new Problems(`AwsNetwork "${name}" args`);
  networkProblems(args, "aws", problems);
  problems.throwIfAny();
}

/**
 * VPC with public and private subnets per zone, internet gateway, NAT gateway(s), flow logs, a closed
 * default security group, and the load-balancer and app tier security groups (see `tiers.ts`).
 */
export class AwsNetwork extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly publicSubnets: aws.ec2.Subnet[];
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly internetGateway: aws.ec2.InternetGateway;
  readonly natGateways: aws.ec2.NatGateway[];
  readonly defaultSecurityGroup: aws.ec2.DefaultSecurityGroup;
  readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
  readonly appSecurityGroup: aws.ec2.SecurityGroup;
  readonly flowLog?: aws.ec2.FlowLog;
  /** Zone names of the subnets, in order. */
  readonly zoneNames: pulumi.Output<string>[];
  /** Where data stores go: derived from network resources only, so they never wait for the cluster. */
  readonly placement: DataPlacement;

  constructor(name: string, args: NetworkArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateAwsNetworkArgs(name, args);
    super(AWS_NETWORK_TYPE, name, {}, opts);
    const t = args.transforms;
    const tags = (role: string, extra: Record<string, string> = {}) => ({ ...cloudTags(ctx, "network"), Name: `${name}-${role}`, ...extra });
    const o: pulumi.CustomResourceOptions = { parent: this, ...providerFor(ctx, "aws") };
    const layout = subnetLayout(args);

    const zones = networkZones(args, () => aws.getAvailabilityZonesOutput({ state: "available" }, o).names);
    this.zoneNames = zones;

    this.vpc = new aws.ec2.Vpc(`${name}-vpc`, applyTransform(t, "vpc", {
      cidrBlock: args.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tags("vpc"),
    }), o);

    // Closed default group: anything launched without an explicit group gets no traffic at all.
    this.defaultSecurityGroup = new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, applyTransform(t, "default-sg", {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: tags("default-sg"),
    }), o);

    this.internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, applyTransform(t, "gateway", { vpcId: this.vpc.id, tags: tags("igw") }), o);

    // Subnet role tags let the Kubernetes cloud controller place internet-facing load balancers in public subnets.
    this.publicSubnets = layout.public.map((block, i) => new aws.ec2.Subnet(`${name}-public-${i}`, applyTransform(t, "subnet", {
      vpcId: this.vpc.id,
      cidrBlock: block,
      availabilityZone: zones[i],
      mapPublicIpOnLaunch: false,
      tags: tags(`public-${i}`, { Tier: "public", "kubernetes.io/role/elb": "1" }),
    }), o));
    this.privateSubnets = layout.private.map((block, i) => new aws.ec2.Subnet(`${name}-private-${i}`, applyTransform(t, "subnet", {
      vpcId: this.vpc.id,
      cidrBlock: block,
      availabilityZone: zones[i],
      mapPublicIpOnLaunch: false,
      tags: tags(`private-${i}`, { Tier: "private", "kubernetes.io/role/internal-elb": "1" }),
    }), o));

    const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, applyTransform(t, "route-table", { vpcId: this.vpc.id, tags: tags("public-rt") }), o);
    new aws.ec2.Route(`${name}-public-default`, applyTransform(t, "route", {
      routeTableId: publicRt.id,
      destinationCidrBlock: WORLD_IPV4,
      gatewayId: this.internetGateway.id,
    }), o);
    this.publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}-rta`, { subnetId: s.id, routeTableId: publicRt.id }, o));

    const natCount = args.natPerZone ? args.zones : 1;
    this.natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}-eip`, applyTransform(t, "eip", { domain: "vpc", tags: tags(`nat-${i}-eip`) }), o);
      return new aws.ec2.NatGateway(`${name}-nat-${i}`, applyTransform(t, "nat", {
        allocationId: eip.allocationId,
        subnetId: this.publicSubnets[i].id,
        tags: tags(`nat-${i}`),
      }), { ...o, dependsOn: [this.internetGateway] });
    });
    this.privateSubnets.forEach((s, i) => {
      const rt = new aws.ec2.RouteTable(`${name}-private-${i}-rt`, applyTransform(t, "route-table", { vpcId: this.vpc.id, tags: tags(`private-${i}-rt`) }), o);
      new aws.ec2.Route(`${name}-private-${i}-default`, applyTransform(t, "route", {
        routeTableId: rt.id,
        destinationCidrBlock: WORLD_IPV4,
        natGatewayId: this.natGateways[args.natPerZone ? i : 0].id,
      }), o);
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}-rta`, { subnetId: s.id, routeTableId: rt.id }, o);
    });

    this.flowLog = args.flowLogs.enabled ? this.createFlowLog(name, args, o, tags) : undefined;

    const groups: Record<Tier, aws.ec2.SecurityGroup> = {
      "load-balancer": new aws.ec2.SecurityGroup(`${name}-lb-sg`, applyTransform(t, "security-group", {
        vpcId: this.vpc.id,
        description: "Load balancer tier: HTTP(S) from the internet",
        tags: tags("lb-sg", { [TIER_TAG]: "load-balancer" }),
      }), o),
      app: new aws.ec2.SecurityGroup(`${name}-app-sg`, applyTransform(t, "security-group", {
        vpcId: this.vpc.id,
        description: "App tier: cluster nodes and pods; reachable from the load balancer tier only",
        tags: tags("app-sg", { [TIER_TAG]: "app" }),
      }), o),
    };
    this.loadBalancerSecurityGroup = groups["load-balancer"];
    this.appSecurityGroup = groups.app;

    for (const rule of tierIngressRules()) {
      const source = "cidr" in rule.source
        ? rule.source.cidr === WORLD_IPV6 ? { cidrIpv6: rule.source.cidr } : { cidrIpv4: rule.source.cidr }
        : { referencedSecurityGroupId: groups[rule.source.tier].id };
      new aws.vpc.SecurityGroupIngressRule(`${name}-${rule.role}`, applyTransform(t, "security-group-rule", {
        securityGroupId: groups[rule.tier].id,
        ipProtocol: rule.protocol === "all" ? "-1" : "tcp",
        ...(rule.protocol === "all" ? {} : { fromPort: rule.fromPort, toPort: rule.toPort }),
        ...source,
        description: rule.description,
        tags: tags(rule.role),
      }), o);
    }
    // The load balancer only forwards into the VPC; the app tier needs the internet (through NAT) for images.
    new aws.vpc.SecurityGroupEgressRule(`${name}-lb-egress`, applyTransform(t, "security-group-rule", {
      securityGroupId: groups["load-balancer"].id, ipProtocol: "tcp", fromPort: 1, toPort: 65535, cidrIpv4: args.cidr,
      description: "forward to targets inside the VPC", tags: tags("lb-egress"),
    }), o);
    new aws.vpc.SecurityGroupEgressRule(`${name}-app-egress`, applyTransform(t, "security-group-rule", {
      securityGroupId: groups.app.id, ipProtocol: "-1", cidrIpv4: WORLD_IPV4,
      description: "outbound through NAT (images, cloud APIs)", tags: tags("app-egress"),
    }), o);

    this.placement = appTierPlacement(this.vpc, this.appSecurityGroup, this.privateSubnets, (s) => s.availabilityZone);
    this.registerOutputs({ vpcId: this.vpc.id, appSecurityGroupId: this.appSecurityGroup.id });
  }

  private createFlowLog(
    name: string,
    args: NetworkArgs,
    o: pulumi.CustomResourceOptions,
    tags: (role: string) => Record<string, string>,
  ): aws.ec2.FlowLog {
    const t = args.transforms;
    if (args.flowLogs.destination === "bucket") {
      const bucket = new aws.s3.Bucket(`${name}-flow-logs`, applyTransform(t, "flow-log-bucket", { forceDestroy: false, tags: tags("flow-logs") }), o);
      new aws.s3.BucketPublicAccessBlock(`${name}-flow-logs-pab`, {
        bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
      }, o);
      new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-flow-logs-sse`, {
        bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      }, o);
      new aws.s3.BucketLifecycleConfiguration(`${name}-flow-logs-lifecycle`, {
        bucket: bucket.id,
        rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: args.flowLogs.retentionDays } }],
      }, o);
      return new aws.ec2.FlowLog(`${name}-flow-log`, applyTransform(t, "flow-log", {
        vpcId: this.vpc.id, trafficType: "ALL", logDestinationType: "s3", logDestination: bucket.arn, tags: tags("flow-log"),
      }), o);
    }
    const group = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, applyTransform(t, "flow-log-group", {
      retentionInDays: args.flowLogs.retentionDays, tags: tags("flow-logs"),
    }), o);
    const role = new aws.iam.Role(`${name}-flow-log-role`, applyTransform(t, "flow-log-role", {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: tags("flow-log-role"),
    }), o);
    new aws.iam.RolePolicy(`${name}-flow-log-policy`, {
      role: role.id,
      policy: group.arn.apply((arn) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
          Resource: [arn, `${arn}:*`],
        }],
      })),
    }, o);
    return new aws.ec2.FlowLog(`${name}-flow-log`, applyTransform(t, "flow-log", {
      vpcId: this.vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: group.arn, iamRoleArn: role.arn, tags: tags("flow-log"),
    }), o);
  }
}
