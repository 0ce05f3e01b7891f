import type { RecordedResource } from "../../helpers/mocks";
import { PUBLIC_PORTS, TIER_TAG, WORLD_IPV4, WORLD_IPV6 } from "../../../components/foundation/tiers";

/**
 * Pure checks over recorded registrations, shared by the foundation tests: the tiering rules written as
 * assertions a reviewer can read.
 */

const WORLD = new Set([WORLD_IPV4, WORLD_IPV6]);

interface WorldRule {
  where: string;
  groupId: string | undefined;
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidrs: string[];
}

function worldRules(resources: readonly RecordedResource[]): WorldRule[] {
  const out: WorldRule[] = [];
  for (const r of resources) {
    const i = r.inputs;
    const where = `${r.type} ${r.name}`;
    switch (r.type) {
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        const cidrs = [i.cidrIpv4, i.cidrIpv6].filter((c) => WORLD.has(c));
        if (cidrs.length) out.push({ where, groupId: i.securityGroupId, protocol: String(i.ipProtocol), fromPort: i.fromPort, toPort: i.toPort, cidrs });
        break;
      }
      case "aws:ec2/securityGroupRule:SecurityGroupRule": {
        const cidrs = [...(i.cidrBlocks ?? []), ...(i.ipv6CidrBlocks ?? [])].filter((c: string) => WORLD.has(c));
        if (i.type === "ingress" && cidrs.length) out.push({ where, groupId: i.securityGroupId, protocol: String(i.protocol), fromPort: i.fromPort, toPort: i.toPort, cidrs });
        break;
      }
      case "aws:ec2/securityGroup:SecurityGroup":
      case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        for (const [k, rule] of (i.ingress ?? []).entries()) {
          const cidrs = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].filter((c: string) => WORLD.has(c));
          if (cidrs.length) out.push({ where: `${where} ingress[${k}]`, groupId: r.id, protocol: String(rule.protocol), fromPort: rule.fromPort, toPort: rule.toPort, cidrs });
        }
        break;
      case "alicloud:ecs/securityGroupRule:SecurityGroupRule": {
        const cidrs = [i.cidrIp, i.ipv6CidrIp].filter((c) => WORLD.has(c));
        const [from, to] = String(i.portRange ?? "-1/-1").split("/").map(Number);
        if (i.type === "ingress" && cidrs.length) out.push({ where, groupId: i.securityGroupId, protocol: String(i.ipProtocol), fromPort: from, toPort: to, cidrs });
        break;
      }
    }
  }
  return out;
}

/** Tier tag of the security group with this id, if the group was recorded. */
function tierOf(resources: readonly RecordedResource[], groupId: string | undefined): string | undefined {
  const group = resources.find((r) => r.id === groupId && /securityGroup:SecurityGroup$/.test(r.type));
  return group?.inputs.tags?.[TIER_TAG];
}

/**
 * Every ingress from the whole internet that is not the load-balancer tier on TCP 80 or 443.
 * Empty means the tiering holds: data stores, nodes and default groups are unreachable from outside.
 */
export function worldIngressProblems(resources: readonly RecordedResource[]): string[] {
  return worldRules(resources).flatMap((rule) => {
    const problems: string[] = [];
    const tier = tierOf(resources, rule.groupId);
    if (tier !== "load-balancer") problems.push(`${rule.where}: ${rule.cidrs.join(",")} may reach group ${rule.groupId} (tier ${tier ?? "untagged"}); only the load-balancer tier may face the internet`);
    const tcp = rule.protocol === "tcp" || rule.protocol === "6";
    if (!tcp || rule.fromPort !== rule.toPort || !PUBLIC_PORTS.includes(rule.fromPort ?? -1)) {
      problems.push(`${rule.where}: opens ${rule.protocol} ${rule.fromPort}-${rule.toPort} to ${rule.cidrs.join(",")}; only TCP ${PUBLIC_PORTS.join("/")} may be`);
    }
    return problems;
  });
}

/** URNs of resources of `type` among a resource's transitive dependencies. */
export function dependsOnType(deps: Set<string>, resources: readonly RecordedResource[], type: string): string[] {
  return resources.filter((r) => r.type === type && deps.has(r.urn)).map((r) => r.urn);
}
