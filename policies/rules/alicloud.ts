import type { ResourceValidationPolicy } from "@pulumi/policy";
import { WORLD_CIDRS } from "./common";
import { worldIngressProblems } from "./network";

/** Alibaba Cloud writes port ranges as "5432/5432" (or "-1/-1" for all). */
export function parsePortRange(range: string | undefined): { from?: number; to?: number } {
  const m = /^(-?\d+)\/(-?\d+)$/.exec(range ?? "");
  return m ? { from: Number(m[1]), to: Number(m[2]) } : {};
}

export const noWorldIngress: ResourceValidationPolicy = {
  name: "alicloud-no-world-ingress",
  description: "Security group rules admit 0.0.0.0/0 only on 80/443 (the load balancer).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "alicloud:ecs/securityGroupRule:SecurityGroupRule") return;
    const p = args.props;
    if (p.type !== "ingress") return;
    const { from, to } = parsePortRange(p.portRange);
    const protocol = p.ipProtocol === "all" ? "all" : p.ipProtocol;
    for (const problem of worldIngressProblems([{ cidrs: [p.cidrIp, p.ipv6CidrIp].filter(Boolean), fromPort: from, toPort: to, protocol }])) {
      reportViolation(problem);
    }
  },
};

export const dataStoreWhitelist: ResourceValidationPolicy = {
  name: "alicloud-data-store-whitelist",
  description: "RDS and KVStore whitelists never contain 0.0.0.0/0.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "alicloud:rds/instance:Instance" && args.type !== "alicloud:kvstore/instance:Instance") return;
    const ips: string[] = args.props.securityIps ?? [];
    for (const ip of ips) if (WORLD_CIDRS.has(ip) || ip === "0.0.0.0") reportViolation(`whitelist contains ${ip}`);
  },
};

export const ossPrivate: ResourceValidationPolicy = {
  name: "alicloud-oss-private",
  description: "OSS buckets are private and encrypted server-side.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "alicloud:oss/bucket:Bucket") return;
    const p = args.props;
    if (p.acl && p.acl !== "private") reportViolation(`bucket ACL is "${p.acl}"; it must be private`);
    if (!p.serverSideEncryptionRule?.sseAlgorithm) reportViolation("server-side encryption is not configured");
  },
};

export const alicloudPolicies: ResourceValidationPolicy[] = [noWorldIngress, dataStoreWhitelist, ossPrivate];
