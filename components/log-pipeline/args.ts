import type * as pulumi from "@pulumi/pulumi";
import type { Transforms } from "../lib/transform";
import type { LogSink } from "./sink";

/** Pinned images (bump deliberately; tags never move). */
export interface LogPipelineImages {
  fluentBit: string;
  loki: string;
}
export const LOG_PIPELINE_IMAGES: LogPipelineImages = {
  fluentBit: "cr.fluentbit.io/fluent/fluent-bit:4.0.7",
  loki: "grafana/loki:3.5.3",
};

/** Child roles a `transforms` entry may adjust. */
export type LogPipelineRole =
  | "namespace"
  | "networkPolicy"
  | "serviceAccount"
  | "clusterRole"
  | "clusterRoleBinding"
  | "config"
  | "sinkSecret"
  | "daemonSet"
  | "lokiConfig"
  | "loki"
  | "lokiService"
  | "lokiData"
  | "fluentBit"
  | "fluentBitState"
  | "podMonitor";

export interface MaskingArgs {
  /** Field-name fragments masked in addition to DEFAULT_MASKED_KEYS. @example ["id_card", "phone"] */
  keys?: string[];
  /** Extra Lua patterns masked inside string values. @example ["sk_live_%w+"] */
  patterns?: string[];
  /** Mask card numbers (Luhn-valid, 13-19 digits), keeping the last four. @default true */
  cardNumbers?: boolean;
}

export interface LogPipelineArgs {
  /** Where logs go. @default { type: "loki" } (a Loki installed by this component) */
  sink?: LogSink;
  /** Password of an external sink's `user` (a Pulumi secret); required with `sink.user`. */
  sinkPassword?: pulumi.Input<string>;
  /** Secret masking applied to every record before it leaves the node. @default the defaults above */
  masking?: MaskingArgs;
  /** Days the installed Loki keeps logs. @default 7 */
  retentionDays?: number;
  /** Volume of the installed Loki (Kubernetes). Caution: growing it needs a resizable storage class. @default "10Gi" */
  storageSize?: string;
  /** Namespace of Fluent Bit and Loki (Kubernetes); not Pod-Security restricted because Fluent Bit mounts host logs. @default "logging" */
  namespace?: string;
  /** Namespace of Grafana (the AlertingStack's), admitted to Loki. @default "monitoring" */
  monitoringNamespace?: string;
  /** Pinned images. @default LOG_PIPELINE_IMAGES */
  images?: Partial<LogPipelineImages>;
  /** Per-child adjustments of computed args, keyed by role. */
  transforms?: Transforms<LogPipelineRole>;
}

export const LOG_DEFAULTS = { retentionDays: 7, storageSize: "10Gi", namespace: "logging", monitoringNamespace: "monitoring" } as const;
