/**
 * Every field of every component's args.ts is set from stack config or is in the one code-only list
 * (stacks/component-args.ts, which generates the README table). The fields are read with TypeScript's own parser,
 * so a new field fails here until it gets a config key or a reason.
 */
import * as fs from "fs";
import * as path from "path";
// The real compiler: jest.config.js maps the bare name to a lazy stand-in for the Pulumi SDK's own use.
import * as ts from "../../node_modules/typescript/lib/typescript.js";
import { z } from "zod";
import { CODE_ONLY_ARGS, COMPONENT_SECTIONS, REACHED_AS } from "../../stacks/component-args";
import { CONFIG_GROUPS } from "../../stacks/config-keys";
import { REPO_ROOT } from "../helpers/stack";

const schemas: Record<string, z.ZodType> = Object.assign({}, ...CONFIG_GROUPS.map((g) => g.keys));

/** Every property name anywhere in the JSON Schemas of these top-level keys (and the keys themselves). */
function configKeyNames(keys: readonly string[]): Set<string> {
  const names = new Set<string>(keys);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === "object") Object.keys(o.properties).forEach((k) => names.add(k));
      Object.values(o).forEach(visit);
    }
  };
  for (const key of keys) visit(z.toJSONSchema(schemas[key], { target: "draft-7", io: "input", unrepresentable: "any" }));
  return names;
}

/** `Interface.field` of every property of every interface and object type alias declared in a file. */
function declaredFields(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  source.forEachChild((node) => {
    const [name, members] = ts.isInterfaceDeclaration(node)
      ? [node.name.text, node.members]
      : ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type)
        ? [node.name.text, node.type.members]
        : [undefined, undefined];
    for (const m of members ?? []) if (ts.isPropertySignature(m)) out.push(`${name}.${m.name.getText(source)}`);
  });
  return out;
}

const componentsDir = path.join(REPO_ROOT, "components");
const withArgs = fs.readdirSync(componentsDir).filter((d) => fs.existsSync(path.join(componentsDir, d, "args.ts")));
const fields = Object.fromEntries(withArgs.map((d) => [d, declaredFields(path.join(componentsDir, d, "args.ts"))]));
const listed = (list: ReadonlyArray<{ component: string; field: string }>) => new Set(list.map((a) => `${a.component} ${a.field}`));

describe("component args are config keys or code-only with a reason", () => {
  it("every component with an args.ts says which config sections build it", () => {
    expect(withArgs.length).toBeGreaterThanOrEqual(8);
    expect(withArgs.filter((d) => !COMPONENT_SECTIONS[d])).toEqual([]);
    for (const { keys } of Object.values(COMPONENT_SECTIONS)) for (const k of keys) expect(schemas[k]).toBeDefined();
  });

  it("no args.ts field is neither reachable from a config key nor listed as code-only", () => {
    const codeOnly = listed(CODE_ONLY_ARGS);
    const renamed = listed(REACHED_AS);
    const missing: string[] = [];
    for (const dir of withArgs) {
      const names = configKeyNames(COMPONENT_SECTIONS[dir].keys);
      for (const f of fields[dir]) {
        const ref = `${dir} ${f}`;
        if (!names.has(f.split(".")[1]) && !renamed.has(ref) && !codeOnly.has(ref)) missing.push(ref);
      }
    }
    expect(missing).toEqual([]);
  });

  it("the lists name real fields, each once, code-only entries with a reason and renamed ones with their key", () => {
    const all = [...CODE_ONLY_ARGS, ...REACHED_AS].map((a) => `${a.component} ${a.field}`);
    expect(all.filter((a, i) => all.indexOf(a) !== i)).toEqual([]);
    expect(all.filter((a) => { const [dir, f] = a.split(" "); return !fields[dir]?.includes(f); })).toEqual([]);
    for (const a of CODE_ONLY_ARGS) expect(a.reason.length).toBeGreaterThan(10);
    for (const a of REACHED_AS) expect(Object.keys(schemas)).toContain(a.key.split(/[.[ ]/)[0]);
  });

  it("the check itself: an unlisted field fails, a listed or reachable one passes", () => {
    const names = configKeyNames(COMPONENT_SECTIONS["backup-job"].keys);
    expect(names.has("schedule")).toBe(true); // BackupJobArgs.schedule is backups[].schedule
    expect(names.has("retentionCount")).toBe(false); // hence its code-only entry
    expect(listed(CODE_ONLY_ARGS).has("backup-job BackupJobArgs.retentionCount")).toBe(true);
    expect(fields["backup-job"]).toContain("NativePlanArgs.copyToRegion");
    expect(fields["app-service"]).toContain("SharedEnvSettings.configMap");
  });
});
