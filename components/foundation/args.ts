import type * as pulumi from "@pulumi/pulumi";
import { LIMITS } from "../lib/limits";
import { Problems } from "../lib/validation";
import type { Transforms } from "../lib/transform";
import { cidr, deriveSubnets, parseCidr, subnetListProblems, vpcCidrProblems, type SubnetLayout } from "./cidr";

/** Which Kubernetes cluster the platform runs on. */
export type ClusterMode = "eks" | "ack" | "existing";
export const CLUSTER_MODES: readonly ClusterMode[] = ["eks", "ack", "existing"];

/** Node size class; each cloud maps it to an instance type (see `NODE_INSTANCE_TYPES`). */
export type NodeSize = "small" | "medium" | "large";
export const NODE_SIZES: readonly NodeSize[] = ["small", "medium", "large"];

/** Instance types per size class. The seeds' CloudFormation defaults to t3.large (medium here). */
export const NODE_INSTANCE_TYPES: Record<"aws" | "alicloud", Record<NodeSize, string>> = {
  aws: { small: "t3.medium", medium: "t3.large", large: "m5.xlarge" },
  alicloud: { small: "ecs.g7.large", medium: "ecs.g7.xlarge", large: "ecs.g7.2xlarge" },
};

/** Where VPC flow logs go: the cloud's log service (CloudWatch Logs / SLS) or a bucket (S3, AWS only). */
export type FlowLogDestination = "logs" | "bucket";

export interface FlowLogSettings {
  /** Record accepted and rejected traffic of the VPC. @default true */
  enabled: boolean;
  /** @default "logs" (CloudWatch Logs on AWS, Log Service on Alibaba Cloud). `bucket` is AWS only. */
  destination: FlowLogDestination;
  /** Days the flow log records are kept. @default 30 */
  retentionDays: number;
}

/** Child roles of the network components, for `transforms`. */
export type NetworkRole =
  | "vpc" | "subnet" | "gateway" | "nat" | "eip" | "route-table" | "route" | "flow-log" | "flow-log-role"
  | "flow-log-group" | "flow-log-bucket" | "default-sg" | "security-group" | "security-group-rule";

/** Plain network settings: they decide how many resources exist, so none of them is an Output. */
export interface NetworkArgs {
  /**
   * VPC block (private range, /16 to /24).
   * @default "10.0.0.0/16" (the seeds' CloudFormation VPC)
   * @example "10.20.0.0/16"
   * Caution: changing it replaces the VPC and everything in it.
   */
  cidr: string;
  /**
   * Number of zones (2 to 6); one public and one private subnet per zone.
   * @default profile.network.zones (2)
   * Caution: lowering it deletes the subnets of the dropped zones.
   */
  zones: number;
  /**
   * Explicit zone names in order (e.g. `["us-east-1a", "us-east-1b"]`); must belong to the region.
   * @default the first `zones` zones the region reports
   */
  availabilityZones?: string[];
  /** Region name, when known at plan time; explicit zone names are checked against it. */
  region?: string;
  /**
   * Explicit public subnet blocks, one per zone. @default derived from `cidr` (see `deriveSubnets`)
   * Caution: changing a block replaces that subnet.
   */
  publicSubnetCidrs?: string[];
  /** Explicit private subnet blocks, one per zone. @default derived from `cidr` */
  privateSubnetCidrs?: string[];
  /**
   * One NAT gateway per zone (no cross-zone dependency) instead of one for the VPC.
   * @default profile.network.natPerZone (staging false, prod true)
   */
  natPerZone: boolean;
  /** VPC flow logs. @default { enabled: true, destination: "logs", retentionDays: 30 } */
  flowLogs: FlowLogSettings;
  /** Per-child arg adjustments (escape hatch). */
  transforms?: Transforms<NetworkRole>;
}

/** Node group sizing. */
export interface NodeScaling {
  min: number;
  max: number;
  desired: number;
}

export type ClusterRole =
  | "cluster" | "cluster-role" | "node-role" | "node-group" | "launch-template" | "oidc" | "log-group" | "node-pool" | "provider"
  | "load-balancer-controller" | "cluster-autoscaler" | "autoscaling-config";

/** Plain cluster settings. */
export interface ClusterArgs {
  /**
   * `eks` (AWS), `ack` (Alibaba Cloud) or `existing` (a kubeconfig from a secret).
   * Caution: switching replaces the cluster and every workload on it.
   */
  mode: ClusterMode;
  /** Kubernetes version. @default "1.34" on EKS; the newest ACK offers when unset on ACK. @example "1.33" */
  version?: string;
  /** Node size class. @default "medium" in staging, "large" in prod */
  nodeSize: NodeSize;
  /** Node autoscaling bounds. @default staging {1,3,2}, prod {3,10,3} */
  nodes: NodeScaling;
  /**
   * CIDRs allowed to reach a public API endpoint. Empty keeps the endpoint private (reach it from the VPC).
   * 0.0.0.0/0 is refused. ACK supports only the private endpoint here.
   * @default []
   * @example ["203.0.113.0/24"]
   */
  endpointPublicAccessCidrs: string[];
  /** `existing`: kubeconfig (a secret Output). */
  kubeconfig?: pulumi.Input<string>;
  /** `existing`: whether the control plane is managed by a cloud (no scheduler/controller-manager to scrape). @default false */
  managedControlPlane?: boolean;
  /** Prod clusters refuse deletion. @default true in prod */
  deletionProtection: boolean;
  transforms?: Transforms<ClusterRole>;
}

export const EKS_DEFAULT_VERSION = "1.34";
/** ACK service CIDR; the VPC must not overlap it. */
export const ACK_SERVICE_CIDR = "172.21.0.0/20";

/** Problems of network args, collected into `problems` under key paths relative to its prefix. */
export function networkProblems(args: NetworkArgs, cloud: "aws" | "alicloud", problems: Problems, prefix = ""): void {
  const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
  for (const problem of vpcCidrProblems(args.cidr)) problems.add(p("cidr"), args.cidr, problem);
  if (!Number.isInteger(args.zones) || args.zones < 2 || args.zones > 6) {
    problems.add(p("zones"), args.zones, "must be an integer from 2 to 6 (a cluster and HA data stores need at least two zones)");
  }
  const azs = args.availabilityZones;
  if (azs) {
    if (azs.length < args.zones) {
      problems.add(p("availabilityZones"), azs, `lists ${azs.length} zone(s) but zones is ${args.zones}; list at least as many zones as you use`);
    }
    if (new Set(azs).size !== azs.length) problems.add(p("availabilityZones"), azs, "must not repeat a zone");
    if (args.region) {
      const pattern = cloud === "aws" ? new RegExp(`^${escape(args.region)}[a-z]$`) : new RegExp(`^${escape(args.region)}-[a-z]$`);
      azs.forEach((az, i) => {
        if (!pattern.test(az)) {
          const example = cloud === "aws" ? `${args.region}a` : `${args.region}-h`;
          problems.add([...pathOf(p("availabilityZones")), i], az, `must be a zone of region ${args.region} (like ${example})`);
        }
      });
    }
  }
  const vpcOk = vpcCidrProblems(args.cidr).length === 0;
  for (const kind of ["publicSubnetCidrs", "privateSubnetCidrs"] as const) {
    const list = args[kind];
    if (!list) continue;
    if (list.length !== args.zones) problems.add(p(kind), list, `must list exactly one block per zone (${args.zones})`);
    const others = kind === "privateSubnetCidrs" ? (args.publicSubnetCidrs ?? []) : [];
    if (vpcOk) {
      for (const [i, problem] of subnetListProblems(args.cidr, list, others)) {
        problems.add([...pathOf(p(kind)), i], list[i], problem);
      }
    }
  }
  if (vpcOk && Number.isInteger(args.zones) && args.zones >= 2 && args.zones <= 6 && !(args.publicSubnetCidrs && args.privateSubnetCidrs)) {
    const derived = deriveSubnets(parseCidr(args.cidr) as Exclude<ReturnType<typeof parseCidr>, string>, args.zones);
    if (typeof derived === "string") problems.add(p("cidr"), args.cidr, derived);
  }
  if (!Number.isInteger(args.flowLogs.retentionDays) || args.flowLogs.retentionDays < 1 || args.flowLogs.retentionDays > LIMITS.retentionDays) {
    problems.add(p("flowLogs.retentionDays"), args.flowLogs.retentionDays, `must be a whole number of days from 1 to ${LIMITS.retentionDays}`);
  }
  if (cloud === "alicloud" && args.flowLogs.destination === "bucket") {
    problems.add(p("flowLogs.destination"), "bucket", 'must be "logs" on Alibaba Cloud (flow logs go to Log Service)');
  }
}

/** Problems of cluster args for the given cloud. */
export function clusterProblems(args: ClusterArgs, cloud: "aws" | "alicloud" | "none", problems: Problems, prefix = ""): void {
  const p = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const allowed: Record<typeof cloud, ClusterMode[]> = { aws: ["eks", "existing"], alicloud: ["ack", "existing"], none: ["existing"] };
  if (!allowed[cloud].includes(args.mode)) {
    problems.add(p("mode"), args.mode, `is not available with cloud ${cloud}; allowed: ${allowed[cloud].join(", ")}`);
  }
  if (args.mode === "existing" && args.kubeconfig === undefined) {
    problems.add(p("kubeconfigSecret"), undefined, "mode existing needs a kubeconfig from a secret config key");
  }
  const n = args.nodes;
  if (![n.min, n.max, n.desired].every((v) => Number.isInteger(v) && v >= 0) || n.min > n.desired || n.desired > n.max || n.max < 1 || n.max > LIMITS.nodes) {
    problems.add(p("nodes"), n, `must be whole numbers with 0 <= min <= desired <= max, 1 <= max <= ${LIMITS.nodes}`);
  }
  args.endpointPublicAccessCidrs.forEach((c, i) => {
    const parsed = parseCidr(c);
    if (typeof parsed === "string") problems.add([...pathOf(p("endpointPublicAccessCidrs")), i], c, parsed);
    else if (parsed.prefix === 0) problems.add([...pathOf(p("endpointPublicAccessCidrs")), i], c, "must not open the API endpoint to the whole internet; list your office/VPN ranges or leave empty for a private endpoint");
  });
  if (args.mode === "ack" && args.endpointPublicAccessCidrs.length > 0) {
    problems.add(p("endpointPublicAccessCidrs"), args.endpointPublicAccessCidrs, "is not supported on ACK; the API endpoint stays private (reach it through the VPC)");
  }
  if (args.version !== undefined && !/^1\.\d{1,2}(\.\d+(-aliyun\.\d+)?)?$/.test(args.version)) {
    problems.add(p("version"), args.version, 'must be a Kubernetes version like "1.34" (EKS) or "1.33.1-aliyun.1" (ACK)');
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Splits "a.b" into ["a", "b"] so Problems renders nested paths. */
function pathOf(path: string): string[] {
  return path.split(".");
}

/** The subnet blocks the network will use: explicit ones, else derived from the VPC block. */
export function subnetLayout(args: NetworkArgs): SubnetLayout {
  const derived = deriveSubnets(cidr(args.cidr), args.zones);
  if (typeof derived === "string") throw new Error(`network args were not validated: ${derived}`);
  return {
    public: args.publicSubnetCidrs ?? derived.public,
    private: args.privateSubnetCidrs ?? derived.private,
  };
}

