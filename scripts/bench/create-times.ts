/**
 * Typical time to create one resource of a type, in seconds, for the simulated deploy critical path.
 * These are estimates of a normal `pulumi up` against an empty account, not measurements here (no cloud is
 * reachable from CI); each figure says where it comes from. Types not listed take DEFAULT_SECONDS.
 */
export const DEFAULT_SECONDS = 2; // one API call and Pulumi's read-back; what most control-plane objects cost

export const CREATE_SECONDS: Array<{ type: string | RegExp; seconds: number; source: string }> = [
  // Managed Kubernetes control planes and node groups.
  { type: "aws:eks/cluster:Cluster", seconds: 600, source: "AWS EKS user guide: cluster creation takes ~10 minutes (provider timeout 30 min)" },
  { type: "aws:eks/nodeGroup:NodeGroup", seconds: 240, source: "EKS managed node group: EC2 launch + node join, typically 3-5 minutes (provider timeout 60 min)" },
  { type: "aws:eks/addon:Addon", seconds: 60, source: "EKS add-on install, typically ~1 minute" },
  { type: "alicloud:cs/managedKubernetes:ManagedKubernetes", seconds: 600, source: "Alibaba Cloud ACK console: managed cluster creation takes ~10 minutes" },
  { type: "alicloud:cs/nodePool:NodePool", seconds: 300, source: "ACK node pool: ECS launch + node join, ~5 minutes" },
  // Managed data stores.
  { type: "aws:rds/instance:Instance", seconds: 600, source: "RDS create of a small instance, ~10 minutes (Multi-AZ longer; provider timeout 40 min)" },
  { type: "aws:elasticache/replicationGroup:ReplicationGroup", seconds: 600, source: "ElastiCache replication group, ~10 minutes (provider timeout 60 min)" },
  { type: "alicloud:rds/rdsInstance:RdsInstance", seconds: 600, source: "ApsaraDB RDS instance creation, ~10 minutes" },
  { type: "alicloud:kvstore/instance:Instance", seconds: 300, source: "ApsaraDB for Redis (KVStore) instance creation, ~5 minutes" },
  // Network.
  { type: "aws:ec2/natGateway:NatGateway", seconds: 90, source: "NAT gateway becomes available in 1-2 minutes (provider waits for 'available')" },
  { type: "alicloud:vpc/natGateway:NatGateway", seconds: 60, source: "Alibaba NAT gateway, ~1 minute" },
  { type: "aws:cloudfront/distribution:Distribution", seconds: 300, source: "CloudFront deployment to edge locations, ~5 minutes (waitForDeployment)" },
  { type: "alicloud:cdn/domainNew:DomainNew", seconds: 120, source: "Alibaba CDN domain configuration, ~2 minutes" },
  { type: "aws:acm/certificateValidation:CertificateValidation", seconds: 120, source: "ACM DNS validation, a few minutes" },
  // Kubernetes: Helm releases wait for their workloads (image pulls, LoadBalancer provisioning).
  { type: "kubernetes:helm.sh/v3:Release", seconds: 150, source: "helm install --wait of a chart with several Deployments: image pulls + readiness, 2-3 minutes" },
  { type: /^kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet)$/, seconds: 45, source: "Pulumi awaits rollout readiness: image pull + probes, ~30-60 s" },
  { type: "kubernetes:core/v1:Service", seconds: 5, source: "ClusterIP Service: immediate; Pulumi waits for endpoints" },
  { type: "kubernetes:networking.k8s.io/v1:Ingress", seconds: 30, source: "Pulumi awaits the ingress controller's address, ~30 s" },
  { type: "random:index/randomPassword:RandomPassword", seconds: 0, source: "computed locally by the provider" },
];

export function createSeconds(type: string): number {
  const hit = CREATE_SECONDS.find((c) => (typeof c.type === "string" ? c.type === type : c.type.test(type)));
  return hit ? hit.seconds : DEFAULT_SECONDS;
}
