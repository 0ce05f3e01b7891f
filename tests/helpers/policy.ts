import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

export interface PolicyInput {
  type: string;
  props: Record<string, any>;
  name?: string;
  protect?: boolean;
}

/**
 * Runs one resource-validation policy against a resource description and returns the violation messages.
 * Rule modules are imported directly: the pack's entry file would start a gRPC server.
 */
export function violations(policy: ResourceValidationPolicy, input: PolicyInput): string[] {
  const found: string[] = [];
  const args = {
    type: input.type,
    props: input.props,
    urn: `urn:pulumi:test::platform::${input.type}::${input.name ?? "r"}`,
    name: input.name ?? "r",
    opts: { protect: input.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => ({}),
  } as unknown as ResourceValidationArgs;
  const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const validate of validators) {
    void validate?.(args, (message: string) => found.push(message));
  }
  return found;
}
