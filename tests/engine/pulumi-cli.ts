import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The real Pulumi CLI, as a user runs it: local file backend in a temp directory (never `pulumi login`, which
 * rewrites ~/.pulumi/credentials.json), passphrase secrets provider, no update checks, no plugin downloads.
 * Each run reports wall and CPU time (the CLI, language host, program and providers together).
 */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  /** user + system CPU seconds of the command and all its children. */
  cpuSeconds: number;
}

export const ENGINE_HOME = process.env.ENGINE_HOME ?? path.join(os.homedir(), ".cache", "platform-engine");
export const PULUMI_BIN = path.join(ENGINE_HOME, "bin", "bundle", "pulumi");

export class PulumiCli {
  readonly backendDir: string;
  constructor(
    /** Project directory (holds Pulumi.yaml and the Pulumi.<stack>.yaml files). */
    readonly projectDir: string,
    readonly passphrase = "engine-tier-passphrase",
  ) {
    this.backendDir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-backend-"));
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${path.dirname(PULUMI_BIN)}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${this.backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      // Types are checked once by `npm run typecheck`; the engine tier runs what ts-node transpiles.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      NO_COLOR: "1",
    };
  }

  /** Runs `pulumi <args>` in the project directory; `input` is piped to stdin (e.g. a secret value). */
  run(args: string[], input?: string): Promise<CliResult> {
    const timesFile = path.join(this.backendDir, `times-${process.hrtime.bigint()}`);
    // `times` after the command prints the CPU time of every child (CLI, language host, node, providers).
    const script = '"$@"; rc=$?; times > "$TIMES_FILE"; exit $rc';
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const child = spawn("bash", ["-c", script, "pulumi", PULUMI_BIN, ...args, "--non-interactive"], {
        cwd: this.projectDir,
        env: { ...this.env(), TIMES_FILE: timesFile },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ code: code ?? 1, stdout, stderr, wallSeconds, cpuSeconds: childCpuSeconds(timesFile) });
      });
      child.stdin.end(input ?? "");
    });
  }

  /** Like `run`, but throws with the CLI's output when it fails. */
  async ok(args: string[], input?: string): Promise<CliResult> {
    const result = await this.run(args, input);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`);
    }
    return result;
  }

  /** Every file of the local backend (state, history, backups), concatenated, for secret scans. */
  backendText(): string {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (!entry.name.startsWith("times-")) out.push(fs.readFileSync(p, "latin1"));
      }
    };
    walk(this.backendDir);
    return out.join("\n");
  }

  cleanup(): void {
    fs.rmSync(this.backendDir, { recursive: true, force: true });
  }
}

function childCpuSeconds(timesFile: string): number {
  try {
    // Two lines: the shell's own user/sys, then its children's user/sys (e.g. "0m1.234s 0m0.567s").
    const lines = fs.readFileSync(timesFile, "utf8").trim().split("\n");
    const seconds = (t: string) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    };
    return lines.flatMap((l) => l.trim().split(/\s+/)).reduce((sum, t) => sum + seconds(t), 0);
  } catch {
    return Number.NaN;
  } finally {
    fs.rmSync(timesFile, { force: true });
  }
}

export function tail(text: string, lines = 60): string {
  return text.split("\n").slice(-lines).join("\n");
}

/**
 * A throwaway Pulumi project directory that runs this repository's program: Pulumi.yaml plus symlinks to the
 * program's sources and node_modules, so the stacks' config files live outside the work tree.
 */
export function projectDirFor(repoRoot: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-project-"));
  fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const entry of ["index.ts", "components", "stacks", "node_modules", "package.json", "tsconfig.json"]) {
    fs.symlinkSync(path.join(repoRoot, entry), path.join(dir, entry));
  }
  return dir;
}
