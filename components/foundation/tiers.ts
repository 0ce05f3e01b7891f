/**
 * The security tiering every cloud implements, as data. Components translate these rules into
 * provider resources; tests read them back from the recorded registrations.
 *
 *   load balancer  <- world on 80/443 only
 *   app            <- load balancer (all TCP: NodePorts and pod ports), and itself (node <-> node, pod <-> pod)
 *   data stores    <- app only (the data store components create that group from `DataPlacement`)
 */
export type Tier = "load-balancer" | "app";

/** Tag key the foundation writes on its security groups so policies and tests can tell tiers apart. */
export const TIER_TAG = "Tier";

/** The only ports the load balancer tier opens to the world. */
export const PUBLIC_PORTS: readonly number[] = [80, 443];

/** IPv4 and IPv6 "anywhere". */
export const WORLD_IPV4 = "0.0.0.0/0";
export const WORLD_IPV6 = "::/0";

export interface IngressRule {
  /** Role suffix of the rule resource. */
  role: string;
  tier: Tier;
  protocol: "tcp" | "all";
  fromPort: number;
  toPort: number;
  /** Either a world CIDR or another tier (or the same tier). */
  source: { cidr: string } | { tier: Tier };
  description: string;
}

/** The ingress rules of the foundation's tiers. */
export function tierIngressRules(): IngressRule[] {
  return [
    ...PUBLIC_PORTS.flatMap((port): IngressRule[] => [
      { role: `lb-${port}-v4`, tier: "load-balancer", protocol: "tcp", fromPort: port, toPort: port, source: { cidr: WORLD_IPV4 }, description: `HTTP(S) ${port} from the internet` },
      { role: `lb-${port}-v6`, tier: "load-balancer", protocol: "tcp", fromPort: port, toPort: port, source: { cidr: WORLD_IPV6 }, description: `HTTP(S) ${port} from the internet (IPv6)` },
    ]),
    { role: "app-from-lb", tier: "app", protocol: "tcp", fromPort: 1, toPort: 65535, source: { tier: "load-balancer" }, description: "traffic forwarded by the load balancer" },
    { role: "app-from-app", tier: "app", protocol: "all", fromPort: -1, toPort: -1, source: { tier: "app" }, description: "nodes and pods of the app tier talk to each other" },
  ];
}
