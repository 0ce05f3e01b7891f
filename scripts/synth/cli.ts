import * as path from "path";
import { REPO_ROOT } from "../../tests/helpers/stack";
import { allStackArgs, defaultOutDir, parseOverride, resolveStackRef, summaryTable, synthesize, writeSynth } from "./index";

const USAGE = `usage: npm run synth -- <stack>... [--config key=value]... [--out dir]
  <stack>   a bundled stack (dev, staging, prod), <project dir>/<stack> (examples/<system>/<env>), or --all
  --config  override a platform config key for this run, e.g. --config cloud=alicloud (value parsed as YAML)
  --out     output directory (one stack only); default out/<stack>[+key=value...]
Runs the program under Pulumi mocks with placeholder secrets: no cloud account, CLI or Docker needed.`;

export async function main(argv: string[]): Promise<number> {
  const stacks: string[] = [];
  const overrides: Record<string, unknown> = {};
  const suffix: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(USAGE);
      return 0;
    } else if (a === "--config") {
      const [key, value] = parseOverride(argv[++i] ?? "");
      overrides[key] = value;
      suffix.push(`+${argv[i]}`);
    } else if (a === "--out") {
      out = argv[++i];
    } else if (a === "--all") {
      stacks.push(...allStackArgs());
    } else if (a.startsWith("-")) {
      console.error(`unknown option ${a}\n${USAGE}`);
      return 2;
    } else {
      stacks.push(a);
    }
  }
  if (stacks.length === 0 || (out && stacks.length > 1)) {
    console.error(USAGE);
    return 2;
  }
  const rows = [];
  for (const arg of stacks) {
    const ref = resolveStackRef(arg, process.cwd());
    const result = await synthesize(ref, overrides);
    const dir = out ? path.resolve(out) : defaultOutDir(ref, suffix.join("").replace(/[^A-Za-z0-9+=._-]/g, "_"));
    writeSynth(result, dir);
    rows.push({ ...result.summary, out: path.relative(REPO_ROOT, dir) || dir });
  }
  console.log(summaryTable(rows));
  return 0;
}
