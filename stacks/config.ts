import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { chartOverrideProblems, chartsSchema } from "../components/lib/charts";
import { CLOUDS, ENVIRONMENTS, TARGETS } from "../components/lib/platform";
import { dnsLabel, parseOrThrow, Problems, ValidationError } from "../components/lib/validation";

/**
 * Stack configuration: the only place that reads `pulumi.Config`. Everything is parsed and validated
 * synchronously here, so a bad `Pulumi.<stack>.yaml` fails before any resource is registered, with the
 * full key path (`platform:services[1].image`), the bad value and what is allowed.
 */

/** The project's config namespace (the `name` in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "platform";

const DEFAULT_RUNBOOK_BASE_URL = "https://github.com/example-org/platform-stacks/blob/main/docs/runbooks/";

/** Top-level keys every stack has. Sections (services, databases, ...) are added in `SECTIONS`. */
export const rootSchema = z.object({
  environment: z.enum(ENVIRONMENTS as [string, ...string[]]).transform((e) => e as (typeof ENVIRONMENTS)[number]),
  target: z.enum(TARGETS as [string, ...string[]]).transform((t) => t as (typeof TARGETS)[number]),
  cloud: z
    .enum(CLOUDS as [string, ...string[]])
    .default("none")
    .transform((c) => c as (typeof CLOUDS)[number]),
  /** Kubernetes namespace of the workloads; also the logical name prefix on Docker. */
  namespace: dnsLabel.default("platform"),
  /** Short prefix for physical names (buckets, DB identifiers). */
  project: dnsLabel.max(20, { message: "must be at most 20 characters (it prefixes physical names)" }).default("platform"),
  /** Extra cloud tags. */
  tags: z.record(z.string(), z.string()).default({}),
  /** Base URL of docs/runbooks/ that alert runbook_url annotations point at. */
  runbookBaseUrl: z.url().default(DEFAULT_RUNBOOK_BASE_URL),
  /** Helm chart sources (mirror, OCI registry or local directory) by chart key. */
  charts: chartsSchema,
});

export type RootConfig = z.output<typeof rootSchema>;

/** Raw config values of this project's namespace, keyed without the namespace prefix. */
export function readRawConfig(namespace = CONFIG_NAMESPACE): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const prefix = `${namespace}:`;
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    out[fullKey.slice(prefix.length)] = parseConfigValue(value);
  }
  return out;
}

/** Pulumi stores structured values as JSON and scalars as strings. */
function parseConfigValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Fails on keys that are neither known settings nor secrets, so typos do not silently fall back to defaults. */
export function assertKnownKeys(
  raw: Record<string, unknown>,
  known: ReadonlyArray<string>,
  secretKeys: ReadonlySet<string>,
  namespace = CONFIG_NAMESPACE,
): void {
  const unknown = Object.keys(raw).filter((k) => !known.includes(k) && !secretKeys.has(k));
  if (unknown.length === 0) return;
  throw new ValidationError(
    "stack config",
    unknown.map(
      (k) => `${namespace}:${k}: unknown key (allowed: ${known.join(", ")}, or a secret referenced by another setting)`,
    ),
  );
}

export function parseRoot(raw: Record<string, unknown>): RootConfig {
  const root = parseOrThrow(rootSchema, raw, "stack config", `${CONFIG_NAMESPACE}:`);
  const problems = new Problems("stack config", `${CONFIG_NAMESPACE}:charts`);
  for (const p of chartOverrideProblems(root.charts)) problems.add(p.path, p.value, p.allowed);
  problems.throwIfAny();
  return root;
}
