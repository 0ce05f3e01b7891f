/**
 * Alibaba Cloud OSS with RRSA, end to end on 127.0.0.1: the REAL backup.sh with the environment the component gives
 * the Kubernetes CronJob (pure builder) plus what ack-pod-identity-webhook injects (role ARN, OIDC provider ARN,
 * token file), against
 *   - a stand-in for STS that answers AssumeRoleWithOIDC like Alibaba Cloud's (and refuses a wrong token; tests/helpers/alibaba-sts.ts),
 *   - s3rver as the bucket, which accepts only the session key id the stand-in hands out,
 *   - a recording HTTP proxy in front of s3rver, so the aws cli can use OSS's virtual-hosted bucket names
 *     (`<bucket>.s3.oss-<region>-internal.aliyuncs.com`) without DNS, and the test can see every request.
 * Only the endpoints' addresses change (http on 127.0.0.1 instead of https in the VPC). The test asserts that the
 * script sent the token and role, used the returned session credentials for every bucket request, and that the
 * dump landed, restores and verifies; and that a refused token or a pod without the webhook's variables fails
 * before any bucket request, recorded as a failed run.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { destinationEnv } from "../../../components/backup-job/kubernetes";
import { BACKUP_SCRIPT_PATH } from "../../../components/backup-job/script";
import { validateBackupJobArgs } from "../../../components/backup-job";
import { kubernetesCtx } from "../app-service/fixtures";
import { outputOf } from "../../helpers/mocks";
import { requireTool, run, tempDir } from "../../helpers/tools";
import { alibabaStsStandIn, StsCall } from "../../helpers/alibaba-sts";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DUMMY_ACCOUNT } = require("s3rver/lib/models/account");

const BUCKET = "acme-prod-backups";
const REGION = "cn-hangzhou";
const ROLE_ARN = "acs:ram::1234567890:role/cache-backup-rrsa";
const PROVIDER_ARN = "acs:ram::1234567890:oidc-provider/ack-rrsa-c1";
const OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXBwczpjYWNoZS1iYWNrdXAifQ.c2lnbmF0dXJl";
const SESSION = { AccessKeyId: "STS.NTestSessionKeyId", AccessKeySecret: "itest-session-secret", SecurityToken: "CAIS-itest-session-token+/=" };
const REDIS_PASSWORD = "itest-redis-password";

interface BucketCall { method: string; host: string; url: string; authorization: string; securityToken?: string }

let work: { dir: string; cleanup: () => void };
let s3: any;
let sts: http.Server;
let proxy: http.Server;
let stsUrl = "";
let proxyUrl = "";
let redisPid = 0;
let redisPort = 0;
let aws = "";
const stsCalls: StsCall[] = [];
const bucketCalls: BucketCall[] = [];

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs asynchronously: the servers live in this process and must keep answering. */
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

/** Forward proxy to s3rver that records what reached the bucket (Host = virtual-hosted bucket name). */
function recordingProxy(s3Port: number): http.Server {
  return http.createServer((req, res) => {
    const target = new URL(req.url ?? "/");
    bucketCalls.push({
      method: req.method ?? "",
      host: String(req.headers.host),
      url: target.pathname + target.search,
      authorization: String(req.headers.authorization ?? ""),
      securityToken: req.headers["x-amz-security-token"] as string | undefined,
    });
    const upstream = http.request({ host: "127.0.0.1", port: s3Port, method: req.method, path: target.pathname + target.search, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => { res.statusCode = 502; res.end(); });
    req.pipe(upstream);
  });
}

beforeAll(async () => {
  requireTool("redis-server", "redis-server");
  requireTool("curl", "curl");
  aws = fs.existsSync("/usr/bin/aws") ? "/usr/bin/aws" : requireTool("aws", "awscli");
  work = tempDir("oss-rrsa");
  // The bucket knows only the session key STS hands out: static or default keys would be refused.
  DUMMY_ACCOUNT.revokeAccessKey("S3RVER");
  DUMMY_ACCOUNT.createKeyPair(SESSION.AccessKeyId, SESSION.AccessKeySecret);
  s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, serviceEndpoint: "aliyuncs.com", directory: path.join(work.dir, "s3"), configureBuckets: [{ name: BUCKET }] });
  const s3Port = (await s3.run()).port;
  sts = alibabaStsStandIn(OIDC_TOKEN, SESSION, stsCalls);
  stsUrl = `http://127.0.0.1:${await listen(sts)}`;
  proxy = recordingProxy(s3Port);
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;

  redisPort = await freePort();
  const redisDir = path.join(work.dir, "redis");
  fs.mkdirSync(redisDir);
  run("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", redisDir,
    "--pidfile", path.join(redisDir, "redis.pid"), "--save", "", "--appendonly", "no", "--requirepass", REDIS_PASSWORD]);
  for (let i = 0; i < 50 && !fs.existsSync(path.join(redisDir, "redis.pid")); i++) await new Promise((r) => setTimeout(r, 100));
  redisPid = Number(fs.readFileSync(path.join(redisDir, "redis.pid"), "utf8").trim());
  run("redis-cli", ["-p", String(redisPort), "set", "order:1", "paid"], { env: { REDISCLI_AUTH: REDIS_PASSWORD } });
  fs.writeFileSync(path.join(work.dir, "token"), OIDC_TOKEN);
}, 60_000);

afterAll(async () => {
  if (redisPid) run("kill", [String(redisPid)]);
  await Promise.all([sts, proxy].filter(Boolean).map((s) => new Promise((resolve) => s.close(resolve))));
  if (s3) await s3.close();
  work?.cleanup();
});

/** The CronJob's destination environment as the component builds it for a prod OSS backup on ACK. */
async function componentEnv(): Promise<Record<string, string>> {
  const ctx = kubernetesCtx({ environment: "prod", cloud: "alicloud" });
  const r = validateBackupJobArgs("cache-backup", {
    connection: { engine: "redis", host: pulumi.output("r-1.redis.rds.aliyuncs.com"), port: pulumi.output(6379), password: pulumi.secret(REDIS_PASSWORD), tls: false },
    schedule: "0 * * * *",
    retentionDays: 7,
    rpoMinutes: 60,
    rtoMinutes: 240,
    destination: { type: "oss", bucket: BUCKET, prefix: "prod", endpointUrl: `https://s3.oss-${REGION}-internal.aliyuncs.com`, region: REGION, lifecycleRule: false },
    verify: { schedule: "0 4 1 * *" },
    identity: { cloud: "alicloud", providerArn: PROVIDER_ARN, issuerUrl: "https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1" },
  }, ctx);
  const env: Record<string, string> = {};
  for (const e of destinationEnv(r, `s3://${BUCKET}/prod`)) env[e.name as string] = String(await outputOf(pulumi.output(e.value)));
  return env;
}

/** The job's environment with its endpoints on 127.0.0.1, plus what the pod-identity webhook injects. */
async function jobEnv(overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const env = await componentEnv();
  return {
    PATH: process.env.PATH,
    ...env,
    // Endpoints moved to the stand-ins: the bucket host keeps OSS's name (reached through the proxy), STS is local.
    S3_ENDPOINT_URL: env.S3_ENDPOINT_URL.replace(/^https:/, "http:"),
    ALIBABA_CLOUD_STS_ENDPOINT: stsUrl,
    HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: "127.0.0.1", no_proxy: "127.0.0.1",
    // Injected by ack-pod-identity-webhook.
    ALIBABA_CLOUD_ROLE_ARN: ROLE_ARN,
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN: PROVIDER_ARN,
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: path.join(work.dir, "token"),
    REDIS_HOST: "127.0.0.1", REDIS_PORT: String(redisPort), REDISCLI_AUTH: REDIS_PASSWORD,
    STAGING_DIR: path.join(work.dir, "staging"),
    METRICS_TEXTFILE_DIR: path.join(work.dir, "metrics"),
    HOME: work.dir,
    AWS_CLI: aws,
    AWS_EC2_METADATA_DISABLED: "true",
    ...overrides,
  };
}

test("the component asks the job for RRSA, OSS's virtual-hosted names and the region's VPC STS endpoint", async () => {
  const env = await componentEnv();
  expect(env).toMatchObject({
    STORAGE_IDENTITY: "rrsa",
    S3_ADDRESSING_STYLE: "virtual",
    S3_ENDPOINT_URL: `https://s3.oss-${REGION}-internal.aliyuncs.com`,
    ALIBABA_CLOUD_STS_ENDPOINT: `https://sts-vpc.${REGION}.aliyuncs.com`,
    AWS_DEFAULT_REGION: REGION,
  });
  expect(Number(env.STS_DURATION_SECONDS)).toBeGreaterThanOrEqual(3600);
  expect(Object.keys(env).filter((k) => /ACCESS_KEY|SECRET|SESSION_TOKEN/.test(k))).toEqual([]);
});

test("upload exchanges the OIDC token for session credentials and every bucket request uses them; fetch + verify restore it", async () => {
  stsCalls.length = 0;
  bucketCalls.length = 0;
  const env = await jobEnv();
  // Kubernetes splits the job: the client image dumps, the storage image uploads.
  const dump = await script(["dump"], env);
  expect(dump.code).toBe(0);
  const upload = await script(["upload"], env);
  expect(upload.stderr).toContain(`RRSA: assumed ${ROLE_ARN} until`);
  expect(upload.code).toBe(0);

  expect(stsCalls).toHaveLength(1);
  const call = stsCalls[0];
  expect(Object.fromEntries(call.query)).toMatchObject({ Action: "AssumeRoleWithOIDC", Version: "2015-04-01", Format: "JSON" });
  expect(Object.fromEntries(call.form)).toEqual({
    OIDCToken: OIDC_TOKEN, RoleArn: ROLE_ARN, OIDCProviderArn: PROVIDER_ARN, RoleSessionName: "backup-cache-backup", DurationSeconds: env.STS_DURATION_SECONDS,
  });
  expect(call.authorization).toBeUndefined();

  expect(bucketCalls.length).toBeGreaterThanOrEqual(2);
  for (const c of bucketCalls) {
    expect(c.host).toBe(`${BUCKET}.s3.oss-${REGION}-internal.aliyuncs.com`);
    expect(c.url).toMatch(/^\/prod\/cache-backup\/cache-backup-\d{8}T\d{6}Z\.rdb\.gz(\.sha256)?$/);
    expect(c.securityToken).toBe(SESSION.SecurityToken);
    expect(c.authorization).toContain(`Credential=${SESSION.AccessKeyId}/`);
  }
  const stored = fs.readdirSync(path.join(work.dir, "s3", BUCKET, "prod", "cache-backup"));
  expect(stored.some((f) => /\.rdb\.gz\._S3rver_object$/.test(f))).toBe(true);
  expect(upload.stderr + dump.stderr).not.toContain(SESSION.AccessKeySecret);
  expect(upload.stderr).not.toContain(OIDC_TOKEN);

  // The restore test: the storage image fetches (a new login), the client image checks the RDB.
  const fetchEnv = { ...env, STAGING_DIR: path.join(work.dir, "verify-staging") };
  const fetched = await script(["fetch", "latest"], fetchEnv);
  expect(fetched.code).toBe(0);
  expect(stsCalls).toHaveLength(2);
  const verify = await script(["verify-local"], fetchEnv);
  expect(verify.stderr).toContain("RDB header present");
  expect(verify.code).toBe(0);
  expect(bucketCalls.every((c) => c.securityToken === SESSION.SecurityToken)).toBe(true);
}, 120_000);

test("a token STS refuses stops the upload before any bucket request, naming STS's error, as a failed run", async () => {
  const bad = path.join(work.dir, "stale-token");
  fs.writeFileSync(bad, "eyJ.stale.token");
  stsCalls.length = 0;
  bucketCalls.length = 0;
  const env = await jobEnv({ ALIBABA_CLOUD_OIDC_TOKEN_FILE: bad, STAGING_DIR: path.join(work.dir, "staging-bad") });
  expect((await script(["dump"], env)).code).toBe(0);
  const upload = await script(["upload"], env);
  expect(upload.code).not.toBe(0);
  expect(upload.stderr).toContain("RRSA: STS");
  expect(upload.stderr).toContain("HTTP 400: InvalidParameter.OIDCToken");
  expect(stsCalls).toHaveLength(1);
  expect(bucketCalls).toEqual([]);
  expect(fs.readFileSync(path.join(work.dir, "metrics", "backup_cache-backup_backup.prom"), "utf8")).toMatch(/backup_last_run_failed\{backup="cache-backup",mode="backup"\} 1/);
}, 60_000);

test("a pod the webhook did not inject says which label and annotation are missing", async () => {
  stsCalls.length = 0;
  const env = await jobEnv({ STAGING_DIR: path.join(work.dir, "staging-none") });
  delete env.ALIBABA_CLOUD_ROLE_ARN;
  delete env.ALIBABA_CLOUD_OIDC_TOKEN_FILE;
  const failed = await script(["latest"], env);
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toContain("RRSA: ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_OIDC_TOKEN_FILE not set");
  expect(failed.stderr).toContain("pod-identity.alibabacloud.com/injection=on");
  expect(stsCalls).toEqual([]);
}, 60_000);
