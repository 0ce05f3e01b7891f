import { LIMITS } from "../../components/lib/limits";
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import type { DataPlacement, EncryptionKeys, WorkloadIdentity } from "../../components/lib/contracts";
import { parseOrThrow, Problems } from "../../components/lib/validation";
import {
  CLUSTER_MODES, Foundation, foundationProblems, NODE_SIZES,
  type ClusterArgs, type ClusterMode, type FoundationArgs, type NetworkArgs, type NodeScaling, type NodeSize,
} from "../../components/foundation";
import type { EdgeArgs } from "../../components/foundation/edge";
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
    cidr: z.string().default("10.0.0.0/16"),
    zones: intField.optional(),
    availabilityZones: z.array(z.string()).optional(),
    publicSubnetCidrs: z.array(z.string()).optional(),
    privateSubnetCidrs: z.array(z.string()).optional(),
    natPerZone: z.boolean().optional(),
    flowLogs: z
      .strictObject({
        enabled: z.boolean().default(true),
        destination: z.enum(["logs", "bucket"]).default("logs"),
        retentionDays: intField
          .min(1, { message: `must be from 1 to ${LIMITS.retentionDays}` })
          .max(LIMITS.retentionDays, { message: `must be from 1 to ${LIMITS.retentionDays}` })
          .default(30)
          .describe(`Days flow logs are kept (1 to ${LIMITS.retentionDays}). Default: 30. Example: 90`),
      })
      .prefault({}),
  })
  .prefault({});

/** `platform:cluster` */
export const clusterSchema = z
  .strictObject({
    /** @default eks on aws, ack on alicloud, existing with cloud none */
    mode: z.enum(CLUSTER_MODES as [ClusterMode, ...ClusterMode[]]).optional(),
    /** Secret config key holding the kubeconfig (mode existing). */
    kubeconfigSecret: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: "must be a config key name" }).default("kubeconfig"),
    version: z.string().optional(),
    nodeSize: z.enum(NODE_SIZES as [NodeSize, ...NodeSize[]]).optional(),
    nodes: z
      .strictObject({ min: intField, max: intField, desired: intField })
      .optional()
      .describe(`Node group scaling, whole numbers with 0 <= min <= desired <= max and max at most ${LIMITS.nodes}. Default: dev {1,1,2}, staging {1,2,3}, prod {3,3,10}. Example: { min: 3, desired: 3, max: 10 }`),
    endpointPublicAccessCidrs: z.array(z.string()).default([]),
    managedControlPlane: z.boolean().optional(),
  })
  .prefault({});

/** `platform:edge` */
export const edgeSchema = z
  .strictObject({
    /** Install ingress-nginx and cert-manager. Turn off for an existing cluster that has them. */
    enabled: z.boolean().default(true),
    acmeEmail: z.string().optional(),
    /** @default production in prod, staging elsewhere */
    acmeServer: z.enum(["staging", "production"]).optional(),
    ingressReplicas: intField
      .optional()
      .describe(`Ingress controller replicas (1 to ${LIMITS.ingressReplicas}). Default: 3 in prod, 2 elsewhere. Example: 3`),
    cdn: z
      .strictObject({
        enabled: z.boolean().default(false),
        domain: z.string().optional(),
        certificateArn: z.string().optional(),
        originDomain: z.string().optional(),
      })
      .optional(),
    dns: z.strictObject({ zone: z.string(), records: z.array(z.string()) }).optional(),
  })
  .prefault({});

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
  | { enabled: true; args: FoundationArgs; kubeconfigSecret?: string };

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
  return { enabled: true, args, kubeconfigSecret };
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
