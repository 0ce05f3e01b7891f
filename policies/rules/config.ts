/**
 * Per-stack policy config (`policies/config/<stack>.json`, passed as `--policy-pack-config`).
 *
 * The file has the shape the Pulumi CLI accepts: `{"all": <level>?, "<policy>": <level> | {"enforcementLevel"?:
 * <level>, <param>: <value>...}}`. The CLI validates each policy's params against its `configSchema`; this
 * module applies the same checks (plus unknown policy names and params, which the CLI would ignore) so a typo
 * fails in `npm test` with the entry named, and resolves the effective enforcement level of each policy.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface ConfigurablePolicy {
  name: string;
  enforcementLevel?: EnforcementLevel;
  configSchema?: { properties: Record<string, PolicyConfigJSONSchema> };
}

export type PackConfig = Record<string, unknown>;

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function nearest(word: string, candidates: readonly string[]): string {
  let best = "";
  let score = Infinity;
  for (const c of candidates) {
    const s = levenshtein(word, c);
    if (s < score) [best, score] = [c, s];
  }
  return score <= Math.max(3, word.length / 3) ? ` (did you mean "${best}"?)` : "";
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

/** Problems of `value` against a JSON-schema subset (type, enum, minimum/maximum, items, properties). */
export function schemaProblems(value: unknown, schema: PolicyConfigJSONSchema, at: string): string[] {
  const problems: string[] = [];
  const actual = typeOf(value);
  const allowed = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const typeOk = allowed.length === 0 || allowed.some((t) => t === actual || (t === "number" && actual === "integer"));
  if (!typeOk) return [`${at}: ${JSON.stringify(value)} is ${actual}; expected ${allowed.join(" or ")}`];
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (typeof value === "string" && schema.pattern && !new RegExp(schema.pattern).test(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} does not match /${schema.pattern}/`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: needs at least ${schema.minItems} item(s)`);
    if (schema.items && typeof schema.items === "object" && !Array.isArray(schema.items)) {
      value.forEach((v, i) => problems.push(...schemaProblems(v, schema.items as PolicyConfigJSONSchema, `${at}[${i}]`)));
    }
  }
  if (actual === "object" && schema.properties) {
    for (const [key, v] of Object.entries(value as object)) {
      const sub = schema.properties[key];
      if (sub === undefined) {
        if (schema.additionalProperties === false) {
          problems.push(`${at}.${key}: unknown key${nearest(key, Object.keys(schema.properties))}; allowed: ${Object.keys(schema.properties).join(", ")}`);
        }
      } else if (typeof sub === "object") problems.push(...schemaProblems(v, sub, `${at}.${key}`));
    }
  }
  return problems;
}

/** Every problem of a pack config, each naming the file, the policy and the key. */
export function packConfigProblems(config: unknown, policies: readonly ConfigurablePolicy[], source: string): string[] {
  if (typeOf(config) !== "object") return [`${source}: must be a JSON object keyed by policy name`];
  const byName = new Map(policies.map((p) => [p.name, p]));
  const names = [...byName.keys()];
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(config as Record<string, unknown>)) {
    const at = `${source}: "${name}"`;
    if (name === "all") {
      if (!ENFORCEMENT_LEVELS.includes(entry as EnforcementLevel)) problems.push(`${at}: ${JSON.stringify(entry)} is not an enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
      continue;
    }
    const policy = byName.get(name);
    if (!policy) {
      problems.push(`${at}: no policy of this name${nearest(name, names)}`);
      continue;
    }
    if (typeof entry === "string") {
      if (!ENFORCEMENT_LEVELS.includes(entry as EnforcementLevel)) problems.push(`${at}: ${JSON.stringify(entry)} is not an enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
      continue;
    }
    if (typeOf(entry) !== "object") {
      problems.push(`${at}: must be an enforcement level or an object of {enforcementLevel, parameters}`);
      continue;
    }
    const properties = policy.configSchema?.properties ?? {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (key === "enforcementLevel") {
        if (!ENFORCEMENT_LEVELS.includes(value as EnforcementLevel)) problems.push(`${at}.enforcementLevel: ${JSON.stringify(value)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
        continue;
      }
      const schema = properties[key];
      if (!schema) {
        const allowed = Object.keys(properties);
        problems.push(`${at}.${key}: unknown parameter${nearest(key, allowed)}; ${allowed.length ? `allowed: enforcementLevel, ${allowed.join(", ")}` : "this policy takes only enforcementLevel"}`);
        continue;
      }
      problems.push(...schemaProblems(value, schema, `${at}.${key}`));
    }
  }
  return problems;
}

/** Throws one error listing every problem (see `packConfigProblems`). */
export function validatePackConfig(config: unknown, policies: readonly ConfigurablePolicy[], source: string): PackConfig {
  const problems = packConfigProblems(config, policies, source);
  if (problems.length > 0) throw new Error(`invalid policy pack config:\n  ${problems.join("\n  ")}`);
  return config as PackConfig;
}

/** The enforcement level the CLI applies to `policy` under `config`: the policy's entry, else "all", else its default. */
export function effectiveLevel(policy: ConfigurablePolicy, config: PackConfig = {}): EnforcementLevel {
  const entry = config[policy.name];
  if (typeof entry === "string") return entry as EnforcementLevel;
  const fromEntry = (entry as { enforcementLevel?: EnforcementLevel } | undefined)?.enforcementLevel;
  return fromEntry ?? (config.all as EnforcementLevel | undefined) ?? policy.enforcementLevel ?? "advisory";
}

/** The parameters given for `policy` under `config` (without enforcementLevel). */
export function policyParams(policy: ConfigurablePolicy, config: PackConfig = {}): Record<string, unknown> {
  const entry = config[policy.name];
  if (!entry || typeof entry !== "object") return {};
  const { enforcementLevel: _level, ...params } = entry as Record<string, unknown>;
  return params;
}
