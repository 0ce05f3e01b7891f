import { createHash } from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import type { PlatformContext } from "../lib/platform";
import { k8sName } from "../lib/naming";

/**
 * The stack's shared environment: plain variables many services read (log format, region, feature flags), kept
 * in one ConfigMap on Kubernetes and read by each opted-in service through `envFrom`. A service's own env,
 * secretEnv, secretRefs and connection variables win over a shared one of the same name, on both targets.
 */

/** Name of the ConfigMap in the workload namespace (a Secret `<service>-env` is a different kind, so no clash). */
export const SHARED_ENV_CONFIG_MAP = k8sName("shared-env");

/** Pod-template annotation holding the checksum, so a change of any shared value rolls the pods that read it. */
export const SHARED_ENV_CHECKSUM_ANNOTATION = "checksum/shared-env";

/** A ConfigMap holds at most 1 MiB; leave headroom for its metadata. */
export const SHARED_ENV_MAX_BYTES = 512 * 1024;

/** SHA-256 of the values in key order: equal maps give equal checksums whatever order they were written in. */
export function sharedEnvChecksum(values: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k]]));
  return createHash("sha256").update(canonical).digest("hex");
}

/** Encoded size of the values as the ConfigMap stores them. */
export function sharedEnvBytes(values: Readonly<Record<string, string>>): number {
  return Object.entries(values).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** The ConfigMap's args. Pure. */
export function sharedEnvConfigMap(values: Readonly<Record<string, string>>, ctx: Pick<PlatformContext, "namespace" | "project" | "environment">): k8s.core.v1.ConfigMapArgs {
  return {
    metadata: {
      name: SHARED_ENV_CONFIG_MAP,
      namespace: ctx.namespace,
      labels: { "app.kubernetes.io/name": "shared-env", "app.kubernetes.io/part-of": ctx.project, environment: ctx.environment },
    },
    data: { ...values },
  };
}
