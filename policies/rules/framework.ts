/**
 * How a check is written and turned into a CrossGuard policy.
 *
 * A check is plain data plus a `validate` function that returns problem messages. `resourceCheck` and
 * `stackCheck` wrap it into a `ResourceValidationPolicy` / `StackValidationPolicy` that
 *  - merges the policy's config (from `--policy-pack-config`) over the defaults of its `config` schema,
 *  - stays silent on values unknown during preview (the SDK's proxy throws `UnknownValueError` on them; we
 *    skip the affected resource instead of letting the SDK print "can't run policy during preview"),
 *  - downgrades a violation of an exempted resource (exemptions.ts) to advisory and prints the reason.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { packConfigProblems } from "./config";
import { activeExemptions, exemptionFor } from "./exemptions";

export type Category = "kubernetes-workload" | "availability" | "network-edge" | "aws" | "alicloud" | "data-protection" | "monitoring";

/** Properties of a check's config (`policies/config/<stack>.json` → `"<check>": {...}`); each needs a default. */
export type ConfigSchema = Record<string, PolicyConfigJSONSchema & { default: unknown; description: string }>;

interface CheckMeta<C> {
  name: string;
  description: string;
  severity: Severity;
  /** What to change so the check passes (shown by `pulumi preview` as the remediation steps). */
  remediation: string;
  /** Default enforcement; per-stack config may change it (mandatory blocks `pulumi preview/up`). */
  enforcementLevel: EnforcementLevel;
  category: Category;
  config?: ConfigSchema;
  /** Compile-time helper only: the parsed config type. */
  _config?: C;
}

/** A resource the check looks at: type, URN, name, plain inputs and the `protect` option. */
export interface Subject {
  type: string;
  urn: string;
  name: string;
  props: Record<string, any>;
  protect: boolean;
}

export interface ResourceCheck<C = Record<string, any>> extends CheckMeta<C> {
  /** Resource types the check reads; others are skipped without calling `validate`. Omit for any type. */
  types?: readonly string[];
  validate(r: Subject, config: C): string[];
}

/** A resource in the stack with its recorded parent and dependencies (URNs). */
export interface StackResource extends Subject {
  parent?: string;
  dependencies: string[];
}

export interface StackProblem {
  message: string;
  /** The resource in violation (exemptions match this URN); omitted for the stack as a whole. */
  urn?: string;
}

export interface StackCheck<C = Record<string, any>> extends CheckMeta<C> {
  validate(stack: StackView, config: C): StackProblem[];
}

/** Policies made from checks carry the check so tests and the catalog can read its metadata. */
export type PlatformResourcePolicy = ResourceValidationPolicy & { check: ResourceCheck<any> };
export type PlatformStackPolicy = StackValidationPolicy & { check: StackCheck<any> };
export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;

const checkedConfigs = new Map<string, string[]>();

/**
 * Problems of the params a pack config gives this check. The CLI validates types against `configSchema` but
 * passes unknown keys through, so a misspelt parameter would silently fall back to its default; this names it.
 */
export function configProblems(check: CheckMeta<unknown>, given: Record<string, unknown> | undefined): string[] {
  const key = `${check.name}:${JSON.stringify(given ?? {})}`;
  let problems = checkedConfigs.get(key);
  if (!problems) {
    const { enforcementLevel: _level, ...params } = given ?? {};
    problems = packConfigProblems({ [check.name]: params }, [{ name: check.name, configSchema: configSchema(check) }], "policy pack config");
    checkedConfigs.set(key, problems);
  }
  return problems;
}

/** Resolved config of a check: defaults from its schema, overridden by the values given for the stack. */
export function resolveConfig<C>(check: CheckMeta<C>, given: Record<string, unknown> | undefined): C {
  const problems = configProblems(check as CheckMeta<unknown>, given);
  if (problems.length > 0) throw new Error(`invalid config for policy "${check.name}":\n  ${problems.join("\n  ")}`);
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(check.config ?? {})) out[key] = schema.default;
  for (const [key, value] of Object.entries(given ?? {})) if (key !== "enforcementLevel") out[key] = value;
  return out as C;
}

function configSchema(check: CheckMeta<unknown>): { properties: Record<string, PolicyConfigJSONSchema> } | undefined {
  if (!check.config) return undefined;
  return { properties: check.config };
}

/** Unwraps the SDK's unknown-checking proxy only far enough to read options; props stay proxied. */
function subjectOf(type: string, urn: string, name: string, props: Record<string, any>, protect: boolean): Subject {
  return { type, urn, name, props, protect };
}

/** Reports one problem, downgraded to advisory with its reason when an exemption covers the resource. */
function report(reportViolation: ReportViolation, check: CheckMeta<unknown>, message: string, urn: string | undefined): void {
  const exemption = urn ? exemptionFor(activeExemptions(), check.name, urn) : undefined;
  if (!exemption) {
    reportViolation(message, urn);
    return;
  }
  // The SDK (1.21, server.js makeReportViolationFun) accepts a policy-info object whose enforcementLevel
  // overrides the policy's for this one diagnostic; the public typings only declare the string form.
  const info = {
    message: `${message}\nEXEMPTED until ${exemption.expires} (policies/exemptions.json): ${exemption.reason}`,
    urn,
    enforcementLevel: "advisory" as EnforcementLevel,
  };
  (reportViolation as unknown as (m: typeof info) => void)(info);
}

function isUnknown(err: unknown): boolean {
  return err instanceof UnknownValueError || (err as Error)?.constructor?.name === "UnknownValueError";
}

/** What the pack reports for every check, resource or stack: name, text, severity, enforcement and config schema. */
function policyMetadata<K extends CheckMeta<any>>(check: K) {
  return {
    name: check.name,
    description: check.description,
    severity: check.severity,
    remediationSteps: check.remediation,
    enforcementLevel: check.enforcementLevel,
    tags: [check.category],
    configSchema: configSchema(check),
    check,
  };
}

export function resourceCheck<C>(check: ResourceCheck<C>): PlatformResourcePolicy {
  const types = check.types ? new Set(check.types) : undefined;
  return {
    ...policyMetadata(check),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (types && !types.has(args.type)) return;
      const config = resolveConfig(check, args.getConfig<Record<string, unknown>>());
      let problems: string[];
      try {
        problems = check.validate(subjectOf(args.type, args.urn, args.name, args.props, args.opts?.protect === true), config);
      } catch (err) {
        if (isUnknown(err)) return; // a value this check needs is computed during the update: judge it then
        throw err;
      }
      for (const problem of problems) report(reportViolation, check, problem, args.urn);
    },
  };
}

export function stackCheck<C>(check: StackCheck<C>): PlatformStackPolicy {
  return {
    ...policyMetadata(check),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const config = resolveConfig(check, args.getConfig<Record<string, unknown>>());
      const view = new StackView(args.resources.map(fromPolicyResource));
      for (const problem of check.validate(view, config)) report(reportViolation, check, problem.message, problem.urn);
    },
  };
}

function fromPolicyResource(r: PolicyResource): StackResource {
  return {
    type: r.type,
    urn: r.urn,
    name: r.name,
    props: r.props,
    protect: r.opts?.protect === true,
    parent: r.parent?.urn,
    dependencies: r.dependencies.map((d) => d.urn),
  };
}

/**
 * The stack's resources with lookups stack checks need. Reads through `known()` so a value unknown during
 * preview makes one resource "undecided" instead of failing the whole check.
 */
export class StackView {
  private readonly byUrn: Map<string, StackResource>;

  constructor(readonly resources: StackResource[]) {
    this.byUrn = new Map(resources.map((r) => [r.urn, r]));
  }

  ofType(...types: string[]): StackResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  get(urn: string): StackResource | undefined {
    return this.byUrn.get(urn);
  }

  /** Resources that depend on `target`, directly or through other resources (parents excluded). */
  dependents(target: StackResource): StackResource[] {
    return this.resources.filter((r) => r !== target && this.dependsOn(r, target));
  }

  dependsOn(resource: StackResource, target: StackResource): boolean {
    const seen = new Set<string>();
    const queue = [...resource.dependencies];
    while (queue.length > 0) {
      const urn = queue.pop()!;
      if (urn === target.urn) return true;
      if (seen.has(urn)) continue;
      seen.add(urn);
      queue.push(...(this.byUrn.get(urn)?.dependencies ?? []));
    }
    return false;
  }

  /** Direct and transitive dependencies of `resource`. */
  dependenciesOf(resource: StackResource): StackResource[] {
    const out = new Map<string, StackResource>();
    const queue = [...resource.dependencies];
    while (queue.length > 0) {
      const urn = queue.pop()!;
      if (out.has(urn)) continue;
      const dep = this.byUrn.get(urn);
      if (!dep) continue;
      out.set(urn, dep);
      queue.push(...dep.dependencies);
    }
    return [...out.values()];
  }
}

/** Runs `read`; a value unknown during preview yields `undefined` (undecided) instead of an error. */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (isUnknown(err)) return undefined;
    throw err;
  }
}
