import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { chartOverrideProblems, chartsSchema } from "../components/lib/charts";
import { CLOUDS, ENVIRONMENTS, TARGETS } from "../components/lib/platform";
import { dnsLabel, nearest, parseOrThrow, Problems, unknownKeyMessage } from "../components/lib/validation";

/**
 * Stack configuration: the only place that reads `pulumi.Config`. Everything is parsed and validated
 * synchronously here, so a bad `Pulumi.<stack>.yaml` fails before any resource is registered, with the
 * full key path (`platform:services[1].image`), the bad value and what is allowed.
 */

/** The project's config namespace (the `name` in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "platform";

/** Where the runbooks live inside the repository (docs/runbooks/<Alert>.md). */
const RUNBOOK_DIR = "docs/runbooks/";

/**
 * Web address of docs/runbooks/ in a repository browser: GitHub (and Gitea/Forgejo) `/blob/<ref>/`, GitLab
 * `/-/blob/<ref>/`, Bitbucket `/src/<ref>/`.
 */
export function runbookBaseFromRepository(url: string, ref: string): string {
  const base = url.replace(/\.git$/, "").replace(/\/+$/, "");
  const host = new URL(base).hostname;
  const tree = host.includes("gitlab") ? "-/blob" : host.includes("bitbucket") ? "src" : "blob";
  return `${base}/${tree}/${ref}/${RUNBOOK_DIR}`;
}

/** Top-level keys every stack has. Sections (services, databases, ...) are added in `SECTIONS`. */
export const rootSchema = z.object({
  environment: z
    .enum(ENVIRONMENTS as [string, ...string[]])
    .describe("Environment profile (stacks/profiles.ts) every section falls back to: replicas, autoscaling, data store sizes, backup retention, monitoring retention.")
    .transform((e) => e as (typeof ENVIRONMENTS)[number]),
  target: z
    .enum(TARGETS as [string, ...string[]])
    .describe("Where workloads run: `docker` (local engine, dev) or `kubernetes` (EKS/ACK or an existing cluster).")
    .transform((t) => t as (typeof TARGETS)[number]),
  cloud: z
    .enum(CLOUDS as [string, ...string[]])
    .default("none")
    .describe("Cloud for the network, cluster, managed data stores and buckets; switching it alone moves the whole system. `none` needs cluster.mode existing on Kubernetes.")
    .transform((c) => c as (typeof CLOUDS)[number]),
  namespace: dnsLabel
    .default("platform")
    .describe("Kubernetes namespace of the workloads (Pod Security `restricted` enforced); the name prefix of containers, networks and volumes on Docker."),
  project: dnsLabel
    .max(20, { message: "must be at most 20 characters (it prefixes physical names)" })
    .default("platform")
    .describe("Short prefix of physical names (buckets, database identifiers). Caution: changing it replaces those resources."),
  tags: z
    .record(z.string(), z.string())
    .default({})
    .describe("Extra cloud tags; every resource also gets Project, Environment, Component and ManagedBy. Example: `{CostCenter: payments}`"),
  repository: z
    .strictObject({
      url: z.url().describe("Web address of the repository. Example: `https://github.com/acme/platform-stacks`"),
      ref: z.string().min(1).default("main").describe("Branch or tag the runbook links point at."),
    })
    .optional()
    .describe("The repository this project lives in; runbookBaseUrl is derived from it (`<url>/blob/<ref>/docs/runbooks/`, GitLab `/-/blob/`, Bitbucket `/src/`)."),
  runbookBaseUrl: z
    .url()
    .optional()
    .describe("Base URL every alert's runbook_url points at (the runbook is `<base><Alert>.md`). One of runbookBaseUrl or repository is required. Default: derived from repository."),
  charts: chartsSchema,
});

/** Root settings after parsing; `runbookBaseUrl` is always resolved (given, or derived from `repository`). */
export type RootConfig = Omit<z.output<typeof rootSchema>, "runbookBaseUrl"> & { runbookBaseUrl: string };

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

/** A secret config key some setting references, and that setting's key path. */
export interface SecretReference {
  key: string;
  usedBy: string;
}

/**
 * Problems with the top-level keys and the secrets settings reference, all at once:
 *  - a referenced secret that is missing while an unreferenced key close to its name is set is reported as the
 *    typo it is, at the setting holding it (`platform:services[1].secretEnv.JWT_SECRET: names secret
 *    "apiJwtSecert", which is not set; did you mean "apiJwtSecret"?`), not as the correct secret being unknown;
 *  - any other unknown key, with the nearest allowed key and the list of allowed keys;
 *  - a referenced secret that is missing or stored in plaintext (never its value).
 */
export function configKeyProblems(
  raw: Record<string, unknown>,
  known: ReadonlyArray<string>,
  required: ReadonlyArray<SecretReference>,
  secrets: { has(key: string): boolean; problem(key: string, usedBy: string): string | undefined },
  namespace = CONFIG_NAMESPACE,
): string[] {
  const referenced = new Set(required.map((r) => r.key));
  const unknown = new Set(Object.keys(raw).filter((k) => !known.includes(k) && !referenced.has(k)));
  // Missing secret name -> the set-but-unreferenced key it is a typo of (each such key explains one name).
  const typos = new Map<string, string>();
  for (const key of referenced) {
    const guess = secrets.has(key) ? undefined : nearest(key, [...unknown].filter((k) => ![...typos.values()].includes(k)));
    if (guess !== undefined) typos.set(key, guess);
  }
  for (const guess of typos.values()) unknown.delete(guess);
  const problems: string[] = [];
  for (const { key, usedBy } of required) {
    const typoOf = typos.get(key);
    if (typoOf !== undefined) {
      problems.push(
        `${usedBy}: names secret ${namespace}:${key}, which is not set; did you mean ${namespace}:${typoOf}? ` +
          `(${namespace}:${typoOf} is set but no setting references it; fix the name in ${usedBy})`,
      );
      continue;
    }
    const problem = secrets.problem(key, usedBy);
    if (problem) problems.push(problem);
  }
  for (const k of unknown) {
    problems.push(`${namespace}:${k}: ${unknownKeyMessage(k, known, ", or a secret referenced by another setting")}`);
  }
  return problems;
}

export function parseRoot(raw: Record<string, unknown>): RootConfig {
  const root = parseOrThrow(rootSchema, raw, "stack config", `${CONFIG_NAMESPACE}:`);
  const problems = new Problems("stack config", `${CONFIG_NAMESPACE}:`);
  for (const p of chartOverrideProblems(root.charts)) problems.add(["charts", ...p.path], p.value, p.allowed);
  // A made-up default would make every runbook link dead: the base must come from the stack's own settings.
  const runbookBaseUrl = root.runbookBaseUrl ?? (root.repository ? runbookBaseFromRepository(root.repository.url, root.repository.ref) : undefined);
  if (runbookBaseUrl === undefined) {
    problems.add(
      "runbookBaseUrl",
      undefined,
      "is required: every alert links its runbook there. Set platform:repository.url (the runbook base becomes <url>/blob/main/docs/runbooks/) or platform:runbookBaseUrl",
    );
  }
  problems.throwIfAny();
  return { ...root, runbookBaseUrl: runbookBaseUrl! };
}

/** The root keys the profile and every section's plan hang on: without them no section can be planned. */
export const PLANNING_KEYS = ["environment", "target", "cloud"] as const;

/** Stands in for a runbook base that is missing or invalid, so the sections can still be checked (the run fails anyway). */
const UNRESOLVED_RUNBOOK_BASE = "https://runbook-base.invalid/";

/**
 * Root settings good enough to plan the sections when `parseRoot` failed, so one run reports the root problems and
 * the sections' together: root keys that fail on their own are left at their defaults and a missing runbook base
 * gets a placeholder. Never built: the root problems fail the run. Undefined when environment, target or cloud
 * is itself invalid (the profile and every section's checks depend on them).
 */
export function rootForPlanning(raw: Record<string, unknown>): RootConfig | undefined {
  const first = rootSchema.safeParse(raw);
  const bad = new Set(first.success ? [] : first.error.issues.map((i) => String(i.path[0])));
  if (PLANNING_KEYS.some((k) => bad.has(k))) return undefined;
  const second = rootSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k))));
  if (!second.success) return undefined;
  const r = second.data;
  const runbookBaseUrl = r.runbookBaseUrl ?? (r.repository ? runbookBaseFromRepository(r.repository.url, r.repository.ref) : UNRESOLVED_RUNBOOK_BASE);
  return { ...r, runbookBaseUrl };
}
