import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, OutputHook, Recorder, settle } from "./mocks";

export const REPO_ROOT = path.resolve(__dirname, "../..");
const NAMESPACE = "platform";

/** Value the harness substitutes for each secret (`secure:`) config value, so leaks can be scanned for. */
export function testSecretValue(key: string): string {
  return `test-secret-value-${key}`;
}

/**
 * Reads `Pulumi.<stack>.yaml` of a project (default: this repository) as the flat `namespace:key -> value` map
 * Pulumi stores, over the project-level defaults of `Pulumi.yaml` (`config: {key: value | {default|value}}`).
 */
export function readStackFile(stack: string, projectDir = REPO_ROOT): Record<string, unknown> {
  const project = readProject(projectDir);
  const defaults = Object.fromEntries(
    Object.entries(project.config ?? {}).flatMap(([key, spec]) => {
      if (spec && typeof spec === "object" && !Array.isArray(spec)) {
        const s = spec as Record<string, unknown>;
        if ("value" in s) return [[key, s.value]];
        if ("default" in s) return [[key, s.default]];
        return [];
      }
      return [[key, spec]];
    }),
  );
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) ?? {};
  return { ...defaults, ...(doc.config ?? {}) };
}

/** `Pulumi.yaml` of a project directory. */
export function readProject(projectDir = REPO_ROOT): { name: string; config?: Record<string, unknown> } {
  const doc = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) ?? {};
  if (typeof doc.name !== "string") throw new Error(`${path.join(projectDir, "Pulumi.yaml")} has no project name`);
  return doc;
}

export interface BuildStackOptions {
  /** Secret config values to add (key without namespace -> plaintext test value). */
  secrets?: Record<string, string>;
  /** Run as a preview. */
  preview?: boolean;
  /** Directory holding Pulumi.yaml and the stack file (default: this repository). */
  projectDir?: string;
  /** Extra computed outputs, as a real provider would return them (see `installMocks`). */
  outputs?: OutputHook;
}

export interface BuiltStack {
  recorder: Recorder;
  outputs: Record<string, unknown>;
  /** Every secret value given to the program, for leak scans. */
  secretValues: string[];
}

function qualify(key: string): string {
  return key.includes(":") ? key : `${NAMESPACE}:${key}`;
}

/**
 * Sets the runtime config to `Pulumi.<stack>.yaml` plus `overrides` (top-level keys without the
 * `platform:` prefix; `undefined` removes a key). Secure values become `testSecretValue(key)`.
 * Returns every secret value set, for leak scans.
 */
export function applyStackConfig(stack: string, overrides: Record<string, unknown> = {}, options: BuildStackOptions = {}): string[] {
  const raw = readStackFile(stack, options.projectDir);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete raw[qualify(key)];
    else raw[qualify(key)] = value;
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const secretValues: string[] = [];
  const addSecret = (key: string, value: string) => {
    config[key] = value;
    secretKeys.push(key);
    secretValues.push(value);
  };
  for (const [key, value] of Object.entries(raw)) {
    if (value && typeof value === "object" && "secure" in (value as object)) addSecret(key, testSecretValue(key.split(":").pop()!));
    else config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(options.secrets ?? {})) addSecret(qualify(key), value);
  pulumi.runtime.setAllConfig(config, secretKeys);
  return secretValues;
}

/** Runs the stack program for `Pulumi.<stack>.yaml` under Pulumi mocks, as `pulumi up` would. */
export async function buildStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: BuildStackOptions = {},
): Promise<BuiltStack> {
  const secretValues = applyStackConfig(stack, overrides, options);
  const recorder = installMocks({ project: readProject(options.projectDir).name, stack, preview: options.preview, outputs: options.outputs });
  // Imported lazily so the SDK and providers load once per test file, after the mocks are in place.
  const { runProgram } = await import("../../stacks/program");
  const outputs = runProgram();
  await settle();
  return { recorder, outputs: outputs as unknown as Record<string, unknown>, secretValues };
}

const builds = new Map<string, Promise<BuiltStack>>();
const hookIds = new Map<OutputHook, number>();

/**
 * `buildStack`, once per test file for the same stack, overrides and options: files that hand one build to
 * several groups of assertions (the bundled stacks and the policy pack's verdict on them) build it once. The
 * recording is shared, so assertions must not change it. (Jest loads this module afresh for every test file.)
 */
export function buildStackOnce(stack: string, overrides: Record<string, unknown> = {}, options: BuildStackOptions = {}): Promise<BuiltStack> {
  const { outputs, ...rest } = options;
  const hook = outputs === undefined ? 0 : (hookIds.get(outputs) ?? hookIds.set(outputs, hookIds.size + 1).size);
  const key = JSON.stringify([stack, overrides, rest, hook]);
  let build = builds.get(key);
  if (!build) builds.set(key, (build = buildStack(stack, overrides, options)));
  return build;
}

/**
 * Runs a stack that must be rejected: returns the error message and asserts that nothing was
 * registered before the failure.
 */
export async function stackError(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: BuildStackOptions = {},
): Promise<string> {
  applyStackConfig(stack, overrides, options);
  const recorder = installMocks({ project: readProject(options.projectDir).name, stack });
  const { runProgram } = await import("../../stacks/program");
  let message: string | undefined;
  try {
    runProgram();
  } catch (err) {
    message = (err as Error).message;
  }
  await settle();
  if (message === undefined) throw new Error(`stack ${stack} was expected to fail but built ${recorder.resources.length} resources`);
  if (recorder.resources.length > 0) {
    throw new Error(`stack ${stack} registered resources before failing:\n${recorder.inventory().join("\n")}`);
  }
  return message;
}
