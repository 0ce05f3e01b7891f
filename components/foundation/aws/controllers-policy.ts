/**
 * Pure builders for the EKS cluster's AWS controllers: the AWS Load Balancer Controller (the edge's NLBs) and
 * the Cluster Autoscaler (the node group's size), each with an IAM policy for its IRSA role and its chart values.
 * No Pulumi imports: unit-tested directly and reviewed as data.
 *
 * Permissions follow the upstream installation docs (the controller's `docs/install/iam_policy.json` of v3.5 and
 * the autoscaler's AWS README, "Full Cluster Autoscaler Features Policy"), narrowed where the platform allows it:
 *   - every statement the docs condition on the presence of the controller's cluster tag is conditioned here on
 *     its value, this cluster's name, so the role cannot touch another cluster's load balancers;
 *   - the ALB-only permissions (WAF, Shield, Cognito, ACM, IAM server certificates) are left out: the platform
 *     creates only NLB Services (no Ingress), and the chart values turn those integrations off;
 *   - the autoscaler may change only Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster>: owned`
 *     (EKS tags the managed node group's group so).
 */

import { IRSA_ROLE_ANNOTATION } from "../../lib/irsa";

/** Namespace and ServiceAccounts of the controllers (the IRSA trust names them). */
export const CONTROLLER_NAMESPACE = "kube-system";
export const LOAD_BALANCER_CONTROLLER_SA = "aws-load-balancer-controller";
export const CLUSTER_AUTOSCALER_SA = "cluster-autoscaler";

/** Tag the load balancer controller writes on everything it creates, valued with the cluster name. */
export const LBC_CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** Requests of the controllers' pods (stacks/capacity.ts counts them). */
export const LOAD_BALANCER_CONTROLLER_REPLICAS = 2;
export const LOAD_BALANCER_CONTROLLER_RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } } as const;
export const CLUSTER_AUTOSCALER_RESOURCES = { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "1Gi" } } as const;

interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

/**
 * IAM policy of the AWS Load Balancer Controller, scoped to `clusterName`'s load balancers and security groups
 * (new security groups only in `vpcId`). Only reads AWS cannot scope to a resource use Resource "*".
 */
export function loadBalancerControllerPolicy(partition: string, clusterName: string, vpcId: string): PolicyDocument {
  const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
  const ec2 = (resource: string) => `arn:${partition}:ec2:*:*:${resource}`;
  const loadBalancers = [elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")];
  const ownLbs = [elb("targetgroup/*/*"), ...loadBalancers];
  const listeners = [elb("listener/net/*/*/*"), elb("listener/app/*/*/*")];
  const rules = [elb("listener-rule/net/*/*/*"), elb("listener-rule/app/*/*/*")];
  const securityGroups = ec2("security-group/*");
  const requestTag = { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: clusterName };
  const resourceTag = { [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: clusterName };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ElbServiceLinkedRole",
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: `arn:${partition}:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
        Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
      },
      {
        Sid: "Describe",
        Effect: "Allow",
        Action: [
          "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones", "ec2:DescribeInternetGateways",
          "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
          "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags",
          "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
          "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
          "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
          "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
          "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
          "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeCapacityReservation",
        ],
        Resource: "*",
      },
      // The NLB's frontend security group and the rules that let it reach the pods (IP targets).
      { Sid: "CreateSecurityGroup", Effect: "Allow", Action: ["ec2:CreateSecurityGroup"], Resource: [securityGroups, ec2(`vpc/${vpcId}`)] },
      {
        Sid: "SecurityGroupRules",
        Effect: "Allow",
        Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        Resource: [securityGroups, ec2("security-group-rule/*")],
      },
      {
        Sid: "TagNewSecurityGroup",
        Effect: "Allow",
        Action: ["ec2:CreateTags"],
        Resource: securityGroups,
        Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", ...requestTag } },
      },
      {
        Sid: "TagOwnSecurityGroups",
        Effect: "Allow",
        Action: ["ec2:CreateTags", "ec2:DeleteTags"],
        Resource: securityGroups,
        Condition: { Null: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: "true" }, StringEquals: resourceTag },
      },
      { Sid: "DeleteOwnSecurityGroups", Effect: "Allow", Action: ["ec2:DeleteSecurityGroup"], Resource: securityGroups, Condition: { StringEquals: resourceTag } },
      {
        Sid: "CreateLoadBalancers",
        Effect: "Allow",
        Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
        Resource: ownLbs,
        Condition: { StringEquals: requestTag },
      },
      {
        Sid: "TagOnCreate",
        Effect: "Allow",
        Action: ["elasticloadbalancing:AddTags"],
        Resource: ownLbs,
        Condition: { StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"], ...requestTag } },
      },
      {
        Sid: "TagOwnLoadBalancers",
        Effect: "Allow",
        Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
        Resource: ownLbs,
        Condition: { Null: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: "true" }, StringEquals: resourceTag },
      },
      {
        Sid: "TagListeners",
        Effect: "Allow",
        Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
        Resource: [...listeners, ...rules],
      },
      {
        Sid: "ModifyOwnLoadBalancers",
        Effect: "Allow",
        Action: [
          "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType", "elasticloadbalancing:SetSecurityGroups",
          "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
          "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
          "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
        ],
        Resource: [...ownLbs, ...listeners],
        Condition: { StringEquals: resourceTag },
      },
      {
        Sid: "Listeners",
        Effect: "Allow",
        Action: [
          "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener",
          "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule",
          "elasticloadbalancing:SetRulePriorities",
        ],
        // Listeners of the load balancers (CreateListener names the load balancer), rules of the listeners.
        Resource: [...loadBalancers, ...listeners, ...rules],
      },
      {
        Sid: "Targets",
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        Resource: elb("targetgroup/*/*"),
      },
    ],
  };
}

/** IAM policy of the Cluster Autoscaler: read the groups, resize only this cluster's. */
export function clusterAutoscalerPolicy(partition: string, clusterName: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities", "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
        Resource: "*",
      },
      { Sid: "DescribeNodegroups", Effect: "Allow", Action: ["eks:DescribeNodegroup"], Resource: `arn:${partition}:eks:*:*:nodegroup/${clusterName}/*/*` },
      {
        Sid: "ResizeOwnGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: `arn:${partition}:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*`,
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
    ],
  };
}

/** Pod and container hardening shared by both controllers (non-root, read-only root, no capabilities). */
const POD_SECURITY = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };

/**
 * Load balancer controller values: IRSA ServiceAccount, two replicas with a PDB, bounded and hardened. It only
 * handles Services that ask for it (`loadBalancerClass: service.k8s.aws/nlb`, as the edge's do): the mutating
 * webhook that would claim every LoadBalancer Service is off, as are the ALB-only integrations and the
 * controller's own Gateway API support (Envoy Gateway is the edge's Gateway API implementation).
 */
export function loadBalancerControllerValues<T>(input: { clusterName: T; region: T; vpcId: T; roleArn: T }): Record<string, unknown> {
  return {
    clusterName: input.clusterName,
    region: input.region,
    vpcId: input.vpcId,
    replicaCount: LOAD_BALANCER_CONTROLLER_REPLICAS,
    podDisruptionBudget: { maxUnavailable: 1 },
    serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SA, annotations: { [IRSA_ROLE_ANNOTATION]: input.roleArn } },
    resources: structuredClone(LOAD_BALANCER_CONTROLLER_RESOURCES),
    podSecurityContext: POD_SECURITY,
    securityContext: CONTAINER_SECURITY,
    enableServiceMutatorWebhook: false,
    createIngressClassResource: false,
    enableShield: false,
    enableWaf: false,
    enableWafv2: false,
    controllerConfig: { featureGates: { NLBGatewayAPI: false, ALBGatewayAPI: false } },
  };
}

/**
 * Cluster Autoscaler values: AWS, auto-discovering the node groups tagged for this cluster (EKS tags managed node
 * groups), IRSA ServiceAccount, least-waste expander, bounded and hardened.
 */
export function clusterAutoscalerValues<T>(input: { clusterName: T; region: T; roleArn: T }): Record<string, unknown> {
  return {
    cloudProvider: "aws",
    awsRegion: input.region,
    autoDiscovery: { clusterName: input.clusterName },
    rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SA, annotations: { [IRSA_ROLE_ANNOTATION]: input.roleArn } } },
    extraArgs: {
      expander: "least-waste",
      "balance-similar-node-groups": true,
      "scale-down-unneeded-time": "10m",
      "scale-down-delay-after-add": "10m",
    },
    resources: structuredClone(CLUSTER_AUTOSCALER_RESOURCES),
    securityContext: POD_SECURITY,
    containerSecurityContext: CONTAINER_SECURITY,
    podDisruptionBudget: { maxUnavailable: 1 },
  };
}
