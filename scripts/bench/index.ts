import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile, REPO_ROOT } from "../../tests/helpers/stack";
import { CREATE_SECONDS, DEFAULT_SECONDS } from "./create-times";
import { generatedServices } from "./generate";

/**
 * `npm run bench`: how fast the program and the feedback loop are, in one run, as ratios against goals.
 * Timing lives here, never in tests, so a slow machine cannot fail CI. Results: a table and out/bench.json.
 */
const GOALS = {
  evaluationVsTrivial: 1.3, // prod stack under mocks vs a trivial program registering as many resources
  scaling100vs10: 3, // 100 generated services within 3x the time of 10
  peakRssMb: 1024,
  npmTestSeconds: 45,
};

const REGISTER = path.join(REPO_ROOT, "scripts/lib/register-ts.js");
const EVALUATE = path.join(REPO_ROOT, "scripts/bench/evaluate.ts");

interface Evaluation {
  ms: number;
  cpuMs: number;
  resources: number;
  maxRssMb: number;
  criticalPath?: { seconds: number; chain: string[] };
  irreducible?: { seconds: number; chain: string[] };
  sequentialSeconds?: number;
}

function evaluate(spec: Record<string, unknown>): Evaluation {
  const r = spawnSync(process.execPath, ["-r", REGISTER, EVALUATE, JSON.stringify(spec)], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bench evaluation ${JSON.stringify(spec).slice(0, 200)} failed:\n${r.stderr.slice(-4000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** Wall and CPU seconds (user+sys of the command and its children) and peak RSS, via GNU time when present. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { wallSeconds: number; cpuSeconds?: number; maxRssMb?: number } {
  const gnuTime = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
  const start = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync(gnuTime, ["-f", "BENCH_TIME %e %U %S %M", cmd, ...args], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 << 20 })
    : spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 << 20 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  const m = /BENCH_TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return m ? { wallSeconds: Number(m[1]), cpuSeconds: Number(m[2]) + Number(m[3]), maxRssMb: Number(m[4]) / 1024 } : { wallSeconds: wall };
}

/** Test count and per-file wall seconds (slowest first) from Jest's --json report. */
function suiteFiles(report: string): { tests: number; perFile: Array<{ file: string; seconds: number }> } {
  const r = JSON.parse(fs.readFileSync(report, "utf8")) as { numTotalTests: number; testResults: Array<{ name: string; startTime: number; endTime: number }> };
  const perFile = r.testResults
    .map((t) => ({ file: path.relative(REPO_ROOT, t.name), seconds: (t.endTime - t.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds);
  return { tests: r.numTotalTests, perFile };
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? "n/a" : n.toFixed(digits));
const verdict = (ok: boolean) => (ok ? "met" : "NOT MET");

/** Engine rows: the engine tier (npm run test:engine) records each real CLI step in out/engine-timings.json. */
function engineRows(): { status: string; timings: Array<Record<string, unknown>> } {
  const home = process.env.ENGINE_HOME ?? path.join(os.homedir(), ".cache", "platform-engine");
  const cli = path.join(home, "bin", "bundle", "pulumi");
  const file = path.join(REPO_ROOT, "out", "engine-timings.json");
  if (!fs.existsSync(cli)) return { status: `not available (no engine toolchain at ${cli}; npm run test:engine builds it)`, timings: [] };
  if (!fs.existsSync(file)) return { status: "not available (toolchain present; run npm run test:engine to record preview/up times)", timings: [] };
  return { status: "from out/engine-timings.json (recorded by npm run test:engine)", timings: JSON.parse(fs.readFileSync(file, "utf8")) };
}

export function main(argv: string[]): number {
  const skipSuite = argv.includes("--no-suite");
  const rows: string[][] = [["measure", "value", "goal", "verdict"]];
  const json: Record<string, unknown> = { machine: { cores: os.cpus().length, node: process.version, loadavg: os.loadavg() }, at: new Date().toISOString() };
  const log = (...cells: string[]) => {
    rows.push(cells);
    process.stderr.write(`  ${cells.join("  |  ")}\n`);
  };

  // 1. The program's own cost: prod under mocks vs the SDK's floor for the same number of registrations.
  const prod = evaluate({ stack: "prod", criticalPath: true });
  const trivial = evaluate({ stack: "prod", trivial: prod.resources });
  const ratio = prod.cpuMs / trivial.cpuMs;
  json.evaluation = { prod, trivial, cpuRatio: ratio, wallRatio: prod.ms / trivial.ms };
  log("prod evaluation under mocks (median of 3, warm)", `${fmt(prod.ms, 0)} ms wall, ${fmt(prod.cpuMs, 0)} ms CPU, ${prod.resources} resources`, "", "");
  log(`trivial program, ${trivial.resources} resources`, `${fmt(trivial.ms, 0)} ms wall, ${fmt(trivial.cpuMs, 0)} ms CPU`, "", "");
  log("prod / trivial (CPU)", `${fmt(ratio, 2)}x`, `<= ${GOALS.evaluationVsTrivial}x`, verdict(ratio <= GOALS.evaluationVsTrivial));

  // 2. Scaling: generated prod stacks of 10, 50 and 100 services, each in a fresh process (peak RSS).
  const base = readStackFile("prod")["platform:services"] as Array<Record<string, any>>;
  const scaling: Record<number, Evaluation> = {};
  for (const n of [10, 50, 100]) {
    scaling[n] = evaluate({ stack: "prod", overrides: generatedServices(base, n), repeat: 1 });
    log(`${n} services`, `${fmt(scaling[n].ms, 0)} ms wall, ${fmt(scaling[n].cpuMs, 0)} ms CPU, ${scaling[n].resources} resources, ${fmt(scaling[n].maxRssMb, 0)} MB peak RSS`, "", "");
  }
  const scale = scaling[100].cpuMs / scaling[10].cpuMs;
  json.scaling = { ...scaling, cpuRatio100vs10: scale };
  log("100 / 10 services (CPU)", `${fmt(scale, 2)}x`, `<= ${GOALS.scaling100vs10}x`, verdict(scale <= GOALS.scaling100vs10));
  const peak = Math.max(...Object.values(scaling).map((s) => s.maxRssMb));
  log("peak RSS, 100 services", `${fmt(scaling[100].maxRssMb, 0)} MB`, `< ${GOALS.peakRssMb} MB`, verdict(peak < GOALS.peakRssMb));

  // 3. Simulated first deploy of prod: critical path vs the irreducible chain.
  const cp = prod.criticalPath!;
  const irr = prod.irreducible!;
  json.deploy = { criticalPath: cp, irreducible: irr, sequentialSeconds: prod.sequentialSeconds, createSeconds: CREATE_SECONDS.map((c) => ({ ...c, type: String(c.type) })), defaultSeconds: DEFAULT_SECONDS };
  log("prod first deploy, critical path (simulated)", `${fmt(cp.seconds / 60)} min: ${cp.chain.map((c) => c.split(" ")[1]).join(" > ")}`, "", "");
  log("irreducible chain", `${fmt(irr.seconds / 60)} min: ${irr.chain.map((c) => c.split(" ")[1]).join(" > ")}`, "", "");
  log("critical path / irreducible", `${fmt(cp.seconds / irr.seconds, 2)}x (sequential would be ${fmt(prod.sequentialSeconds! / 60)} min)`, "", "");

  // 4. Real engine.
  const engine = engineRows();
  json.engine = engine;
  if (engine.timings.length === 0) log("real engine preview / up", engine.status, "", "");
  for (const t of engine.timings) log(`real engine: ${t.stack} ${t.step}`, `${t.wallSeconds} s wall, ${t.cpuSeconds} s CPU (at ${t.at})`, "", "");

  // 5. The feedback loop, as on a fresh clone (empty Jest cache): wall time against the budget, and where it goes.
  if (!skipSuite) {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "bench-jest-cache-"));
    const report = path.join(cache, "results.json");
    try {
      const loadBefore = os.loadavg()[0];
      const test = timed("npm", ["test", "--", "--silent", `--cacheDirectory=${cache}`, "--json", `--outputFile=${report}`]);
      const files = suiteFiles(report);
      json.npmTest = { ...test, loadBefore, tests: files.tests, files: files.perFile };
      const over = test.wallSeconds > GOALS.npmTestSeconds;
      log(
        `npm test (fresh Jest cache, ${files.tests} tests in ${files.perFile.length} files)`,
        `${fmt(test.wallSeconds)} s wall, ${fmt(test.cpuSeconds)} s CPU (load ${fmt(loadBefore)} at start)`,
        `<= ${GOALS.npmTestSeconds} s wall`,
        verdict(!over),
      );
      const slowest = files.perFile.slice(0, 5).map((f) => `${path.basename(f.file)} ${fmt(f.seconds)}`);
      log("npm test, slowest files (s, wall in a worker)", slowest.join(", "), "", "");
      if (over) {
        process.stderr.write(
          `WARNING: npm test took ${fmt(test.wallSeconds)} s wall, over its ${GOALS.npmTestSeconds} s budget` +
            (loadBefore > 1 ? ` (the load average was ${fmt(loadBefore)} when it started: measure again on an idle machine)` : "") +
            "\n",
        );
      }
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
    const tc = timed("npm", ["run", "typecheck"]);
    json.typecheck = tc;
    log("npm run typecheck", `${fmt(tc.wallSeconds)} s wall, ${fmt(tc.cpuSeconds)} s CPU`, "", "");
  }

  json.load = os.loadavg();
  const out = path.join(REPO_ROOT, "out", "bench.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log([line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n"));
  console.log(`\n${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (wall times need an idle machine; CPU times are steadier). JSON: out/bench.json`);
  return 0;
}
