import type { Transforms } from "../lib/transform";

/** Pinned images. The collector image's release is the one tools/otelcol builds, so CI validates with the same components. */
export interface TracePipelineImages {
  collector: string;
  jaeger: string;
}
export const TRACE_PIPELINE_IMAGES: TracePipelineImages = {
  collector: "otel/opentelemetry-collector-contrib:0.161.0",
  jaeger: "jaegertracing/jaeger:2.9.0",
};

export type SamplingMode = "tail" | "probabilistic";
export const SAMPLING_MODES: readonly SamplingMode[] = ["tail", "probabilistic"];

export interface SamplingArgs {
  /**
   * `tail`: decide per whole trace after it completes: keep every trace with an error or slower than
   * `latencyThresholdMs`, plus `percent` of the rest (needs one collector replica: all spans of a trace must meet).
   * `probabilistic`: keep `percent` of traces by trace id (any number of replicas).
   * @default "tail"
   */
  mode?: SamplingMode;
  /** Share of ordinary traces kept. @default profile: dev 100, staging 50, prod 10 */
  percent?: number;
  /** tail: traces slower than this are always kept. @default 500 */
  latencyThresholdMs?: number;
}

/** Child roles a `transforms` entry may adjust. */
export type TracePipelineRole =
  | "namespace"
  | "networkPolicy"
  | "collectorConfig"
  | "collector"
  | "collectorService"
  | "jaegerConfig"
  | "jaeger"
  | "jaegerService"
  | "jaegerData"
  | "podMonitor";

export interface TracePipelineArgs {
  /** Sampling at the collector. @default { mode: "tail" } */
  sampling?: SamplingArgs;
  /** Hours Jaeger keeps spans. @default 72 */
  retentionHours?: number;
  /** Jaeger's Badger volume (Kubernetes). @default "10Gi" */
  storageSize?: string;
  /** Collector replicas (Kubernetes); tail sampling needs exactly 1. @default 1 */
  replicas?: number;
  /** Namespace of the collector and Jaeger (Kubernetes, restricted Pod Security). @default "tracing" */
  namespace?: string;
  /** Namespace of Grafana and Prometheus (admitted to Jaeger's query port and the metrics ports). @default "monitoring" */
  monitoringNamespace?: string;
  /** Services that send spans: on Kubernetes their pods get egress to the collector. @default [] */
  services?: string[];
  /** Pinned images. @default TRACE_PIPELINE_IMAGES */
  images?: Partial<TracePipelineImages>;
  /** Per-child adjustments of computed args, keyed by role. */
  transforms?: Transforms<TracePipelineRole>;
}

export const TRACE_DEFAULTS = {
  retentionHours: 72,
  storageSize: "10Gi",
  replicas: 1,
  namespace: "tracing",
  monitoringNamespace: "monitoring",
  percent: 100,
  latencyThresholdMs: 500,
} as const;
