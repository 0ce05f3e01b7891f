import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { DataPlacement, EncryptionKeys, WorkloadIdentity } from "../lib/contracts";
import { CLOUDS, type PlatformContext } from "../lib/platform";
import { Problems } from "../lib/validation";
import { AlicloudKeys } from "./alicloud/kms";
import { AckCluster } from "./alicloud/cluster";
import { AlicloudNetwork } from "./alicloud/network";
import { ACK_SERVICE_CIDR, clusterProblems, networkProblems, type ClusterArgs, type NetworkArgs } from "./args";
import { AwsKeys } from "./aws/kms";
import { EksCluster } from "./aws/cluster";
import { AwsNetwork } from "./aws/network";
import { cidr, overlaps } from "./cidr";
import { Edge, edgeProblems, type EdgeArgs } from "./edge";
import { ExistingCluster } from "./existing-cluster";

export * from "./args";
export * from "./cidr";
export * from "./tiers";
export * from "./edge-values";
export * from "./gateway-manifests";
export { AwsNetwork, AlicloudNetwork, AwsKeys, AlicloudKeys, EksCluster, AckCluster, Edge, ExistingCluster };

export const FOUNDATION_TYPE = "platform:foundation:Foundation";

export interface FoundationArgs {
  /** Network settings; required when the context's cloud is aws or alicloud. */
  network?: NetworkArgs;
  cluster: ClusterArgs;
  /** Edge (Gateway API via Envoy Gateway, certificates, CDN, DNS). Omit to install none. */
  edge?: Omit<EdgeArgs, "kubernetesProvider" | "cloud">;
}

/**
 * Problems of foundation args for a context, with key paths relative to `prefix` (the stack config uses
 * `platform:`). Shared by the component and the stack section so both fail the same way.
 */
export function foundationProblems(args: FoundationArgs, ctx: Pick<PlatformContext, "cloud" | "target">, problems: Problems): void {
  if (!CLOUDS.includes(ctx.cloud)) {
    problems.add("cloud", ctx.cloud, `must be one of ${CLOUDS.join(", ")}`);
    return;
  }
  if (ctx.target !== "kubernetes") problems.add("target", ctx.target, "the foundation is built only for target kubernetes");
  clusterProblems(args.cluster, ctx.cloud, problems, "cluster");
  if (ctx.cloud !== "none") {
    if (!args.network) problems.add("network", undefined, `is required with cloud ${ctx.cloud}`);
    else {
      networkProblems(args.network, ctx.cloud, problems, "network");
      const vpc = safeCidr(args.network.cidr);
      if (args.cluster.mode === "ack" && vpc && overlaps(vpc, cidr(ACK_SERVICE_CIDR))) {
        problems.add("network.cidr", args.network.cidr, `must not overlap the ACK service CIDR ${ACK_SERVICE_CIDR}`);
      }
    }
  }
  if (args.edge) edgeProblems({ ...args.edge, cloud: ctx.cloud }, problems, "edge");
}

function safeCidr(text: string) {
  try {
    return cidr(text);
  } catch {
    return undefined;
  }
}

export function validateFoundationArgs(name: string, args: FoundationArgs, ctx: PlatformContext): void {
  const problems = new Problems(`Foundation "${name}" args`);
  foundationProblems(args, ctx, problems);
  problems.throwIfAny();
}

/**
 * The cloud foundation: network and KMS keys first, then the cluster (EKS / ACK / existing) and the edge on it.
 * `placement` comes from network resources only, so data stores never wait for the cluster.
 */
export class Foundation extends pulumi.ComponentResource {
  readonly network?: AwsNetwork | AlicloudNetwork;
  readonly keys?: AwsKeys | AlicloudKeys;
  readonly cluster!: EksCluster | AckCluster | ExistingCluster;
  readonly edge?: Edge;
  readonly kubernetesProvider: k8s.Provider;
  readonly placement?: DataPlacement;
  readonly identity?: WorkloadIdentity;
  readonly encryptionKeys?: EncryptionKeys;
  /** True when the cloud runs the control plane (no scheduler / controller-manager metrics to scrape). */
  readonly managedControlPlane: boolean;
  /** Secret Output. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName?: pulumi.Output<string>;
  readonly vpcId?: pulumi.Output<string>;

  constructor(name: string, args: FoundationArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateFoundationArgs(name, args, ctx);
    super(FOUNDATION_TYPE, name, {}, opts);
    const o = { parent: this };

    if (ctx.cloud === "aws") {
      const network = new AwsNetwork(`${name}-network`, args.network!, ctx, o);
      const keys = new AwsKeys(`${name}-keys`, {}, ctx, o);
      this.network = network;
      this.keys = keys;
      this.vpcId = network.vpc.id;
      this.placement = network.placement;
      this.encryptionKeys = keys.encryptionKeys;
      if (args.cluster.mode === "eks") {
        const cluster = new EksCluster(`${name}-cluster`, {
          cluster: args.cluster,
          network: { vpcId: network.vpc.id, privateSubnetIds: network.privateSubnets.map((s) => s.id), appSecurityGroupId: network.appSecurityGroup.id },
          secretsKeyArn: keys.keys.clusterSecrets.arn,
        }, ctx, o);
        this.cluster = cluster;
        this.identity = cluster.identity;
        this.clusterName = cluster.clusterName;
      }
    } else if (ctx.cloud === "alicloud") {
      const network = new AlicloudNetwork(`${name}-network`, args.network!, ctx, o);
      const keys = new AlicloudKeys(`${name}-keys`, {}, ctx, o);
      this.network = network;
      this.keys = keys;
      this.vpcId = network.vpc.id;
      this.placement = network.placement;
      this.encryptionKeys = keys.encryptionKeys;
      if (args.cluster.mode === "ack") {
        const cluster = new AckCluster(`${name}-cluster`, {
          cluster: args.cluster,
          network: { vpcId: network.vpc.id, privateVswitchIds: network.privateVswitches.map((v) => v.id), appSecurityGroupId: network.appSecurityGroup.id },
          secretsKeyId: keys.keys.clusterSecrets.id,
          diskKeyId: keys.keys.database.id,
        }, ctx, o);
        this.cluster = cluster;
        this.identity = cluster.identity;
        this.clusterName = cluster.clusterName;
      }
    }
    if (args.cluster.mode === "existing") {
      this.cluster = new ExistingCluster(`${name}-cluster`, { kubeconfig: args.cluster.kubeconfig! }, o);
    }
    this.managedControlPlane = args.cluster.mode === "existing" ? (args.cluster.managedControlPlane ?? false) : true;
    this.kubernetesProvider = this.cluster!.provider;
    this.kubeconfig = this.cluster!.kubeconfig;

    if (args.edge) {
      // The internal load balancer admits the VPC only (when the foundation built it).
      const internalSourceRanges = args.edge.internalSourceRanges ?? (args.network ? [args.network.cidr] : undefined);
      // On EKS the load balancer Services need the AWS Load Balancer Controller (and it must outlive them).
      const dependsOn = this.cluster instanceof EksCluster ? [this.cluster.loadBalancerController.release] : [];
      this.edge = new Edge(`${name}-edge`, { ...args.edge, internalSourceRanges, cloud: ctx.cloud, kubernetesProvider: this.kubernetesProvider, dependsOn }, ctx, o);
    }
    this.registerOutputs({ vpcId: this.vpcId });
  }
}
