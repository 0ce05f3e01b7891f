#!/usr/bin/env node
// `npm run bench` (scripts/bench/): program evaluation vs a trivial program, scaling to 100 services, the simulated
// deploy critical path, real-engine times when recorded, and npm test / typecheck times. `--no-suite` skips the
// last two. Timing lives here, never in tests.
require("./lib/register-ts");
const { main } = require("./bench/index.ts");

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
