import * as fs from "fs";
import * as path from "path";
import type { CliResult } from "./pulumi-cli";

/**
 * Wall and CPU time of each real-engine step, appended to out/engine-timings.json (git-ignored) so the README
 * figures and `npm run bench` can quote what the engine really costs on this machine.
 */
const FILE = path.resolve(__dirname, "../../out/engine-timings.json");

export interface Timing {
  stack: string;
  step: string;
  wallSeconds: number;
  cpuSeconds: number;
  at: string;
}

export function recordTiming(stack: string, step: string, result: CliResult): void {
  const all: Timing[] = fs.existsSync(FILE) ? JSON.parse(fs.readFileSync(FILE, "utf8")) : [];
  const entry = { stack, step, wallSeconds: round(result.wallSeconds), cpuSeconds: round(result.cpuSeconds), at: new Date().toISOString() };
  const rest = all.filter((t) => !(t.stack === stack && t.step === step));
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  fs.writeFileSync(FILE, JSON.stringify([...rest, entry], null, 2));
  process.stdout.write(`engine timing: ${stack} ${step}: ${entry.wallSeconds} s wall, ${entry.cpuSeconds} s CPU\n`);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
