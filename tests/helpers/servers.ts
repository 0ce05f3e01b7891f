/**
 * Throwaway servers for the integration tier, always on 127.0.0.1 and free ports, and the asynchronous process
 * runner their clients need: s3rver lives in the test process, so a synchronous spawn would block the event loop
 * that has to answer the aws cli.
 */
import { spawn } from "child_process";
import * as net from "net";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop; never throws on a non-zero exit. */
export function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Like runAsync, but a non-zero exit throws with both outputs; returns stdout. */
export async function okAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runAsync(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** An S3-compatible server (s3rver) with the given buckets; close() stops it. */
export async function startS3(directory: string, buckets: string[]): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const addr = await s3.run();
  return { endpoint: `http://127.0.0.1:${addr.port}`, close: () => s3.close() };
}

/** Environment for the aws cli against s3rver (its fixed test credentials; no real account is involved). */
export function s3ClientEnv(): NodeJS.ProcessEnv {
  return { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_DEFAULT_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" };
}
