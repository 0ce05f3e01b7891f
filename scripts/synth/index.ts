import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ValidationError } from "../../components/lib/validation";
import { applyStackConfig, buildStack, REPO_ROOT } from "../../tests/helpers/stack";
import { providerComputedNames } from "../../tests/helpers/mocks";
import { artefactFiles, type Files } from "./artefacts";
import { inventory, type InventoryEntry } from "./inventory";
import { policyReport, type PolicyReport } from "./policy-report";
import { Redactor } from "./redact";
import type { StackRef } from "./stack-ref";

export { resolveStackRef, allStackArgs, type StackRef } from "./stack-ref";

export interface SynthResult {
  ref: StackRef;
  files: Files;
  inventory: InventoryEntry[];
  policy: PolicyReport;
  summary: Record<string, string | number>;
}

/** The placeholder standing in for secret config key `key` (never a real value). */
export function placeholderSecret(key: string): string {
  return `synth-placeholder-${key}`;
}

/**
 * The secret keys the program asks for, as planPlatform reports them when missing: the program is the source
 * of truth for which settings reference secrets (stacks/secrets.ts words the message).
 */
function requiredSecretKeys(ref: StackRef, overrides: Record<string, unknown>): string[] {
  applyStackConfig(ref.stack, overrides, { projectDir: ref.projectDir });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planPlatform } = require("../../stacks/plan") as typeof import("../../stacks/plan");
  try {
    planPlatform();
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const missing = err.problems.flatMap((p) => [...p.matchAll(/missing required secret [^:\s]+:(\S+)/g)].map((m) => m[1]));
    if (missing.length === 0) throw err; // invalid config: the program's own message says what and where
    return [...new Set(missing)].sort();
  }
}

/** Parses `key=value` (value as YAML, so `cloud=alicloud` and `services=[...]` both work). */
export function parseOverride(arg: string): [string, unknown] {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new Error(`--config expects key=value, got "${arg}"`);
  return [arg.slice(0, eq), parse(arg.slice(eq + 1))];
}

/** Placeholder values for every secret the stack references (key -> placeholder). */
export function placeholderSecrets(ref: StackRef, overrides: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(requiredSecretKeys(ref, overrides).map((k) => [k, placeholderSecret(k)]));
}

/**
 * Runs the real program (stacks/program.ts) for a stack under Pulumi mocks, with placeholder secrets, and
 * renders what it would deploy as review artefacts. Nothing is written; see `writeSynth`.
 */
export async function synthesize(ref: StackRef, overrides: Record<string, unknown> = {}): Promise<SynthResult> {
  const secrets = placeholderSecrets(ref, overrides);
  // With the names a provider computes, so the policy report judges what references them as after an update.
  const built = await buildStack(ref.stack, overrides, { projectDir: ref.projectDir, secrets, outputs: providerComputedNames });
  const redactor = new Redactor(secrets);
  const rec = built.recorder;
  rec.assertUniqueUrns();

  const files = artefactFiles(rec, redactor);
  const inv = inventory(rec, redactor);
  const policy = redactor.redact(policyReport(rec, ref.stack)) as PolicyReport;
  const count = (prefix: string) => [...files.keys()].filter((f) => f.startsWith(prefix)).length;
  const byProvider = (pkg: string) => rec.resources.filter((r) => r.custom && r.type.startsWith(`${pkg}:`)).length;
  const mandatory = policy.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const summary: Record<string, string | number> = {
    stack: ref.label,
    resources: rec.resources.length,
    "components": rec.resources.filter((r) => !r.custom).length,
    aws: byProvider("aws"),
    alicloud: byProvider("alicloud"),
    kubernetes: byProvider("kubernetes"),
    docker: byProvider("docker"),
    "k8s objects": count("kubernetes/"),
    "rule files": count("prometheus/rules/"),
    dashboards: count("grafana/dashboards/"),
    containers: rec.byType("docker:index/container:Container").length,
    "policy checks": policy.policies.length,
    "violations (mandatory)": `${policy.violations.length} (${mandatory})`,
  };

  files.set("inventory.json", `${JSON.stringify(inv, null, 2)}\n`);
  files.set("policy-report.json", `${JSON.stringify(policy, null, 2)}\n`);
  files.set("summary.md", `${summaryTable([summary])}\n`);

  // The last line of defence: no placeholder, encoding of one or generated password anywhere in the output.
  const leaks = [...files].flatMap(([file, content]) => redactor.leaks(content).map((l) => `${file}: ${l}`));
  if (leaks.length > 0) throw new Error(`synth refused to write secrets:\n${leaks.join("\n")}`);
  return { ref, files, inventory: inv, policy, summary };
}

/** Writes a synth result to `dir` (replacing what was there). */
export function writeSynth(result: SynthResult, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, content] of result.files) {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

/** Default output directory: out/<stack label>. */
export function defaultOutDir(ref: StackRef, suffix = ""): string {
  return path.join(REPO_ROOT, "out", `${ref.label}${suffix}`);
}

/** Markdown table of summaries, one row per stack. */
export function summaryTable(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]);
  const cells = [keys, ...rows.map((r) => keys.map((k) => String(r[k] ?? "")))];
  const widths = keys.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}
