import { onlyWebPorts, WORLD_CIDRS } from "./common";

/** One ingress permission in a provider-neutral shape. */
export interface IngressPermission {
  cidrs: string[];
  fromPort?: number;
  toPort?: number;
  protocol?: string;
}

/**
 * Describes each ingress permission that is open to the world beyond the load balancer's 80/443,
 * e.g. "0.0.0.0/0 on ports 5432-5432". Shared by the AWS and Alibaba Cloud rules.
 */
export function worldIngressProblems(permissions: IngressPermission[]): string[] {
  const problems: string[] = [];
  for (const p of permissions) {
    const world = p.cidrs.filter((c) => WORLD_CIDRS.has(c));
    if (world.length === 0) continue;
    const allProtocols = p.protocol === "-1" || p.protocol === "all";
    if (allProtocols || !onlyWebPorts(p.fromPort, p.toPort)) {
      problems.push(`${world.join(", ")} may reach ports ${allProtocols ? "all" : `${p.fromPort}-${p.toPort}`}; only 80 and 443 may be open to the world`);
    }
  }
  return problems;
}
