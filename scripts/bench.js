#!/usr/bin/env node
// Speed benchmark for the fast feedback loop. The goal (DEVELOPERS.md): `npm test` in about a minute on
// 2 cores, type-check separately. Timing lives here, never in tests, so a slow machine cannot fail CI.
//
//   npm run bench            # 1 run of each
//   npm run bench -- 3       # 3 runs, reports min / median / max
const { spawnSync } = require("child_process");
const os = require("os");

const runs = Number(process.argv[2] ?? 1);
const budgetSeconds = { "npm test": 60, "npm run typecheck": 45 };

function time(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    process.stderr.write(r.stderr.slice(-4000));
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status})`);
  }
  return seconds;
}

const cases = [
  ["npm test", "npx", ["jest", "--config", "jest.config.js", "--silent"]],
  ["npm run typecheck", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]],
];

console.log(`machine: ${os.cpus().length} cores, node ${process.version}; ${runs} run(s) each`);
for (const [label, cmd, args] of cases) {
  const samples = Array.from({ length: runs }, () => time(cmd, args)).sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const verdict = median <= budgetSeconds[label] ? "within" : "OVER";
  console.log(
    `${label.padEnd(18)} min ${samples[0].toFixed(1)}s  median ${median.toFixed(1)}s  max ${samples[samples.length - 1].toFixed(1)}s  (${verdict} budget ${budgetSeconds[label]}s)`,
  );
}
