/**
 * An S3-compatible destination on the Docker target, end to end against the S3 server on 127.0.0.1 (s3rver):
 * the environment and the credentials file the component gives its Docker job (pure builders, the exact values
 * the container gets, with container paths moved under a scratch directory) drive the real backup.sh, which
 * dumps a throwaway Redis, uploads to the bucket, and restore-verifies the newest object. The credentials reach
 * the aws cli only through the file: without it the upload fails, and a key id the server does not know is refused
 * (s3rver checks the access key id; it does not verify SigV4 signatures, so a wrong secret cannot be shown here).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { AWS_CREDENTIALS_FILE, awsCredentialsFile, dockerEnv } from "../../../components/backup-job/docker";
import { BACKUP_SCRIPT_PATH } from "../../../components/backup-job/script";
import { validateBackupJobArgs } from "../../../components/backup-job";
import { outputOf } from "../../helpers/mocks";
import { requireTool, run, tempDir } from "../../helpers/tools";
import { dockerCtx } from "../app-service/fixtures";
import * as pulumi from "@pulumi/pulumi";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs asynchronously: s3rver lives in this process and must keep answering. */
function script(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [BACKUP_SCRIPT_PATH, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let work: { dir: string; cleanup: () => void };
let s3: any;
let endpoint = "";
let redisPid = 0;
let redisPort = 0;

beforeAll(async () => {
  requireTool("redis-server", "redis-server");
  if (!fs.existsSync("/usr/bin/aws")) requireTool("aws", "awscli");
  work = tempDir("docker-s3");
  s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: path.join(work.dir, "s3"), configureBuckets: [{ name: "backups" }] });
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  redisPort = await freePort();
  const redisDir = path.join(work.dir, "redis");
  fs.mkdirSync(redisDir);
  run("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", redisDir,
    "--pidfile", path.join(redisDir, "redis.pid"), "--save", "", "--appendonly", "no", "--requirepass", REDIS_PASSWORD]);
  for (let i = 0; i < 50 && !fs.existsSync(path.join(redisDir, "redis.pid")); i++) await new Promise((r) => setTimeout(r, 100));
  redisPid = Number(fs.readFileSync(path.join(redisDir, "redis.pid"), "utf8").trim());
  run("redis-cli", ["-p", String(redisPort), "set", "order:1", "paid"], { env: { REDISCLI_AUTH: REDIS_PASSWORD } });
}, 60_000);

afterAll(async () => {
  if (redisPid) run("kill", [String(redisPid)]);
  if (s3) await s3.close();
  work?.cleanup();
});

const REDIS_PASSWORD = "itest-redis-password";

/** The job's environment as the component builds it, with container paths moved under the scratch directory. */
async function jobEnv(mode: "backup" | "verify", accessKeyId: string): Promise<{ env: NodeJS.ProcessEnv; list: string[] }> {
  const ctx = dockerCtx();
  const connection = { engine: "redis" as const, host: pulumi.output("127.0.0.1"), port: pulumi.output(redisPort), password: pulumi.secret(REDIS_PASSWORD), tls: false };
  const credentials = { accessKeyId: pulumi.secret(accessKeyId), secretAccessKey: pulumi.secret("S3RVER") };
  const r = validateBackupJobArgs("cache-backup", {
    connection,
    schedule: "0 * * * *",
    retentionDays: 7,
    rpoMinutes: 60,
    rtoMinutes: 240,
    destination: { type: "s3", bucket: "backups", prefix: "dev", endpointUrl: endpoint, lifecycleRule: false, credentials },
    verify: { schedule: "0 4 1 * *" },
    images: { client: "registry.example.com/ops/redis-backup:7.4.1-aws2" },
  }, ctx);
  const list = await Promise.all(
    dockerEnv({ r, ctx, parent: undefined as never, connection, destinationUrl: "s3://backups/dev", credentials }, mode).map((e) => outputOf(e)),
  );
  const credentialsFile = path.join(work.dir, "aws-credentials");
  fs.writeFileSync(credentialsFile, await outputOf(awsCredentialsFile(credentials)), { mode: 0o400 });
  const env: NodeJS.ProcessEnv = Object.fromEntries(list.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  // Container paths -> scratch paths; the local aws cli instead of the image's.
  env.AWS_SHARED_CREDENTIALS_FILE = env.AWS_SHARED_CREDENTIALS_FILE === AWS_CREDENTIALS_FILE ? credentialsFile : "unexpected";
  env.STAGING_DIR = path.join(work.dir, "staging");
  env.METRICS_TEXTFILE_DIR = path.join(work.dir, "metrics");
  env.HOME = work.dir;
  return { env: { PATH: process.env.PATH, AWS_CLI: fs.existsSync("/usr/bin/aws") ? "/usr/bin/aws" : "aws", AWS_EC2_METADATA_DISABLED: "true", ...env }, list };
}

test("the job gets no key in its environment: only the endpoint and the credentials file", async () => {
  const { list } = await jobEnv("backup", "S3RVER");
  expect(list.filter((e) => /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)=/.test(e))).toEqual([]);
  expect(list).toEqual(expect.arrayContaining([`S3_ENDPOINT_URL=${endpoint}`, `AWS_SHARED_CREDENTIALS_FILE=${AWS_CREDENTIALS_FILE}`, "BACKUP_DESTINATION=s3://backups/dev"]));
});

test("backup uploads the dump and its checksum to the bucket; verify restores and checks the newest object", async () => {
  const backup = await script(["backup"], (await jobEnv("backup", "S3RVER")).env);
  expect(backup.stderr).toContain("uploaded cache-backup-");
  expect(backup.code).toBe(0);
  const { env } = await jobEnv("verify", "S3RVER");
  const latest = await script(["latest"], env);
  expect(latest.stdout.trim()).toMatch(/^cache-backup-\d{8}T\d{6}Z\.rdb\.gz$/);
  const verify = await script(["verify"], env);
  expect(verify.code).toBe(0);
  expect(verify.stderr).toContain("RDB header present");
  expect(fs.readFileSync(path.join(work.dir, "metrics", "backup_cache-backup_verify.prom"), "utf8")).toMatch(/backup_last_run_failed\{backup="cache-backup",mode="verify"\} 0/);
});

test("without the credentials file the aws cli has no credentials: the upload fails and is recorded as a failed run", async () => {
  const { env } = await jobEnv("backup", "S3RVER");
  fs.rmSync(env.AWS_SHARED_CREDENTIALS_FILE!);
  const failed = await script(["backup"], env);
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toMatch(/Unable to locate credentials/);
  expect(fs.readFileSync(path.join(work.dir, "metrics", "backup_cache-backup_backup.prom"), "utf8")).toMatch(/backup_last_run_failed\{backup="cache-backup",mode="backup"\} 1/);
});

test("the key in the credentials file is the one the server sees: an unknown access key id is refused", async () => {
  const failed = await script(["backup"], (await jobEnv("backup", "NOT-A-KNOWN-KEY")).env);
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toMatch(/InvalidAccessKeyId/);
});
