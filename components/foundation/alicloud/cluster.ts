import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import * as k8s from "@pulumi/kubernetes";
import type { WorkloadIdentity } from "../../lib/contracts";
import { cloudTags } from "../../lib/labels";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { Problems } from "../../lib/validation";
import { ACK_SERVICE_CIDR, clusterProblems, NODE_INSTANCE_TYPES, type ClusterArgs } from "../args";

/** ACK add-on that turns RRSA role annotations on ServiceAccounts into injected credentials (see POD_IDENTITY_LABEL). */
export const POD_IDENTITY_ADDON = "ack-pod-identity-webhook";

export const ACK_CLUSTER_TYPE = "platform:foundation:AckCluster";

/**
 * The ACK node autoscaler (alicloud.cs.AutoscalingConfig; ACK runs cluster-autoscaler for auto-scaling node
 * pools): scale up for Pending pods up to the pool's maxSize, scale a node down after 10 minutes below half
 * its requests, least-waste when several pools fit. Same behaviour as the EKS Cluster Autoscaler's values.
 */
export const ACK_AUTOSCALER_SETTINGS = {
  scalerType: "cluster-autoscaler",
  expander: "least-waste",
  scanInterval: "30s",
  scaleDownEnabled: true,
  unneededDuration: "10m",
  coolDownDuration: "10m",
  utilizationThreshold: "0.5",
  skipNodesWithSystemPods: true,
  skipNodesWithLocalStorage: false,
  scaleUpFromZero: true,
} as const;

/** Terway in ENI-IP mode with NetworkPolicy on, so the AppService NetworkPolicies are enforced. */
export const TERWAY_ADDON = { name: "terway-eniip", config: JSON.stringify({ IPVlan: "false", NetworkPolicy: "true", ENITrunking: "false" }) };
/** Control-plane components whose logs ACK ships to Log Service. */
export const ACK_LOG_COMPONENTS = ["apiserver", "kcm", "scheduler", "ccm"];

export interface AckNetworkInputs {
  vpcId: pulumi.Input<string>;
  /** Private VSwitches (nodes and, with Terway, pods). */
  privateVswitchIds: pulumi.Input<string>[];
  appSecurityGroupId: pulumi.Input<string>;
}

export interface AckClusterArgs {
  cluster: ClusterArgs;
  network: AckNetworkInputs;
  /** KMS key id for Secret encryption. */
  secretsKeyId: pulumi.Input<string>;
  /** KMS key id for node system disks. */
  diskKeyId?: pulumi.Input<string>;
}

export function validateAckClusterArgs(name: string, args: AckClusterArgs): void {
  const problems = new Problems(`AckCluster "${name}" args`);
  clusterProblems(args.cluster, "alicloud", problems, "cluster");
  if (args.cluster.mode !== "ack") problems.add("cluster.mode", args.cluster.mode, 'must be "ack" for AckCluster');
  if (args.network.privateVswitchIds.length < 2) {
    problems.add("network.privateVswitchIds", args.network.privateVswitchIds.length, "ACK needs VSwitches in at least two zones");
  }
  problems.throwIfAny();
}

/**
 * ACK Pro managed cluster (Secrets encrypted by KMS, RRSA for workload identity, private API endpoint, Terway
 * with NetworkPolicy) and an auto-repairing, auto-scaling node pool in the private VSwitches carrying the
 * app-tier group, resized by ACK's node autoscaler between `nodes.min` and `nodes.max`.
 */
export class AckCluster extends pulumi.ComponentResource {
  readonly cluster: alicloud.cs.ManagedKubernetes;
  readonly nodePool: alicloud.cs.NodePool;
  /** The cluster's node autoscaler settings (the node pool scales between nodes.min and nodes.max). */
  readonly autoscalingConfig: alicloud.cs.AutoscalingConfig;
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly identity: WorkloadIdentity;

  constructor(name: string, args: AckClusterArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateAckClusterArgs(name, args);
    super(ACK_CLUSTER_TYPE, name, {}, opts);
    const c = args.cluster;
    const t = c.transforms;
    const o: pulumi.CustomResourceOptions = { parent: this, ...providerFor(ctx, "alicloud") };
    const tags = cloudTags(ctx, "cluster");

    this.cluster = new alicloud.cs.ManagedKubernetes(`${name}-cluster`, applyTransform(t, "cluster", {
      clusterSpec: "ack.pro.small",
      version: c.version,
      vswitchIds: args.network.privateVswitchIds,
      podVswitchIds: args.network.privateVswitchIds,
      serviceCidr: ACK_SERVICE_CIDR,
      securityGroupId: args.network.appSecurityGroupId,
      newNatGateway: false,
      slbInternetEnabled: false,
      encryptionProviderKey: args.secretsKeyId,
      enableRrsa: true,
      controlPlaneLogComponents: ACK_LOG_COMPONENTS,
      controlPlaneLogTtl: "90",
      deletionProtection: c.deletionProtection,
      // ack-pod-identity-webhook injects the RRSA token file and ALIBABA_CLOUD_ROLE_ARN / OIDC_PROVIDER_ARN /
      // OIDC_TOKEN_FILE into pods of namespaces labelled for it (the backup jobs' OSS credentials).
      addons: [TERWAY_ADDON, { name: "csi-plugin" }, { name: "csi-provisioner" }, { name: POD_IDENTITY_ADDON }, { name: "nginx-ingress-controller", disabled: true }],
      tags,
    }), o);
    this.clusterName = this.cluster.name;

    this.nodePool = new alicloud.cs.NodePool(`${name}-node-pool`, applyTransform(t, "node-pool", {
      clusterId: this.cluster.id,
      vswitchIds: args.network.privateVswitchIds,
      securityGroupIds: [args.network.appSecurityGroupId],
      instanceTypes: [NODE_INSTANCE_TYPES.alicloud[c.nodeSize]],
      systemDiskCategory: "cloud_essd",
      systemDiskSize: 80,
      systemDiskEncrypted: true,
      ...(args.diskKeyId ? { systemDiskKmsKey: args.diskKeyId } : {}),
      // An auto-scaling pool has no desired size of its own: it starts at minSize and the autoscaler resizes it.
      scalingConfig: { enable: true, minSize: c.nodes.min, maxSize: c.nodes.max },
      management: { enable: true, autoRepair: true, autoRepairPolicy: { restartNode: true }, autoUpgrade: true, maxUnavailable: 1 },
      tags,
    }), o);

    this.autoscalingConfig = new alicloud.cs.AutoscalingConfig(`${name}-autoscaling-config`, applyTransform(t, "autoscaling-config", {
      clusterId: this.cluster.id,
      ...ACK_AUTOSCALER_SETTINGS,
    }), { ...o, dependsOn: [this.nodePool] });

    const rrsa = this.cluster.rrsaMetadata;
    this.identity = { cloud: "alicloud", providerArn: rrsa.ramOidcProviderArn, issuerUrl: rrsa.rrsaOidcIssuerUrl };

    // The credential is read after the node pool exists so workloads have somewhere to run.
    const credential = alicloud.cs.getClusterCredentialOutput({ clusterId: this.cluster.id }, { ...o, dependsOn: [this.nodePool] });
    this.kubeconfig = pulumi.secret(credential.kubeConfig);
    this.provider = new k8s.Provider(`${name}-provider`, applyTransform(t, "provider", { kubeconfig: this.kubeconfig }), {
      parent: this,
      dependsOn: [this.nodePool],
    });
    this.registerOutputs({ clusterName: this.clusterName });
  }
}
