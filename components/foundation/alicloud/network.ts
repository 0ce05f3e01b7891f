import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import type { DataPlacement } from "../../lib/contracts";
import { cloudTags } from "../../lib/labels";
import { physicalName } from "../../lib/naming";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { Problems } from "../../lib/validation";
import { networkProblems, subnetLayout, type NetworkArgs } from "../args";
import { appTierPlacement, networkZones } from "../network-common";
import { TIER_TAG, tierIngressRules, WORLD_IPV4, WORLD_IPV6, type Tier } from "../tiers";

export const ALICLOUD_NETWORK_TYPE = "platform:foundation:AlicloudNetwork";

export function validateAlicloudNetworkArgs(name: string, args: NetworkArgs): void {
  const problems = new Problems(`AlicloudNetwork "${name}" args`);
  networkProblems(args, "alicloud", problems);
  problems.throwIfAny();
}

/**
 * VPC with public and private VSwitches per zone, NAT gateway(s) with EIP and SNAT entries for the private
 * VSwitches, flow logs to Log Service, and the load-balancer and app tier security groups.
 */
export class AlicloudNetwork extends pulumi.ComponentResource {
  readonly vpc: alicloud.vpc.Network;
  readonly publicVswitches: alicloud.vpc.Switch[];
  readonly privateVswitches: alicloud.vpc.Switch[];
  readonly natGateways: alicloud.vpc.NatGateway[];
  readonly eips: alicloud.ecs.EipAddress[];
  readonly snatEntries: alicloud.vpc.SnatEntry[];
  readonly loadBalancerSecurityGroup: alicloud.ecs.SecurityGroup;
  readonly appSecurityGroup: alicloud.ecs.SecurityGroup;
  readonly flowLog?: alicloud.vpc.FlowLog;
  readonly zoneIds: pulumi.Output<string>[];
  readonly placement: DataPlacement;

  constructor(name: string, args: NetworkArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateAlicloudNetworkArgs(name, args);
    super(ALICLOUD_NETWORK_TYPE, name, {}, opts);
    const t = args.transforms;
    const tags = (extra: Record<string, string> = {}) => ({ ...cloudTags(ctx, "network"), ...extra });
    const o: pulumi.CustomResourceOptions = { parent: this, ...providerFor(ctx, "alicloud") };
    const layout = subnetLayout(args);

    const zones = networkZones(args, () => alicloud.getZonesOutput({ availableResourceCreation: "VSwitch" }, o).ids);
    this.zoneIds = zones;

    this.vpc = new alicloud.vpc.Network(`${name}-vpc`, applyTransform(t, "vpc", {
      cidrBlock: args.cidr,
      description: `${ctx.project} ${ctx.environment} VPC`,
      tags: tags(),
    }), o);

    const vswitch = (kind: "public" | "private", block: string, i: number) =>
      new alicloud.vpc.Switch(`${name}-${kind}-${i}`, applyTransform(t, "subnet", {
        vpcId: this.vpc.id,
        cidrBlock: block,
        zoneId: zones[i],
        description: `${kind} vswitch, zone ${i}`,
        tags: tags({ Tier: kind }),
      }), o);
    this.publicVswitches = layout.public.map((b, i) => vswitch("public", b, i));
    this.privateVswitches = layout.private.map((b, i) => vswitch("private", b, i));

    const natCount = args.natPerZone ? args.zones : 1;
    this.eips = [];
    this.natGateways = Array.from({ length: natCount }, (_, i) => {
      const nat = new alicloud.vpc.NatGateway(`${name}-nat-${i}`, applyTransform(t, "nat", {
        vpcId: this.vpc.id,
        vswitchId: this.publicVswitches[i].id,
        natType: "Enhanced",
        paymentType: "PayAsYouGo",
        internetChargeType: "PayByLcu",
        description: `NAT for private vswitches${args.natPerZone ? ` of zone ${i}` : ""}`,
        tags: tags(),
      }), o);
      const eip = new alicloud.ecs.EipAddress(`${name}-nat-${i}-eip`, applyTransform(t, "eip", {
        internetChargeType: "PayByTraffic",
        paymentType: "PayAsYouGo",
        bandwidth: "100",
        description: `egress address of ${name}-nat-${i}`,
        tags: tags(),
      }), o);
      new alicloud.ecs.EipAssociation(`${name}-nat-${i}-eip-assoc`, { allocationId: eip.id, instanceId: nat.id, instanceType: "Nat" }, o);
      this.eips.push(eip);
      return nat;
    });

    // Each private vswitch gets its own route table so, with a NAT per zone, traffic never crosses zones.
    this.snatEntries = this.privateVswitches.map((vsw, i) => {
      const natIndex = args.natPerZone ? i : 0;
      const nat = this.natGateways[natIndex];
      const rt = new alicloud.vpc.RouteTable(`${name}-private-${i}-rt`, applyTransform(t, "route-table", {
        vpcId: this.vpc.id, description: `private vswitch ${i}`, tags: tags(),
      }), o);
      new alicloud.vpc.RouteTableAttachment(`${name}-private-${i}-rta`, { routeTableId: rt.id, vswitchId: vsw.id }, o);
      new alicloud.vpc.RouteEntry(`${name}-private-${i}-default`, applyTransform(t, "route", {
        routeTableId: rt.id, destinationCidrblock: WORLD_IPV4, nexthopType: "NatGateway", nexthopId: nat.id,
      }), o);
      return new alicloud.vpc.SnatEntry(`${name}-private-${i}-snat`, {
        snatTableId: nat.snatTableIds,
        sourceVswitchId: vsw.id,
        snatIp: this.eips[natIndex].ipAddress,
      }, o);
    });

    this.flowLog = args.flowLogs.enabled ? this.createFlowLog(name, args, ctx, o, tags) : undefined;

    const group = (tier: Tier, description: string) =>
      new alicloud.ecs.SecurityGroup(`${name}-${tier === "app" ? "app" : "lb"}-sg`, applyTransform(t, "security-group", {
        vpcId: this.vpc.id,
        description,
        // Members of a group do not reach each other unless a rule says so (the app tier has one).
        innerAccessPolicy: "Drop",
        tags: tags({ [TIER_TAG]: tier }),
      }), o);
    const groups: Record<Tier, alicloud.ecs.SecurityGroup> = {
      "load-balancer": group("load-balancer", "Load balancer tier: HTTP(S) from the internet"),
      app: group("app", "App tier: cluster nodes and pods; reachable from the load balancer tier only"),
    };
    this.loadBalancerSecurityGroup = groups["load-balancer"];
    this.appSecurityGroup = groups.app;
    for (const rule of tierIngressRules()) {
      const source = "cidr" in rule.source
        ? rule.source.cidr === WORLD_IPV6 ? { ipv6CidrIp: rule.source.cidr } : { cidrIp: rule.source.cidr }
        : { sourceSecurityGroupId: groups[rule.source.tier].id };
      new alicloud.ecs.SecurityGroupRule(`${name}-${rule.role}`, applyTransform(t, "security-group-rule", {
        type: "ingress",
        securityGroupId: groups[rule.tier].id,
        ipProtocol: rule.protocol,
        portRange: rule.protocol === "all" ? "-1/-1" : `${rule.fromPort}/${rule.toPort}`,
        nicType: "intranet",
        policy: "accept",
        priority: 1,
        description: rule.description,
        ...source,
      }), o);
    }

    this.placement = appTierPlacement(this.vpc, this.appSecurityGroup, this.privateVswitches, (v) => v.zoneId);
    this.registerOutputs({ vpcId: this.vpc.id, appSecurityGroupId: this.appSecurityGroup.id });
  }

  private createFlowLog(
    name: string,
    args: NetworkArgs,
    ctx: PlatformContext,
    o: pulumi.CustomResourceOptions,
    tags: () => Record<string, string>,
  ): alicloud.vpc.FlowLog {
    const t = args.transforms;
    const project = new alicloud.log.Project(`${name}-flow-logs`, applyTransform(t, "flow-log-group", {
      projectName: physicalName([ctx.project, ctx.environment, "flow-logs"], { maxLength: 63 }),
      description: "VPC flow logs",
      tags: tags(),
    }), o);
    const store = new alicloud.log.Store(`${name}-flow-logs-store`, {
      projectName: project.projectName,
      logstoreName: "vpc-flow-logs",
      retentionPeriod: args.flowLogs.retentionDays,
    }, o);
    return new alicloud.vpc.FlowLog(`${name}-flow-log`, applyTransform(t, "flow-log", {
      resourceType: "VPC",
      resourceId: this.vpc.id,
      trafficType: "All",
      projectName: project.projectName,
      logStoreName: store.logstoreName,
      status: "Active",
      tags: tags(),
    }), o);
  }
}
