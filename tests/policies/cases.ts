import type { PlatformPolicy } from "../../policies/rules/framework";
import { evaluate, evaluateStack, type PolicyInput, type RunOptions } from "../helpers/policy";

/** One check's test case: a compliant and a violating resource (or stack), and the message expected. */
export interface CheckCase {
  good: PolicyInput | PolicyInput[];
  bad: PolicyInput | PolicyInput[];
  /** Each must appear (as a substring) among the violating case's messages. */
  expect: string[];
  /** Params for both runs. */
  config?: Record<string, unknown>;
}

export function messages(policy: PlatformPolicy, fixture: PolicyInput | PolicyInput[], options: RunOptions = {}): string[] {
  if ("validateStack" in policy) return evaluateStack(policy, Array.isArray(fixture) ? fixture : [fixture], options).map((d) => d.message);
  const inputs = Array.isArray(fixture) ? fixture : [fixture];
  return inputs.flatMap((i) => evaluate(policy, i, options).map((d) => d.message));
}

/** For every policy: the compliant case passes and the violating case fails with the expected messages. */
export function describeChecks(policies: PlatformPolicy[], cases: Record<string, CheckCase>): void {
  it("has a compliant and a violating case for every check of the module", () => {
    expect(policies.map((p) => p.name).filter((n) => !cases[n])).toEqual([]);
    expect(Object.keys(cases).filter((n) => !policies.some((p) => p.name === n))).toEqual([]);
  });
  describe.each(policies.map((p) => [p.name, p] as const))("%s", (name, policy) => {
    const c = cases[name];
    it("passes the compliant case", () => {
      expect(messages(policy, c.good, { config: c.config })).toEqual([]);
    });
    it("reports the violating case", () => {
      const found = messages(policy, c.bad, { config: c.config });
      expect(found.length).toBeGreaterThan(0);
      for (const e of c.expect) expect(found.join("\n")).toContain(e);
    });
  });
}

/** Deep copy of `base` changed by `edit`. */
export function variant<T>(base: T, edit: (copy: any) => void): T {
  const copy = JSON.parse(JSON.stringify(base));
  edit(copy);
  return copy;
}
