// One measurement in a fresh process (so peak RSS belongs to it): `node -r scripts/lib/register-ts.js
// scripts/bench/evaluate.ts <json spec>`; prints one JSON line. Spec: {stack, overrides?, trivial?, repeat?}.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle } from "../../tests/helpers/mocks";
import { buildStack } from "../../tests/helpers/stack";
import { criticalPath, sequentialSeconds } from "./critical-path";
import { placeholderSecrets } from "../synth/index";
import { resolveStackRef } from "../synth/stack-ref";

interface Spec {
  stack: string;
  overrides?: Record<string, unknown>;
  /** Instead of the program: register this many trivial resources under the same mocks. */
  trivial?: number;
  /** Runs after a first, unmeasured one (module loading and JIT warm-up stay out of the figure). */
  repeat?: number;
  criticalPath?: boolean;
}

class Thing extends pulumi.CustomResource {
  constructor(name: string, i: number) {
    super("bench:index:Thing", name, { index: i, label: `thing-${i}` });
  }
}

async function trivialProgram(count: number): Promise<number> {
  const rec = installMocks({ stack: "bench" });
  for (let i = 0; i < count; i++) new Thing(`thing-${i}`, i);
  await settle();
  return rec.resources.length;
}

async function main(): Promise<void> {
  const spec: Spec = JSON.parse(process.argv[2]);
  const ref = resolveStackRef(spec.stack);
  const overrides = spec.overrides ?? {};
  const secrets = spec.trivial === undefined ? placeholderSecrets(ref, overrides) : {};
  const once = async () => {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let resources: number;
    let built;
    if (spec.trivial !== undefined) resources = await trivialProgram(spec.trivial);
    else {
      built = await buildStack(ref.stack, overrides, { projectDir: ref.projectDir, secrets });
      resources = built.recorder.resources.length;
    }
    const used = process.cpuUsage(cpu);
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000, resources, built };
  };
  await once(); // warm-up: module loading, JIT
  const runs = [];
  for (let i = 0; i < (spec.repeat ?? 3); i++) runs.push(await once());
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)];
  const result: Record<string, unknown> = {
    ms: median.ms,
    cpuMs: median.cpuMs,
    resources: median.resources,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  if (spec.criticalPath && median.built) {
    const rs = median.built.recorder.resources;
    result.criticalPath = criticalPath(rs);
    result.irreducible = criticalPath(rs, true);
    result.sequentialSeconds = sequentialSeconds(rs);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
