import * as fs from "fs";
import * as path from "path";
import { allPolicies, policyNames } from "../../policies/rules/catalog";
import { type PackConfig, validatePackConfig } from "../../policies/rules/config";
import { loadExemptions } from "../../policies/rules/exemptions";
import type { Recorder } from "../../tests/helpers/mocks";
import { runPack, stackInputs } from "../../tests/helpers/policy";
import { REPO_ROOT } from "../../tests/helpers/stack";

export interface PolicyViolation {
  policy: string;
  enforcementLevel: string;
  /** Resource name (from the URN); absent for a stack-wide finding. */
  resource?: string;
  message: string;
}

export interface PolicyReport {
  /** The pack config applied (policies/config/<stack>.json), or "defaults" when the stack has none. */
  config: string;
  /** Every check of the pack (policies/rules/catalog.ts, what policies/index.ts serves). */
  policies: Array<{ name: string; enforcementLevel: string; description: string }>;
  violations: PolicyViolation[];
}

/** The pack config for a stack name, validated against every check's schema, as `--policy-pack-config` would. */
function packConfig(stack: string): { config: PackConfig; source: string } {
  const file = path.join(REPO_ROOT, "policies", "config", `${stack}.json`);
  if (!fs.existsSync(file)) return { config: {}, source: "defaults" };
  const source = path.relative(REPO_ROOT, file);
  return { config: validatePackConfig(JSON.parse(fs.readFileSync(file, "utf8")), allPolicies, source), source };
}

/**
 * Runs the whole policy pack over a stack's registrations the way `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config/<stack>.json` would (the rule modules are imported directly, never
 * policies/index.ts, which starts the policy gRPC server); exempted findings come back advisory.
 */
export function policyReport(recorder: Recorder, stack: string): PolicyReport {
  const { config, source } = packConfig(stack);
  const diagnostics = runPack(allPolicies, stackInputs(recorder), config, loadExemptions(policyNames, new Date()));
  return {
    config: source,
    policies: allPolicies.map((p) => ({ name: p.name, enforcementLevel: p.enforcementLevel ?? "advisory", description: p.description ?? "" })),
    violations: diagnostics.map((d) => ({
      policy: d.policy,
      enforcementLevel: d.enforcementLevel,
      ...(d.urn ? { resource: d.urn.split("::").pop() } : {}),
      message: d.message,
    })),
  };
}
