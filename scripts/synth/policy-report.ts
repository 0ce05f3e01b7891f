import * as fs from "fs";
import * as path from "path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { unwrapSecrets, type Recorder } from "../../tests/helpers/mocks";
import { violations } from "../../tests/helpers/policy";
import { REPO_ROOT } from "../../tests/helpers/stack";

/** Where the pack's rules live. policies/index.ts is never imported: it starts the policy gRPC server. */
export const RULES_DIR = path.join(REPO_ROOT, "policies", "rules");

export interface PolicyViolation {
  policy: string;
  enforcementLevel: string;
  type: string;
  name: string;
  message: string;
}

export interface PolicyReport {
  /** Resource policies evaluated against every registered resource. */
  policies: Array<{ name: string; enforcementLevel: string; description: string; module: string }>;
  /** Stack-wide policies found in the rule modules, which this report does not evaluate (the engine does). */
  stackPoliciesNotEvaluated: string[];
  violations: PolicyViolation[];
}

function isPolicy(value: unknown): value is { name: string; validateResource?: unknown; validateStack?: unknown } {
  return !!value && typeof value === "object" && typeof (value as any).name === "string" && ("validateResource" in value || "validateStack" in value);
}

/** Every policy exported by a module under policies/rules/ (also ones only listed in exported arrays), by name. */
export function loadPolicies(rulesDir = RULES_DIR): Array<{ policy: any; module: string }> {
  const found = new Map<string, { policy: any; module: string }>();
  for (const file of fs.readdirSync(rulesDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(rulesDir, file));
    const candidates = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v]));
    for (const candidate of candidates) {
      if (isPolicy(candidate) && !found.has(candidate.name)) found.set(candidate.name, { policy: candidate, module: `policies/rules/${file}` });
    }
  }
  return [...found.values()].sort((a, b) => a.policy.name.localeCompare(b.policy.name));
}

/** Runs every resource policy of the pack against every registered resource, as CrossGuard would at preview. */
export function policyReport(recorder: Recorder, rulesDir = RULES_DIR): PolicyReport {
  const loaded = loadPolicies(rulesDir);
  const resourcePolicies = loaded.filter(({ policy }) => policy.validateResource);
  const report: PolicyReport = {
    policies: resourcePolicies.map(({ policy, module }) => ({
      name: policy.name,
      enforcementLevel: policy.enforcementLevel ?? "advisory",
      description: policy.description ?? "",
      module,
    })),
    stackPoliciesNotEvaluated: loaded.filter(({ policy }) => !policy.validateResource).map(({ policy }) => policy.name),
    violations: [],
  };
  for (const r of recorder.resources) {
    const input = { type: r.type, props: unwrapSecrets(r.inputs), name: r.name, protect: r.protect };
    for (const { policy } of resourcePolicies) {
      for (const message of violations(policy as ResourceValidationPolicy, input)) {
        report.violations.push({ policy: policy.name, enforcementLevel: policy.enforcementLevel ?? "advisory", type: r.type, name: r.name, message });
      }
    }
  }
  return report;
}
