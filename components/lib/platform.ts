import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type * as docker from "@pulumi/docker";
import type * as aws from "@pulumi/aws";
import type * as alicloud from "@pulumi/alicloud";
import type { ChartOverrides } from "./charts";

/** Deployment environment. Drives profile defaults (replicas, sizes, retention). */
export type Environment = "dev" | "staging" | "prod";
export const ENVIRONMENTS: readonly Environment[] = ["dev", "staging", "prod"];

/** Where workloads run: local Docker engine (dev) or a Kubernetes cluster. */
export type Target = "docker" | "kubernetes";
export const TARGETS: readonly Target[] = ["docker", "kubernetes"];

/** Cloud that hosts managed data stores, buckets and the cluster. `none` = local only. */
export type Cloud = "aws" | "alicloud" | "none";
export const CLOUDS: readonly Cloud[] = ["aws", "alicloud", "none"];

/** Explicit providers. Components never fall back to ambient default providers for these. */
export interface PlatformProviders {
  kubernetes?: k8s.Provider;
  docker?: docker.Provider;
  aws?: aws.Provider;
  alicloud?: alicloud.Provider;
}

/** Docker networks per tier (dev target): web faces the frontend, data stores sit on the backend only. */
export interface DockerNetworks {
  frontend: pulumi.Input<string>;
  backend: pulumi.Input<string>;
}

/**
 * The small context every component receives instead of reading stack configuration.
 * Only `stacks/` builds it; components stay reusable and testable with a hand-made one.
 */
export interface PlatformContext {
  /** Short project prefix used in physical names, e.g. `platform`. */
  project: string;
  environment: Environment;
  target: Target;
  cloud: Cloud;
  /** Kubernetes namespace for workloads (and the logical namespace label on Docker). */
  namespace: string;
  providers: PlatformProviders;
  /** Labels Prometheus selects ServiceMonitors and PrometheusRules by (the AlertingStack matches on them). */
  monitoringLabels: Record<string, string>;
  /** Cloud resource tags applied to everything taggable. */
  tags: Record<string, string>;
  /** Base URL that alert `runbook_url` annotations are built from (ends with `/`). */
  runbookBaseUrl: string;
  /** Docker target only: the per-tier networks created by the stack. */
  dockerNetworks?: DockerNetworks;
  /**
   * Docker target only: name of the shared volume of node-exporter textfile metrics. Batch containers (backups)
   * write `*.prom` files into it; the AlertingStack's node-exporter reads it (read-only) and Prometheus scrapes
   * them. Absent = batch metrics stay in the job's own volume and are not scraped.
   */
  dockerMetricsVolume?: pulumi.Input<string>;
  /** Helm chart source overrides (mirrors, OCI, local paths); see components/lib/charts.ts. @default {} */
  charts?: ChartOverrides;
}

/** Resource options that route a child to the right explicit provider. */
export function providerFor(
  ctx: PlatformContext,
  kind: keyof PlatformProviders,
): { provider?: pulumi.ProviderResource } {
  const provider = ctx.providers[kind];
  return provider ? { provider } : {};
}
