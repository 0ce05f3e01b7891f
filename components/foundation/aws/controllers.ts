import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { helmChartArgs, type ChartKey } from "../../lib/charts";
import type { WorkloadIdentity } from "../../lib/contracts";
import { irsaTrustPolicy } from "../../lib/irsa";
import { cloudTags } from "../../lib/labels";
import type { PlatformContext } from "../../lib/platform";
import { applyTransform, type Transforms } from "../../lib/transform";
import type { ClusterRole } from "../args";
import {
  CLUSTER_AUTOSCALER_SA, CONTROLLER_NAMESPACE, LOAD_BALANCER_CONTROLLER_SA, clusterAutoscalerPolicy, clusterAutoscalerValues,
  loadBalancerControllerPolicy, loadBalancerControllerValues, type PolicyDocument,
} from "./controllers-policy";

/** One controller: its IRSA role, the role's inline policy, and its Helm release. */
export interface AwsController {
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  release: k8s.helm.v3.Release;
}

export interface AwsControllerInputs {
  clusterName: pulumi.Output<string>;
  region: pulumi.Output<string>;
  partition: pulumi.Output<string>;
  vpcId: pulumi.Input<string>;
  identity: WorkloadIdentity;
  kubernetesProvider: k8s.Provider;
  transforms?: Transforms<ClusterRole>;
}

/**
 * Registers a controller that calls AWS APIs: an IAM role only its ServiceAccount can assume (IRSA, no static
 * keys), the role's policy, and the chart with the role on the ServiceAccount.
 */
function awsController(
  name: string,
  role: "load-balancer-controller" | "cluster-autoscaler",
  chart: ChartKey,
  serviceAccount: string,
  policy: pulumi.Output<PolicyDocument>,
  values: (roleArn: pulumi.Output<string>) => Record<string, unknown>,
  i: AwsControllerInputs,
  ctx: PlatformContext,
  parent: pulumi.Resource,
  awsOpts: pulumi.CustomResourceOptions,
): AwsController {
  const t = i.transforms;
  const iamRole = new aws.iam.Role(`${name}-${role}-role`, applyTransform(t, role, {
    assumeRolePolicy: pulumi.all([i.identity.providerArn, i.identity.issuerUrl])
      .apply(([arn, url]) => irsaTrustPolicy(arn, url, CONTROLLER_NAMESPACE, serviceAccount)),
    tags: cloudTags(ctx, role),
  }), awsOpts);
  const rolePolicy = new aws.iam.RolePolicy(`${name}-${role}-policy`, {
    role: iamRole.id,
    policy: policy.apply((p) => JSON.stringify(p)),
  }, awsOpts);
  // The chart starts only once the role can be assumed with its permissions (no crash loop while IAM settles).
  const release = new k8s.helm.v3.Release(`${name}-${role}`, applyTransform(t, role, {
    ...helmChartArgs(chart, ctx.charts),
    namespace: CONTROLLER_NAMESPACE,
    values: values(iamRole.arn),
  }), { parent, provider: i.kubernetesProvider, dependsOn: [rolePolicy] });
  return { role: iamRole, policy: rolePolicy, release };
}

/** The AWS Load Balancer Controller: provisions the edge Gateways' NLBs (IP targets, proxy protocol v2). */
export function loadBalancerController(name: string, i: AwsControllerInputs, ctx: PlatformContext, parent: pulumi.Resource, awsOpts: pulumi.CustomResourceOptions): AwsController {
  return awsController(
    name, "load-balancer-controller", "aws-load-balancer-controller", LOAD_BALANCER_CONTROLLER_SA,
    pulumi.all([i.partition, i.clusterName, i.vpcId]).apply(([partition, cluster, vpc]) => loadBalancerControllerPolicy(partition, cluster, vpc)),
    (roleArn) => loadBalancerControllerValues<pulumi.Input<string>>({ clusterName: i.clusterName, region: i.region, vpcId: i.vpcId, roleArn }),
    i, ctx, parent, awsOpts,
  );
}

/** The Cluster Autoscaler: resizes the managed node group between `nodes.min` and `nodes.max`. */
export function clusterAutoscaler(name: string, i: AwsControllerInputs, ctx: PlatformContext, parent: pulumi.Resource, awsOpts: pulumi.CustomResourceOptions): AwsController {
  return awsController(
    name, "cluster-autoscaler", "cluster-autoscaler", CLUSTER_AUTOSCALER_SA,
    pulumi.all([i.partition, i.clusterName]).apply(([partition, cluster]) => clusterAutoscalerPolicy(partition, cluster)),
    (roleArn) => clusterAutoscalerValues<pulumi.Input<string>>({ clusterName: i.clusterName, region: i.region, roleArn }),
    i, ctx, parent, awsOpts,
  );
}
