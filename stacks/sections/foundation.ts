import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import type { DataPlacement, EncryptionKeys, WorkloadIdentity } from "../../components/lib/contracts";
import { LIMITS } from "../../components/lib/limits";
import { parseOrThrow, Problems } from "../../components/lib/validation";
import {
  CLUSTER_MODES, Foundation, foundationProblems, NODE_SIZES,
  type ClusterArgs, type ClusterMode, type FoundationArgs, type NetworkArgs, type NodeScaling, type NodeSize,
} from "../../components/foundation";
import type { EdgeArgs } from "../../components/foundation/edge";
import { clusterIssuerName } from "../../components/foundation/edge-values";
import { DEFAULT_EDGE_ALERT_THRESHOLDS } from "../../components/foundation/edge-alerts";
import { resolveThresholds, type ThresholdOverrides } from "../../components/alerting-stack/thresholds";
import type { MonitoringBundle } from "../../components/lib/monitoring";
import { planEdgeHosts, type ServicesPlan } from "./services";
import type { RequiredSecret, SectionContext } from "./types";

/**
 * The `platform:network`, `platform:cluster` and `platform:edge` config sections: the cloud foundation
 * (network, Kubernetes cluster, ingress/certificates/CDN/DNS) the other sections stand on.
 */
export const SECTION_KEYS = ["network", "cluster", "edge"] as const;

const intField = z.number().int({ message: "must be a whole number" });

/** `platform:network` */
export const networkSchema = z
  .strictObject({
    cidr: z.string().default("10.0.0.0/16").describe("VPC block, a private range from /16 to /24. Caution: changing it replaces the VPC and everything in it."),
    zones: intField.optional().describe("Number of zones (2–6), one public and one private subnet each; prod needs at least 2. Default: 2."),
    availabilityZones: z
      .array(z.string())
      .optional()
      .describe("Explicit zone names in order, checked against `aws:region` / `alicloud:region`. Default: the first `zones` zones of the region. Example: `[us-east-1a, us-east-1b]`"),
    publicSubnetCidrs: z.array(z.string()).optional().describe("Explicit public subnet blocks, one per zone, inside cidr. Default: derived from cidr."),
    privateSubnetCidrs: z.array(z.string()).optional().describe("Explicit private subnet blocks, one per zone, inside cidr. Default: derived from cidr."),
    natPerZone: z.boolean().optional().describe("One NAT gateway per zone (no cross-zone dependency) instead of one for the VPC. Default: profile (prod on)."),
    flowLogs: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Record accepted and rejected traffic of the VPC."),
        destination: z.enum(["logs", "bucket"]).default("logs").describe("`logs` (CloudWatch Logs / Log Service) or `bucket` (S3, AWS only)."),
        retentionDays: intField
          .min(1, { message: `must be from 1 to ${LIMITS.retentionDays}` })
          .max(LIMITS.retentionDays, { message: `must be from 1 to ${LIMITS.retentionDays}` })
          .default(30)
          .describe(`Days flow log records are kept (1 to ${LIMITS.retentionDays}). Default: 30.`),
      })
      .prefault({})
      .describe("VPC flow logs."),
  })
  .prefault({})
  .describe("The VPC: zones, subnets, NAT and flow logs (cloud aws or alicloud).");

/** `platform:cluster` */
export const clusterSchema = z
  .strictObject({
    mode: z
      .enum(CLUSTER_MODES as [ClusterMode, ...ClusterMode[]])
      .optional()
      .describe("`eks` (AWS), `ack` (Alibaba Cloud) or `existing` (a kubeconfig from a secret). Caution: switching replaces the cluster and every workload on it. Default: `eks` on aws, `ack` on alicloud, `existing` with cloud none."),
    kubeconfigSecret: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: "must be a config key name" })
      .default("kubeconfig")
      .describe("mode existing: name of the secret config key holding the kubeconfig."),
    version: z.string().optional().describe("Kubernetes version. Default: 1.34 on EKS, the newest ACK offers on ACK. Example: `1.33`"),
    nodeSize: z
      .enum(NODE_SIZES as [NodeSize, ...NodeSize[]])
      .optional()
      .describe("Node size class, mapped per cloud to an instance type (components/foundation/args.ts). Default: dev small, staging medium, prod large."),
    nodes: z
      .strictObject({
        min: intField.describe("Fewest nodes the node autoscaler keeps."),
        max: intField.describe(`Most nodes the node autoscaler may add (at most ${LIMITS.nodes}); the capacity check fits the pods into this many nodes.`),
        desired: intField.describe("EKS: nodes at creation, between min and max (afterwards the Cluster Autoscaler owns the size). ACK: unused, an auto-scaling node pool starts at min."),
      })
      .optional()
      .describe("Node autoscaling bounds in private subnets (EKS: Cluster Autoscaler on the managed node group; ACK: the node pool's auto scaling). Default: dev {1, 2, 1}, staging {1, 3, 2}, prod {3, 10, 3}."),
    endpointPublicAccessCidrs: z
      .array(z.string())
      .default([])
      .describe("CIDRs allowed to reach a public API endpoint; empty keeps it private; 0.0.0.0/0 is refused. Example: `[203.0.113.0/24]`"),
    managedControlPlane: z
      .boolean()
      .optional()
      .describe("mode existing: the control plane is cloud-managed (no scheduler/controller-manager to scrape). Default: true for eks/ack, false for existing."),
  })
  .prefault({})
  .describe("The Kubernetes cluster.");

/** `platform:edge` */
export const edgeSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Install Envoy Gateway (Gateway API controller, with the public/internal Gateways) and cert-manager; turn off for an existing cluster that has them (Gateways `public`/`internal` in `envoy-gateway-system`)."),
    acmeEmail: z.string().optional().describe("Let's Encrypt account e-mail; required while the edge is enabled. Example: `ops@example.com`"),
    acmeServer: z
      .enum(["staging", "production"])
      .optional()
      .describe("Let's Encrypt server of the ClusterIssuer. Default: production in prod, staging elsewhere."),
    ingressReplicas: intField.optional().describe(`Envoy proxy replicas per Gateway, 1 to ${LIMITS.ingressReplicas} (the name predates the Gateway API edge). Default: prod 3, else 2.`),
    cdn: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Put CloudFront (AWS) or Alibaba Cloud CDN in front of the public Gateway; the client address is then the last X-Forwarded-For hop."),
        domain: z.string().optional().describe("Domain served by the CDN; required on Alibaba Cloud. Example: `www.example.com`"),
        certificateArn: z
          .string()
          .optional()
          .describe("AWS: ACM certificate in us-east-1 for `domain` (required with domain). Default: the CloudFront default certificate."),
        originDomain: z.string().optional().describe("Origin host name. Default: the public Gateway load balancer's address."),
      })
      .optional()
      .describe("CDN in front of the public Gateway. Default: off."),
    dns: z
      .strictObject({
        zone: z.string().describe("Existing hosted zone (Route 53) or domain (Alidns). Example: `example.com`"),
        records: z.array(z.string()).describe("Record names inside the zone pointed at the CDN or the public load balancer (CNAME). Example: `[app, api]`"),
      })
      .optional()
      .describe("DNS records for the public load balancer or CDN. Default: none."),
  })
  .prefault({})
  .describe("The edge: Gateway API (Envoy Gateway), certificates (cert-manager), CDN and DNS.");

/** The three sections together, as read from `platform:network`, `platform:cluster`, `platform:edge`. */
export const schema = z.object({ network: networkSchema, cluster: clusterSchema, edge: edgeSchema });
export type FoundationConfig = z.output<typeof schema>;

/** Parses the three keys out of the raw config map (keys without the `platform:` prefix). */
export function parseFoundation(raw: Record<string, unknown>): FoundationConfig {
  return parseOrThrow(schema, { network: raw.network, cluster: raw.cluster, edge: raw.edge }, "stack config", "platform:");
}

/** Cluster mode after defaults: explicit, else the cloud's managed Kubernetes, else `existing`. */
export function clusterModeFor(parsed: FoundationConfig, cloud: string): ClusterMode {
  return parsed.cluster.mode ?? (cloud === "aws" ? "eks" : cloud === "alicloud" ? "ack" : "existing");
}

/** The kubeconfig secret for `existing` (none on the Docker target, where nothing is built). */
export function foundationRequiredSecrets(parsed: FoundationConfig, root?: { cloud: string; target: string }): RequiredSecret[] {
  if (root?.target === "docker") return [];
  const mode = root ? clusterModeFor(parsed, root.cloud) : parsed.cluster.mode;
  return mode === "existing" ? [{ key: parsed.cluster.kubeconfigSecret, usedBy: "platform:cluster.kubeconfigSecret" }] : [];
}

export type FoundationPlan =
  | { enabled: false }
  | { enabled: true; args: FoundationArgs; kubeconfigSecret?: string; cloud: "aws" | "alicloud" | "none" };

/** Node sizing defaults per environment (the seeds' t3.large for staging; HA prod). */
const NODE_DEFAULTS: Record<"dev" | "staging" | "prod", { size: NodeSize; nodes: NodeScaling }> = {
  dev: { size: "small", nodes: { min: 1, max: 2, desired: 1 } },
  staging: { size: "medium", nodes: { min: 1, max: 3, desired: 2 } },
  prod: { size: "large", nodes: { min: 3, max: 10, desired: 3 } },
};

/** Region a cloud provider will use, from its own stack config (`aws:region`, `alicloud:region`). */
function configuredRegion(cloud: string): string | undefined {
  if (cloud !== "aws" && cloud !== "alicloud") return undefined;
  return new pulumi.Config(cloud).get("region");
}

/**
 * Pure: validates the three sections against the stack context and returns the Foundation args.
 * Throws one ValidationError listing every problem with its `platform:` key path; registers nothing.
 */
export function planFoundation(parsed: FoundationConfig, sctx: SectionContext): FoundationPlan {
  const { platform, profile } = sctx;
  if (platform.target === "docker") return { enabled: false };
  const problems = new Problems("stack config", "platform:");
  const env = platform.environment;
  const mode = clusterModeFor(parsed, platform.cloud);
  const n = parsed.network;

  const network: NetworkArgs | undefined = platform.cloud === "none" ? undefined : {
    cidr: n.cidr,
    zones: n.zones ?? profile.network.zones,
    availabilityZones: n.availabilityZones,
    region: configuredRegion(platform.cloud),
    publicSubnetCidrs: n.publicSubnetCidrs,
    privateSubnetCidrs: n.privateSubnetCidrs,
    natPerZone: n.natPerZone ?? profile.network.natPerZone,
    flowLogs: n.flowLogs,
  };

  let kubeconfigSecret: string | undefined;
  if (mode === "existing") {
    kubeconfigSecret = parsed.cluster.kubeconfigSecret;
    const problem = sctx.secrets.problem(kubeconfigSecret, "platform:cluster.kubeconfigSecret");
    if (problem) problems.add("cluster.kubeconfigSecret", kubeconfigSecret, `mode existing needs the kubeconfig as a secret: ${problem}`);
  }
  const defaults = NODE_DEFAULTS[env];
  const cluster: ClusterArgs = {
    mode,
    version: parsed.cluster.version,
    nodeSize: parsed.cluster.nodeSize ?? defaults.size,
    nodes: parsed.cluster.nodes ?? defaults.nodes,
    endpointPublicAccessCidrs: parsed.cluster.endpointPublicAccessCidrs,
    // Placeholder while planning; build swaps in the secret Output. Its absence is reported just above.
    kubeconfig: mode === "existing" ? "(secret)" : undefined,
    managedControlPlane: parsed.cluster.managedControlPlane,
    deletionProtection: env === "prod",
  };

  const e = parsed.edge;
  let edge: FoundationArgs["edge"];
  if (e.enabled) {
    if (!e.acmeEmail) problems.add("edge.acmeEmail", e.acmeEmail, "is required while the edge is enabled (Let's Encrypt account e-mail), or set platform:edge.enabled false");
    edge = {
      acmeEmail: e.acmeEmail ?? "",
      acmeServer: e.acmeServer ?? (env === "prod" ? "production" : "staging"),
      ingressReplicas: e.ingressReplicas ?? (env === "prod" ? 3 : 2),
      cdn: e.cdn as EdgeArgs["cdn"],
      dns: e.dns,
    };
  }
  const args: FoundationArgs = { network, cluster, edge };
  if (problems.empty) foundationProblems(args, platform, problems);
  else {
    // Report the rest too, but skip the edge e-mail check already reported.
    foundationProblems({ ...args, edge: e.acmeEmail ? edge : undefined }, platform, problems);
  }
  problems.throwIfAny();
  return { enabled: true, args, kubeconfigSecret, cloud: platform.cloud };
}

/**
 * Pure: the plan with the edge's HTTPS hosts filled in from the services' `ingress` settings (the Gateways get
 * one listener and certificate per host). Throws when services disagree about a host.
 */
export function withEdgeHosts(plan: FoundationPlan, services: ServicesPlan): FoundationPlan {
  if (!plan.enabled || !plan.args.edge) return plan;
  const hosts = planEdgeHosts(services, clusterIssuerName(plan.args.edge.acmeServer));
  const edge = { ...plan.args.edge, hosts };
  const problems = new Problems("stack config", "platform:");
  // Re-check the edge with its hosts (listener limits per Gateway).
  foundationProblems({ ...plan.args, edge }, { cloud: plan.cloud, target: "kubernetes" }, problems);
  problems.throwIfAny();
  return { ...plan, args: { ...plan.args, edge } };
}

/**
 * Pure: the plan with the edge alerts' thresholds taken from `platform:alerting.thresholds` (already validated
 * by the alerting section), so a 5xx ratio pages at the same level at the edge as in a service.
 */
export function withEdgeAlertThresholds(plan: FoundationPlan, overrides: ThresholdOverrides | undefined): FoundationPlan {
  if (!plan.enabled || !plan.args.edge) return plan;
  const t = resolveThresholds(overrides);
  const alertThresholds = { ...DEFAULT_EDGE_ALERT_THRESHOLDS, errorRatePercent: t.errorRatePercent, latencyP95Seconds: t.latencyP95Seconds };
  return { ...plan, args: { ...plan.args, edge: { ...plan.args.edge, alertThresholds } } };
}

export interface FoundationOutputs {
  /** Secret Output. */
  kubeconfig?: pulumi.Output<string>;
  clusterName?: pulumi.Output<string>;
  ingressEndpoint?: pulumi.Output<string>;
  cdnDomain?: pulumi.Output<string>;
  vpcId?: pulumi.Output<string>;
  /** ClusterIssuer AppService ingresses reference (`letsencrypt-staging` / `letsencrypt-prod`). */
  clusterIssuer?: string;
}

export interface FoundationBuild {
  foundation?: Foundation;
  kubernetesProvider?: k8s.Provider;
  placement?: DataPlacement;
  identity?: WorkloadIdentity;
  keys?: EncryptionKeys;
  managedControlPlane: boolean;
  /** Alert rules of what the foundation runs (the edge's), for the AlertingStack. */
  monitoring?: MonitoringBundle;
  outputs: FoundationOutputs;
}

/** Registers the Foundation (nothing on the Docker target). Uses the context's explicit providers when set. */
export function buildFoundation(plan: FoundationPlan, sctx: SectionContext, name = "foundation"): FoundationBuild {
  if (!plan.enabled) return { managedControlPlane: false, outputs: {} };
  const args: FoundationArgs = plan.kubeconfigSecret
    ? { ...plan.args, cluster: { ...plan.args.cluster, kubeconfig: sctx.secrets.get(plan.kubeconfigSecret) } }
    : plan.args;
  const foundation = new Foundation(name, args, sctx.platform);
  return {
    foundation,
    kubernetesProvider: foundation.kubernetesProvider,
    placement: foundation.placement,
    identity: foundation.identity,
    keys: foundation.encryptionKeys,
    managedControlPlane: foundation.managedControlPlane,
    monitoring: foundation.edge?.monitoring,
    outputs: {
      kubeconfig: foundation.kubeconfig,
      clusterName: foundation.clusterName,
      ingressEndpoint: foundation.edge?.ingressEndpoint,
      cdnDomain: foundation.edge?.cdnDomain,
      vpcId: foundation.vpcId,
      clusterIssuer: foundation.edge?.clusterIssuerName,
    },
  };
}

export const plan = planFoundation;
export const build = buildFoundation;
