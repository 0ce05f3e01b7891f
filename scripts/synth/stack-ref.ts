import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../tests/helpers/stack";

/** A stack file to synthesise: `Pulumi.<stack>.yaml` next to a `Pulumi.yaml`. */
export interface StackRef {
  /** Stack name (the `<stack>` of `Pulumi.<stack>.yaml`). */
  stack: string;
  /** Directory holding Pulumi.yaml and the stack file. */
  projectDir: string;
  /** How the user named it, e.g. `prod` or `examples/qcat/prod`; the output directory is out/<label>. */
  label: string;
}

function stacksIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * Resolves what the user typed: a bundled stack name (`prod`), a path `<project dir>/<stack>`
 * (`examples/qcat/prod`, meaning examples/qcat/Pulumi.prod.yaml) or a project directory holding a single stack
 * file. Throws naming what exists when nothing matches.
 */
export function resolveStackRef(arg: string, cwd = REPO_ROOT): StackRef {
  const trimmed = arg.replace(/\/+$/, "");
  const label = path.relative(REPO_ROOT, path.resolve(cwd, trimmed)) || trimmed;
  if (!trimmed.includes("/") && fs.existsSync(path.join(REPO_ROOT, `Pulumi.${trimmed}.yaml`))) {
    return { stack: trimmed, projectDir: REPO_ROOT, label: trimmed };
  }
  const full = path.resolve(cwd, trimmed);
  const parent = path.dirname(full);
  const name = path.basename(full);
  if (fs.existsSync(path.join(parent, "Pulumi.yaml")) && fs.existsSync(path.join(parent, `Pulumi.${name}.yaml`))) {
    return { stack: name, projectDir: parent, label };
  }
  if (fs.existsSync(path.join(full, "Pulumi.yaml"))) {
    const stacks = stacksIn(full);
    if (stacks.length === 1) return { stack: stacks[0], projectDir: full, label: path.join(label, stacks[0]) };
    throw new Error(
      `${arg} holds ${stacks.length === 0 ? "no stack file" : `several stacks (${stacks.join(", ")})`}; name one, e.g. ${path.join(trimmed, stacks[0] ?? "<stack>")}`,
    );
  }
  throw new Error(
    `no stack "${arg}": expected one of the bundled stacks (${stacksIn(REPO_ROOT).join(", ")}) or <project dir>/<stack> with <project dir>/Pulumi.yaml and <project dir>/Pulumi.<stack>.yaml`,
  );
}

/** Every bundled stack and every example stack (examples/<system>/Pulumi.<env>.yaml), as synth arguments. */
export function allStackArgs(): string[] {
  const bundled = stacksIn(REPO_ROOT);
  const examplesDir = path.join(REPO_ROOT, "examples");
  const examples = fs.existsSync(examplesDir)
    ? fs
        .readdirSync(examplesDir)
        .filter((d) => fs.existsSync(path.join(examplesDir, d, "Pulumi.yaml")))
        .sort()
        .flatMap((d) => stacksIn(path.join(examplesDir, d)).map((s) => `examples/${d}/${s}`))
    : [];
  return [...bundled, ...examples];
}
