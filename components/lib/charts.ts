import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

/**
 * Where each third-party Helm chart comes from. Every Helm release the library installs takes its source from
 * here, so one setting (`platform:charts.<chart>`) points it at a mirror, an OCI registry or a local directory:
 * enterprise networks mirror chart repositories, air-gapped clusters have no internet at all, and the engine
 * test tier installs small local fixture charts.
 *
 * Sources are pinned: a remote source must name a version (a rollback must name exactly what ran).
 */

/** A chart source: a Helm repository (`https://`), an OCI registry (`oci://`), or a local chart directory. */
export interface ChartSource {
  /** Helm repository URL (`https://...`); omit for OCI references and local paths. */
  repo?: string;
  /** Chart name in `repo`, a full `oci://registry/path/chart` reference, or (with `path`) unused. */
  chart?: string;
  /** Chart version; required for remote sources. */
  version?: string;
  /** Local chart directory (absolute, or relative to the Pulumi project directory). */
  path?: string;
}

/**
 * The pinned default source of every chart the library installs, by chart key. Components register their
 * chart here (one line each) and install it through `helmChartArgs`.
 */
export const DEFAULT_CHART_SOURCES = {
  /** kube-prometheus-stack 79.7.1 (November 2025): Prometheus Operator 0.86, Prometheus 3.x, Alertmanager 0.28+, Grafana 12. */
  "kube-prometheus-stack": { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "79.7.1" },
  /**
   * Envoy Gateway v1.9.1: the Gateway API controller of the edge; the chart also installs the Gateway API v1.6.1
   * (standard) and Envoy Gateway CRDs. Published only as an OCI chart.
   */
  "envoy-gateway": { chart: "oci://docker.io/envoyproxy/gateway-helm", version: "v1.9.1" },
  "cert-manager": { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.19.1" },
  /**
   * AWS Load Balancer Controller 3.5.0 (controller v3.5.0, August 2026): provisions the edge's NLBs on EKS
   * (`loadBalancerClass: service.k8s.aws/nlb`). AWS only.
   */
  "aws-load-balancer-controller": { repo: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "3.5.0" },
  /**
   * Cluster Autoscaler chart 9.53.0 (autoscaler v1.34.2, the minor of the default EKS version 1.34): resizes the
   * EKS managed node group between its min and max. AWS only (ACK runs its own, alicloud.cs.AutoscalingConfig).
   */
  "cluster-autoscaler": { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.53.0" },
  /** prometheus-blackbox-exporter 11.18.0 (blackbox_exporter v0.28): external HTTP/TLS probes of the public hosts. */
  "prometheus-blackbox-exporter": { repo: "https://prometheus-community.github.io/helm-charts", chart: "prometheus-blackbox-exporter", version: "11.18.0" },
} satisfies Record<string, ChartSource>;

export type ChartKey = keyof typeof DEFAULT_CHART_SOURCES;
export const CHART_KEYS = Object.keys(DEFAULT_CHART_SOURCES) as ChartKey[];

/** Per-chart overrides from the stack config (`platform:charts`). */
export type ChartOverrides = Partial<Record<string, ChartSource>>;

/** The fields of a Helm `Release` that say where the chart comes from. */
export interface HelmChartArgs {
  chart: string;
  version?: string;
  repositoryOpts?: { repo: string };
}

/** The effective source of `key`: the override merged over the pinned default. */
export function chartSource(key: ChartKey, overrides: ChartOverrides = {}): ChartSource {
  const override = overrides[key];
  if (!override) return { ...DEFAULT_CHART_SOURCES[key] };
  // A local path or an OCI reference replaces the default repository entirely.
  if (override.path !== undefined || override.chart?.startsWith("oci://")) return { ...override };
  return { ...DEFAULT_CHART_SOURCES[key], ...override };
}

/**
 * `chart`/`version`/`repositoryOpts` of a Helm Release for `key`. A local path is resolved against
 * `projectDir` so `pulumi up` works from any working directory.
 */
export function helmChartArgs(key: ChartKey, overrides: ChartOverrides = {}, projectDir = process.cwd()): HelmChartArgs {
  const source = chartSource(key, overrides);
  if (source.path !== undefined) return { chart: path.resolve(projectDir, source.path) };
  if (source.chart?.startsWith("oci://")) return { chart: source.chart, version: source.version };
  return { chart: source.chart!, version: source.version, ...(source.repo ? { repositoryOpts: { repo: source.repo } } : {}) };
}

/** Config schema of one chart source. */
export const chartSourceSchema = z
  .strictObject({
    repo: z.string().describe("Helm repository URL (https://...). Example: https://charts.example.internal/prometheus-community").optional(),
    chart: z.string().describe("Chart name in `repo`, or a full OCI reference (oci://registry/path/chart).").optional(),
    version: z.string().describe("Pinned chart version; required unless `path` is given.").optional(),
    path: z.string().describe("Local chart directory (absolute, or relative to the Pulumi project directory). Replaces repo/chart/version.").optional(),
  })
  .describe("Where one chart comes from: a Helm repository, an OCI reference, or a local directory.");

/** Config schema of `platform:charts`: chart key -> source. Unknown chart keys are refused. */
export const chartsSchema = z
  .record(z.string(), chartSourceSchema)
  .default({})
  .describe(
    `Chart sources by chart key (${CHART_KEYS.join(", ")}), for mirrors, OCI registries and air-gapped installs. ` +
      "Default: each chart's pinned upstream repository. Example: { kube-prometheus-stack: { repo: https://mirror.example.com/charts, version: 79.7.1 } }",
  );

/**
 * Problems of the chart overrides, as `[key path segments, value, what is allowed]`, checked at plan time:
 * unknown chart keys, a source with neither a repository/OCI chart nor a path, a remote source without a
 * version, a local path without a Chart.yaml.
 */
export function chartOverrideProblems(
  overrides: ChartOverrides,
  projectDir = process.cwd(),
): Array<{ path: Array<string>; value: unknown; allowed: string }> {
  const out: Array<{ path: Array<string>; value: unknown; allowed: string }> = [];
  for (const [key, source] of Object.entries(overrides)) {
    if (!source) continue;
    if (!(CHART_KEYS as string[]).includes(key)) {
      out.push({ path: [key], value: key, allowed: `must be a chart the library installs (${CHART_KEYS.join(", ")})` });
      continue;
    }
    if (source.path !== undefined) {
      if (source.repo !== undefined || source.chart !== undefined || source.version !== undefined) {
        out.push({ path: [key, "path"], value: source.path, allowed: "a local path replaces repo, chart and version; set either path or those" });
      }
      const dir = path.resolve(projectDir, source.path);
      if (!fs.existsSync(path.join(dir, "Chart.yaml"))) {
        out.push({ path: [key, "path"], value: source.path, allowed: `must be a chart directory containing Chart.yaml (looked in ${dir})` });
      }
      continue;
    }
    const effective = chartSource(key as ChartKey, overrides);
    if (source.repo !== undefined && !/^https?:\/\/\S+$/.test(source.repo)) {
      out.push({ path: [key, "repo"], value: source.repo, allowed: "must be an http(s) Helm repository URL; use chart: oci://... for OCI registries" });
    }
    if (source.chart?.startsWith("oci://") && source.repo !== undefined) {
      out.push({ path: [key, "repo"], value: source.repo, allowed: "an oci:// chart reference needs no repo" });
    }
    if (!effective.version) {
      out.push({ path: [key, "version"], value: source.version, allowed: "a remote chart must be pinned to a version" });
    }
  }
  return out;
}
