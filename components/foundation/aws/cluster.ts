import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type { WorkloadIdentity } from "../../lib/contracts";
import { cloudTags } from "../../lib/labels";
import { physicalName } from "../../lib/naming";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { Problems } from "../../lib/validation";
import { clusterProblems, EKS_DEFAULT_VERSION, NODE_INSTANCE_TYPES, type ClusterArgs } from "../args";
import { eksKubeconfig } from "../kubeconfig";
import { clusterAutoscaler, loadBalancerController, type AwsController } from "./controllers";

export const EKS_CLUSTER_TYPE = "platform:foundation:EksCluster";

/** Every control-plane log type EKS can ship to CloudWatch Logs. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** AWS managed policies the roles need (partition-relative names). */
export const EKS_CLUSTER_POLICIES = ["AmazonEKSClusterPolicy"];
export const EKS_NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

/** Where the cluster goes: network outputs (never the other way round). */
export interface EksNetworkInputs {
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  /** App tier group attached to every node so data stores can allow it. */
  appSecurityGroupId: pulumi.Input<string>;
}

export interface EksClusterArgs {
  cluster: ClusterArgs;
  network: EksNetworkInputs;
  /** KMS key ARN for envelope encryption of Secrets. */
  secretsKeyArn: pulumi.Input<string>;
  /** Days control-plane logs are kept. @default 90 */
  logRetentionDays?: number;
}

export function validateEksClusterArgs(name: string, args: EksClusterArgs): void {
  const problems = new Problems(`EksCluster "${name}" args`);
  clusterProblems(args.cluster, "aws", problems, "cluster");
  if (args.cluster.mode !== "eks") problems.add("cluster.mode", args.cluster.mode, 'must be "eks" for EksCluster');
  if (args.network.privateSubnetIds.length < 2) {
    problems.add("network.privateSubnetIds", args.network.privateSubnetIds.length, "EKS needs subnets in at least two zones");
  }
  problems.throwIfAny();
}

/** The endpoint settings: private unless CIDRs are listed, and then restricted to them. */
export function eksEndpointConfig(cidrs: readonly string[]): { endpointPrivateAccess: true; endpointPublicAccess: boolean; publicAccessCidrs?: string[] } {
  return cidrs.length > 0
    ? { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...cidrs] }
    : { endpointPrivateAccess: true, endpointPublicAccess: false };
}

function assumeRole(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

/**
 * EKS control plane (Secrets encrypted with KMS, all control-plane logs, private or CIDR-restricted endpoint),
 * a managed node group in the private subnets carrying the app-tier security group, IAM roles with the AWS
 * managed policies, the OIDC provider for IRSA, a `k8s.Provider` using `aws eks get-token`, and the two AWS
 * controllers (IRSA roles, components/foundation/aws/controllers.ts): the Load Balancer Controller for the
 * edge's NLBs and the Cluster Autoscaler for the node group.
 */
export class EksCluster extends pulumi.ComponentResource {
  readonly clusterRole: aws.iam.Role;
  readonly nodeRole: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly cluster: aws.eks.Cluster;
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly nodeGroup: aws.eks.NodeGroup;
  readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  readonly provider: k8s.Provider;
  /** Secret Output. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly identity: WorkloadIdentity;
  /** Provisions the edge's NLBs (Services with `loadBalancerClass: service.k8s.aws/nlb`). */
  readonly loadBalancerController: AwsController;
  /** Resizes the node group between `nodes.min` and `nodes.max`. */
  readonly clusterAutoscaler: AwsController;

  constructor(name: string, args: EksClusterArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    validateEksClusterArgs(name, args);
    super(EKS_CLUSTER_TYPE, name, {}, opts);
    const c = args.cluster;
    const t = c.transforms;
    const o: pulumi.CustomResourceOptions = { parent: this, ...providerFor(ctx, "aws") };
    const tags = cloudTags(ctx, "cluster");
    const partition = aws.getPartitionOutput({}, o).partition;
    const policyArn = (p: string) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${p}`;
    // A fixed name lets the log group exist (with retention) before EKS would create it without one.
    const clusterName = physicalName([ctx.project, ctx.environment], { maxLength: 100 });

    this.clusterRole = new aws.iam.Role(`${name}-cluster-role`, applyTransform(t, "cluster-role", { assumeRolePolicy: assumeRole("eks.amazonaws.com"), tags }), o);
    const clusterAttachments = EKS_CLUSTER_POLICIES.map((p) =>
      new aws.iam.RolePolicyAttachment(`${name}-cluster-${p}`, { role: this.clusterRole.name, policyArn: policyArn(p) }, o));
    this.nodeRole = new aws.iam.Role(`${name}-node-role`, applyTransform(t, "node-role", { assumeRolePolicy: assumeRole("ec2.amazonaws.com"), tags }), o);
    const nodeAttachments = EKS_NODE_POLICIES.map((p) =>
      new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: this.nodeRole.name, policyArn: policyArn(p) }, o));

    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-log-group`, applyTransform(t, "log-group", {
      name: `/aws/eks/${clusterName}/cluster`,
      retentionInDays: args.logRetentionDays ?? 90,
      tags,
    }), o);

    this.cluster = new aws.eks.Cluster(`${name}-cluster`, applyTransform(t, "cluster", {
      name: clusterName,
      version: c.version ?? EKS_DEFAULT_VERSION,
      roleArn: this.clusterRole.arn,
      vpcConfig: { subnetIds: args.network.privateSubnetIds, ...eksEndpointConfig(c.endpointPublicAccessCidrs) },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: args.secretsKeyArn } },
      enabledClusterLogTypes: [...EKS_LOG_TYPES],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      deletionProtection: c.deletionProtection,
      tags,
    }), { ...o, dependsOn: [...clusterAttachments, this.logGroup] });
    this.clusterName = this.cluster.name;

    // A launch template is the only way to put the app-tier group on managed nodes; with one, EKS no longer
    // adds its cluster group by itself, so both are listed.
    this.launchTemplate = new aws.ec2.LaunchTemplate(`${name}-launch-template`, applyTransform(t, "launch-template", {
      vpcSecurityGroupIds: [this.cluster.vpcConfig.clusterSecurityGroupId, args.network.appSecurityGroupId],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
      tagSpecifications: [{ resourceType: "instance", tags }],
      tags,
    }), o);

    this.nodeGroup = new aws.eks.NodeGroup(`${name}-node-group`, applyTransform(t, "node-group", {
      clusterName: this.cluster.name,
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: args.network.privateSubnetIds,
      instanceTypes: [NODE_INSTANCE_TYPES.aws[c.nodeSize]],
      amiType: "AL2023_x86_64_STANDARD",
      scalingConfig: { minSize: c.nodes.min, maxSize: c.nodes.max, desiredSize: c.nodes.desired },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply(String) },
      tags,
      // The Cluster Autoscaler moves the desired size between min and max; Pulumi must not reset it on every up.
    }), { ...o, dependsOn: nodeAttachments, ignoreChanges: ["scalingConfig.desiredSize"] });

    this.oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, applyTransform(t, "oidc", {
      url: this.cluster.identities[0].oidcs[0].issuer,
      clientIdLists: ["sts.amazonaws.com"],
      tags,
    }), o);
    this.identity = { cloud: "aws", providerArn: this.oidcProvider.arn, issuerUrl: this.cluster.identities[0].oidcs[0].issuer };

    const region = aws.getRegionOutput({}, o).region;
    this.kubeconfig = pulumi.secret(
      pulumi.all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority.data, region]).apply(
        ([clusterName, endpoint, ca, r]) => eksKubeconfig({ clusterName, endpoint, certificateAuthorityData: ca, region: r }),
      ),
    );
    // Workloads need nodes: everything on this provider waits for the node group.
    this.provider = new k8s.Provider(`${name}-provider`, applyTransform(t, "provider", { kubeconfig: this.kubeconfig }), {
      parent: this,
      dependsOn: [this.nodeGroup],
    });
    const controllers = {
      clusterName: this.cluster.name, region, partition, vpcId: args.network.vpcId, identity: this.identity,
      kubernetesProvider: this.provider, transforms: t,
    };
    this.loadBalancerController = loadBalancerController(name, controllers, ctx, this, o);
    this.clusterAutoscaler = clusterAutoscaler(name, controllers, ctx, this, o);
    this.registerOutputs({ clusterName: this.clusterName });
  }
}
