import type { EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { effectiveLevel, PackConfig, policyParams } from "../../policies/rules/config";
import { Exemption, useExemptions } from "../../policies/rules/exemptions";
import { unwrapSecrets, type Recorder } from "./mocks";

/**
 * Runs CrossGuard policies the way the policy SDK's analyzer server does (props behind the SDK's
 * unknown-checking proxy, config from the pack config, per-diagnostic enforcement levels) without starting
 * the gRPC server: rule modules are imported directly, never the pack's entry file.
 */

export interface PolicyInput {
  type: string;
  props: Record<string, any>;
  name?: string;
  protect?: boolean;
  /** Stack name in the URN (the environment fallback of prod-only checks). Default "test". */
  stack?: string;
  urn?: string;
  parent?: string;
  /** URNs this resource depends on (stack policies). */
  dependencies?: string[];
}

export interface Diagnostic {
  policy: string;
  message: string;
  urn?: string;
  enforcementLevel: EnforcementLevel;
}

export interface RunOptions {
  /** Params for the policy (what `"<policy>": {...}` in a pack config gives it). */
  config?: Record<string, unknown>;
  /** Enforcement level the policy runs at (default: its own). */
  enforcementLevel?: EnforcementLevel;
  exemptions?: Exemption[];
}

/** The unknown sentinel the engine sends for a string value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function urnOf(input: PolicyInput): string {
  return input.urn ?? `urn:pulumi:${input.stack ?? "test"}::platform::${input.type}::${input.name ?? "r"}`;
}

function opts(protect: boolean) {
  return { protect, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] };
}

function reporter(policy: string, level: EnforcementLevel, out: Diagnostic[], defaultUrn?: string) {
  return (message: any, urn?: string) => {
    if (typeof message === "object") out.push({ policy, message: message.message, urn: message.urn ?? defaultUrn, enforcementLevel: message.enforcementLevel ?? level });
    else out.push({ policy, message, urn: urn ?? defaultUrn, enforcementLevel: level });
  };
}

function withExemptions<T>(exemptions: Exemption[] | undefined, run: () => T): T {
  useExemptions(exemptions ?? []);
  try {
    return run();
  } finally {
    useExemptions([]);
  }
}

/** Every diagnostic one resource policy reports for one resource. */
export function evaluate(policy: ResourceValidationPolicy, input: PolicyInput, options: RunOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const urn = urnOf(input);
  const level = options.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
  const args = {
    type: input.type,
    props: unknownCheckingProxy(input.props),
    urn,
    name: input.name ?? "r",
    opts: opts(input.protect ?? false),
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => ({ ...(options.config ?? {}) }),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as unknown as ResourceValidationArgs;
  const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  withExemptions(options.exemptions, () => {
    for (const validate of validators) void validate?.(args, reporter(policy.name, level, out, urn) as any);
  });
  return out;
}

/** Violation messages of one resource policy for one resource. */
export function violations(policy: ResourceValidationPolicy, input: PolicyInput, options: RunOptions = {}): string[] {
  return evaluate(policy, input, options).map((d) => d.message);
}

/** Every diagnostic one stack policy reports for a set of resources (dependencies by URN). */
export function evaluateStack(policy: StackValidationPolicy, inputs: PolicyInput[], options: RunOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const level = options.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
  const resources: any[] = inputs.map((i) => ({
    type: i.type,
    props: unknownCheckingProxy(i.props),
    urn: urnOf(i),
    name: i.name ?? "r",
    opts: opts(i.protect ?? false),
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  inputs.forEach((i, n) => {
    resources[n].dependencies = (i.dependencies ?? []).map((u) => byUrn.get(u)).filter(Boolean);
    if (i.parent && byUrn.has(i.parent)) resources[n].parent = byUrn.get(i.parent);
  });
  const args = {
    resources,
    stackTags: new Map<string, string>(),
    getConfig: () => ({ ...(options.config ?? {}) }),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  } as unknown as StackValidationArgs;
  withExemptions(options.exemptions, () => void policy.validateStack(args, reporter(policy.name, level, out) as any));
  return out;
}

export function stackViolations(policy: StackValidationPolicy, inputs: PolicyInput[], options: RunOptions = {}): string[] {
  return evaluateStack(policy, inputs, options).map((d) => d.message);
}

/** A stack's registrations as policy inputs: the engine hands analyzers plaintext, so secrets are unwrapped. */
export function stackInputs(recorder: Recorder): PolicyInput[] {
  return recorder.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: unwrapSecrets(r.inputs),
    protect: r.protect,
    parent: r.parent || undefined,
    dependencies: r.dependencies,
  }));
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * Runs a whole pack under a pack config (`policies/config/<stack>.json`) the way `pulumi preview
 * --policy-pack --policy-pack-config` would: disabled policies are skipped, each policy gets its params and
 * its effective enforcement level; exempted violations come back advisory.
 */
export function runPack(policies: AnyPolicy[], inputs: PolicyInput[], config: PackConfig = {}, exemptions: Exemption[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const policy of policies) {
    const enforcementLevel = effectiveLevel(policy, config);
    if (enforcementLevel === "disabled") continue;
    const options: RunOptions = { config: policyParams(policy, config), enforcementLevel, exemptions };
    if ("validateStack" in policy) out.push(...evaluateStack(policy, inputs, options));
    else for (const input of inputs) out.push(...evaluate(policy, input, options));
  }
  return out;
}
