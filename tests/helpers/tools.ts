import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";

/**
 * Integration tests run the real programs that consume what the library generates. A missing program is a
 * loud failure that names the Debian package to install (.ci/run installs them), never a silent skip.
 */
export function requireTool(command: string, debianPackage: string): string {
  const found = spawnSync("bash", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const location = found.stdout.trim();
  if (found.status !== 0 || location === "") {
    throw new Error(`${command} is not installed; install it with: apt-get update && apt-get install -y ${debianPackage}`);
  }
  return location;
}

/** Runs a program and returns stdout; on failure throws with its stdout and stderr. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", ...options, env: { ...process.env, ...options.env } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return result.stdout;
}

/** A scratch directory removed by the returned cleanup function. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function writeYaml(file: string, data: unknown): string {
  fs.writeFileSync(file, stringify(data, { lineWidth: 0 }));
  return file;
}

/** One `promtool test rules` test group (see Prometheus "unit testing rules"). */
export interface PromtoolTestGroup {
  interval: string;
  name?: string;
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test?: Array<{
    eval_time: string;
    alertname: string;
    exp_alerts: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
  }>;
  promql_expr_test?: Array<{ expr: string; eval_time: string; exp_samples: Array<{ labels?: string; value: number }> }>;
}

/** `promtool check rules` on a rule file object; returns promtool's output. */
export function promtoolCheckRules(ruleFile: unknown): string {
  requireTool("promtool", "prometheus");
  const { dir, cleanup } = tempDir("promtool-check");
  try {
    const file = writeYaml(path.join(dir, "rules.yml"), ruleFile);
    return run("promtool", ["check", "rules", file]);
  } finally {
    cleanup();
  }
}

/** `promtool test rules` of `tests` against `ruleFile`; throws with promtool's report on any failure. */
export function promtoolTestRules(ruleFile: unknown, tests: PromtoolTestGroup[], evaluationInterval = "15s"): string {
  requireTool("promtool", "prometheus");
  const { dir, cleanup } = tempDir("promtool-test");
  try {
    writeYaml(path.join(dir, "rules.yml"), ruleFile);
    const testFile = writeYaml(path.join(dir, "tests.yml"), {
      rule_files: ["rules.yml"],
      evaluation_interval: evaluationInterval,
      tests,
    });
    return run("promtool", ["test", "rules", testFile], { cwd: dir });
  } finally {
    cleanup();
  }
}


/**
 * An alert annotation as Prometheus renders it for `promtool test rules` expectations: the two template forms the
 * library's rules use, `{{ $labels.x }}` and `{{ $value | printf "%.Nf" }}`.
 */
export function renderAlertTemplate(text: string, labels: Record<string, string>, value: number): string {
  return text
    .replace(/\{\{ \$value \| printf "%\.(\d)f" \}\}/g, (_m, digits: string) => value.toFixed(Number(digits)))
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, key: string) => labels[key] ?? "");
}
