/**
 * Managed Redis backups on Alibaba Cloud (ApsaraDB for Redis / Tair native backups), end to end on 127.0.0.1: the REAL
 * redis-snapshot-alicloud.py and redis-check-rdbs.sh against
 *   - the STS stand-in shared with backup.sh's RRSA test (AssumeRoleWithOIDC, token in the POST body),
 *   - a stand-in for the R-kvstore OpenAPI (CreateBackup, DescribeBackupTasks, DescribeBackups and, for cloud-native
 *     cluster-edition instances, DescribeClusterBackupList, in the documented JSON shapes) that recomputes every
 *     request's RPC signature (HMAC-SHA1) with the session secret and refuses a mismatch, a reused nonce, a stale
 *     timestamp or a wrong session token the way the real API does,
 *   - a stand-in for the pre-signed OSS download URLs (BackupIntranetDownloadURL) that refuses a wrong URL signature,
 *     serving RDB files written by a real redis-server (SAVE), one per shard, some as tar.gz.
 * Only the endpoints' addresses differ from a pod in the VPC (http on 127.0.0.1 instead of https).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import * as zlib from "zlib";
import { alibabaStsStandIn, StsCall } from "../../helpers/alibaba-sts";
import { freePort, runAsync, RunResult } from "../../helpers/servers";
import { requireTool, run, tempDir } from "../../helpers/tools";

const SCRIPTS = path.join(__dirname, "..", "..", "..", "components", "backup-job", "scripts");
const SNAPSHOT_SCRIPT = path.join(SCRIPTS, "redis-snapshot-alicloud.py");
const CHECK_SCRIPT = path.join(SCRIPTS, "redis-check-rdbs.sh");

const INSTANCE = "r-bp1itest00000001";
const REGION = "cn-hangzhou";
const ROLE_ARN = "acs:ram::1234567890:role/cache-backup-rrsa";
const PROVIDER_ARN = "acs:ram::1234567890:oidc-provider/ack-rrsa-c1";
const OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXBwczpjYWNoZS1iYWNrdXAifQ.b2lkYy1zaWc";
const SESSION = { AccessKeyId: "STS.NKvstoreItestKeyId", AccessKeySecret: "itest-kvstore-session-secret", SecurityToken: "CAIS-itest-kvstore-token+/=" };
/** The pre-signed OSS URL's signature: a credential that must never reach a log. */
const OSS_URL_SIGNATURE = "itest-oss-presigned-signature/secret=";

// ---------------------------------------------------------------------------------------------------------------------
// RPC signature, as the server side recomputes it (Alibaba Cloud "RPC signature v1")

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function rpcSignature(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params).sort().map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`).join("&");
  const stringToSign = `${method}&${percentEncode("/")}&${percentEncode(canonical)}`;
  return crypto.createHmac("sha1", `${secret}&`).update(stringToSign).digest("base64");
}

// ---------------------------------------------------------------------------------------------------------------------
// R-kvstore stand-in

type Outcome = "success" | "failed" | "fewer" | "never";
interface Job { id: string; nodes: string[]; polls: number; started: Date }
interface StoredBackup { [field: string]: string | number }
interface KvCall { action: string; params: Record<string, string> }
/** A cluster backup set CreateBackup started on a cloud-native instance: it progresses with each listing. */
interface LiveClusterSet { id: string; job: string; nodes: string[]; polls: number; started: Date }

const kv = {
  /** The secret the server verifies signatures with (a test changes it to prove the check is real). */
  secret: SESSION.AccessKeySecret,
  shards: 1,
  pollsToFinish: 3,
  outcome: "success" as Outcome,
  jobs: new Map<string, Job>(),
  stored: [] as StoredBackup[],
  calls: [] as KvCall[],
  refused: [] as string[],
  nonces: new Set<string>(),
  nextJob: 5000,
  /** A cloud-native instance: CreateBackup starts a cluster backup set, listed by DescribeClusterBackupList. */
  cloudNative: false,
  liveSets: [] as LiveClusterSet[],
  /** Cluster backup sets as DescribeClusterBackupList lists them (ClusterBackups[] entries), for fetch. */
  clusterSets: [] as Array<Record<string, unknown>>,
};

function resetKv(shards: number, outcome: Outcome = "success", pollsToFinish = 3, cloudNative = false): void {
  Object.assign(kv, { secret: SESSION.AccessKeySecret, shards, outcome, pollsToFinish, stored: [], calls: [], refused: [],
    cloudNative, liveSets: [], clusterSets: [] });
  kv.jobs.clear();
}

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, "Z");
const nodeId = (i: number): string => `${INSTANCE}-db-${i}`;

function apiError(res: http.ServerResponse, status: number, Code: string, Message: string): void {
  res.statusCode = status;
  res.end(JSON.stringify({ RequestId: `itest-${Code}`, HostId: "r-kvstore.aliyuncs.com", Code, Message }));
}

/** Why a request is refused before any action runs, as the real gateway checks it; undefined when it passes. */
function refusal(params: Record<string, string>, method: string): [number, string, string] | undefined {
  const common: Record<string, string> = { Format: "JSON", Version: "2015-01-01", SignatureMethod: "HMAC-SHA1", SignatureVersion: "1.0", RegionId: REGION };
  for (const [key, value] of Object.entries(common)) {
    if (params[key] !== value) return [400, "MissingParameter", `${key} must be ${value}, got ${params[key]}`];
  }
  if (params.AccessKeyId !== SESSION.AccessKeyId) return [404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."];
  if (params.SecurityToken !== SESSION.SecurityToken) return [400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey."];
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.Timestamp ?? "") || Math.abs(Date.parse(params.Timestamp) - Date.now()) > 15 * 60_000) {
    return [400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."];
  }
  if (!params.SignatureNonce || kv.nonces.has(params.SignatureNonce)) return [400, "SignatureNonceUsed", "Specified signature nonce was used already."];
  kv.nonces.add(params.SignatureNonce);
  const { Signature, ...signed } = params;
  if (Signature !== rpcSignature(method, signed, kv.secret)) {
    return [400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."];
  }
  return undefined;
}

function jobBackups(job: Job): StoredBackup[] {
  if (kv.outcome === "never" || job.polls < kv.pollsToFinish) return [];
  const nodes = kv.outcome === "fewer" ? job.nodes.slice(0, -1) : job.nodes;
  return nodes.map((node, i) => ({
    BackupId: Number(job.id) * 10 + i, BackupJobID: Number(job.id), NodeInstanceId: node, BackupMode: "Manual", BackupMethod: "Physical",
    BackupType: "FullBackup", BackupDBNames: "0", EngineVersion: "7.0", BackupSize: 1024 + i,
    BackupStatus: kv.outcome === "failed" && i === nodes.length - 1 ? "Failed" : "Success",
    BackupStartTime: isoSeconds(job.started), BackupEndTime: isoSeconds(new Date()),
    BackupDownloadURL: "", BackupIntranetDownloadURL: "",
  }));
}

/** A shard's entry in a cluster set's Backups[] (DescribeClusterBackupList: BackupId and BackupSize are strings,
 * BackupStatus OK/ERROR, IsAvail "0"/"1"; the reference's BackupEndTime example has no "Z"). */
function clusterShardBackup(backupId: string, node: string, started: Date, ended: Date, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const name = `hins${backupId}_data_${ended.toISOString().replace(/\D/g, "").slice(0, 14)}.rdb`;
  return {
    BackupDownloadURL: "", BackupEndTime: isoSeconds(ended).replace(/Z$/, ""), BackupId: backupId, BackupIntranetDownloadURL: "",
    BackupName: name, BackupSize: "1024", BackupStartTime: isoSeconds(started), BackupStatus: "OK", Engine: "redis",
    ExtraInfo: { CustinsDbVersion: "7.0" }, InstanceName: node, IsAvail: "1", RecoverConfigMode: null, ...fields,
  };
}

/** A live set as the listing shows it now: RUNNING while shards finish one by one, then the outcome. */
function renderLiveSet(set: LiveClusterSet): Record<string, unknown> {
  set.polls++;
  const done = kv.outcome !== "never" && set.polls >= kv.pollsToFinish;
  const nodes = done && kv.outcome === "fewer" ? set.nodes.slice(0, -1) : set.nodes;
  const finished = done ? nodes : nodes.slice(0, Math.min(nodes.length - 1, set.polls - 1));
  const now = new Date();
  const shardFailed = (i: number): boolean => done && kv.outcome === "failed" && i === nodes.length - 1;
  return {
    ClusterBackupId: set.id, ClusterBackupMode: "Manual", ClusterBackupSize: String(1024 * finished.length),
    ClusterBackupStartTime: isoSeconds(set.started), ClusterBackupEndTime: done ? isoSeconds(now) : "",
    ClusterBackupStatus: !done ? "RUNNING" : kv.outcome === "failed" ? "Failed" : "OK",
    IsAvail: done && kv.outcome !== "failed" ? 1 : 0, Progress: done ? "100%" : `${Math.round((100 * finished.length) / nodes.length)}%`,
    ShardClassMemory: 1024,
    Backups: finished.map((node, i) => clusterShardBackup(`${set.job}${i}`, node, set.started, now,
      shardFailed(i) ? { BackupStatus: "ERROR", IsAvail: "0" } : {})),
  };
}

function kvstoreStandIn(): http.Server {
  return http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json;charset=utf-8");
      const params: Record<string, string> = {
        ...Object.fromEntries(new URL(req.url ?? "/", "http://kvstore").searchParams),
        ...Object.fromEntries(new URLSearchParams(body)),
      };
      kv.calls.push({ action: params.Action, params });
      const refused = refusal(params, req.method ?? "GET");
      if (refused) {
        kv.refused.push(refused[1]);
        apiError(res, ...refused);
        return;
      }
      if (params.InstanceId !== INSTANCE) {
        apiError(res, 404, "InvalidInstanceId.NotFound", "The specified instance is not found.");
        return;
      }
      const RequestId = `itest-${crypto.randomUUID()}`;
      if (kv.cloudNative && (params.Action === "DescribeBackups" || params.Action === "DescribeBackupTasks")) {
        // The reference says these do not apply to cloud-native instances (what the API answers is not documented).
        apiError(res, 400, "InvalidInstance.NotSupport", `${params.Action} does not apply to cloud-native instances.`);
        return;
      }
      switch (params.Action) {
        case "CreateBackup": {
          const id = String(kv.nextJob++);
          if (kv.cloudNative) {
            // Instances created after 2023-12-05: one job id for all shards (CreateBackup's reference).
            kv.liveSets.push({ id: `cb-itest${id}`, job: id, nodes: Array.from({ length: kv.shards }, (_, i) => nodeId(i)), polls: 0, started: new Date() });
            res.end(JSON.stringify({ RequestId, BackupJobID: id }));
            return;
          }
          kv.jobs.set(id, { id, nodes: Array.from({ length: kv.shards }, (_, i) => nodeId(i)), polls: 0, started: new Date() });
          res.end(JSON.stringify({ RequestId, BackupJobID: id }));
          return;
        }
        case "DescribeBackupTasks": {
          const job = kv.jobs.get(params.BackupJobId);
          if (!job) { res.end(JSON.stringify({ RequestId, InstanceId: INSTANCE, BackupJobs: [] })); return; }
          job.polls++;
          const done = kv.outcome !== "never" && job.polls >= kv.pollsToFinish;
          res.end(JSON.stringify({
            RequestId, InstanceId: INSTANCE,
            BackupJobs: job.nodes.map((node) => ({
              BackupJobID: Number(job.id), NodeId: node, JobMode: "Manual", TaskAction: "NormalBackupTask", StartTime: isoSeconds(job.started),
              BackupProgressStatus: done ? "Finished" : "Uploading", Progress: done ? "100" : String(Math.min(90, job.polls * 30)), Process: "0",
            })),
          }));
          return;
        }
        case "DescribeBackups": {
          const minute = /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/;
          if (!minute.test(params.StartTime ?? "") || !minute.test(params.EndTime ?? "")) {
            apiError(res, 400, "InvalidStartTime.Format", "Specified start time is not valid; the format is yyyy-MM-ddTHH:mmZ.");
            return;
          }
          const from = Date.parse(params.StartTime.replace("Z", ":00Z"));
          const to = Date.parse(params.EndTime.replace("Z", ":59Z"));
          const all = params.BackupJobId
            ? (kv.jobs.has(params.BackupJobId) ? jobBackups(kv.jobs.get(params.BackupJobId)!) : [])
            : kv.stored.filter((b) => Date.parse(String(b.BackupStartTime)) >= from && Date.parse(String(b.BackupStartTime)) <= to);
          const size = Number(params.PageSize ?? 30);
          const page = Number(params.PageNumber ?? 1);
          res.end(JSON.stringify({
            RequestId, PageNumber: page, PageSize: size, TotalCount: all.length,
            Backups: { Backup: all.slice((page - 1) * size, page * size) },
          }));
          return;
        }
        case "DescribeClusterBackupList": {
          // StartTime and EndTime are required (yyyy-MM-ddTHH:mmZ); PageSize takes the documented values only.
          const minute = /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/;
          if (!minute.test(params.StartTime ?? "") || !minute.test(params.EndTime ?? "")) {
            apiError(res, 400, "InvalidStartTime.Format", "Specified start time is not valid; the format is yyyy-MM-ddTHH:mmZ.");
            return;
          }
          if (params.PageSize !== undefined && !["5", "10", "15", "20", "30", "50", "100", "200", "300"].includes(params.PageSize)) {
            apiError(res, 400, "InvalidParameter", `Specified PageSize ${params.PageSize} is not valid.`);
            return;
          }
          const from = Date.parse(params.StartTime.replace("Z", ":00Z"));
          const to = Date.parse(params.EndTime.replace("Z", ":59Z"));
          const all = [...kv.clusterSets, ...kv.liveSets.map(renderLiveSet)]
            .filter((set) => Date.parse(String(set.ClusterBackupStartTime)) >= from && Date.parse(String(set.ClusterBackupStartTime)) <= to)
            .filter((set) => !params.ClusterBackupId || set.ClusterBackupId === params.ClusterBackupId)
            .sort((a, b) => String(b.ClusterBackupStartTime).localeCompare(String(a.ClusterBackupStartTime)));
          const size = Number(params.PageSize ?? 30);
          const page = Number(params.PageNumber ?? 1);
          const slice = all.slice((page - 1) * size, page * size);
          // The documented answer has no TotalCount.
          res.end(JSON.stringify({
            RequestId, PageNumber: page, PageSize: size, MaxResults: slice.length, FreeSize: 0, FullStorageSize: 4096, LogStorageSize: 0,
            ClusterBackups: params.NoShardBackup === "True" ? slice.map(({ Backups: _, ...rest }) => rest) : slice,
          }));
          return;
        }
        default:
          apiError(res, 400, "InvalidAction.NotFound", `Specified api ${params.Action} is not found.`);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Pre-signed OSS downloads

const files = new Map<string, Buffer>();
const downloads: string[] = [];

function ossStandIn(): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://oss");
    downloads.push(url.pathname);
    const file = files.get(url.pathname);
    if (req.method !== "GET" || url.searchParams.get("Signature") !== OSS_URL_SIGNATURE || !url.searchParams.get("OSSAccessKeyId")) {
      res.statusCode = 403;
      res.end("<Error><Code>SignatureDoesNotMatch</Code></Error>");
    } else if (!file) {
      res.statusCode = 404;
      res.end("<Error><Code>NoSuchKey</Code></Error>");
    } else {
      res.setHeader("Content-Length", file.length);
      res.end(file);
    }
  });
}

let ossUrl = "";

/** Stores a backup set (one BackupJobID) whose shard files the OSS stand-in serves; returns the job id. */
function storeSet(job: number, endedSecondsAgo: number, shardFiles: Buffer[], options: { declaredSize?: (i: number, actual: number) => number; status?: (i: number) => string; ext?: string } = {}): void {
  const ended = new Date(Date.now() - endedSecondsAgo * 1000);
  shardFiles.forEach((content, i) => {
    const object = `/rdsbak-hz-v3/${INSTANCE}/hins${job}_${i}_data_${ended.getTime()}.${options.ext ?? "rdb"}`;
    files.set(object, content);
    kv.stored.push({
      BackupId: job * 10 + i, BackupJobID: job, NodeInstanceId: nodeId(i), BackupMode: "Automated", BackupMethod: "Physical",
      BackupType: "FullBackup", BackupDBNames: "0", EngineVersion: "7.0",
      BackupStatus: options.status?.(i) ?? "Success",
      BackupSize: options.declaredSize?.(i, content.length) ?? content.length,
      BackupStartTime: isoSeconds(new Date(ended.getTime() - 60_000)), BackupEndTime: isoSeconds(ended),
      BackupDownloadURL: `https://rdsbak-hz-v3.oss-cn-hangzhou.aliyuncs.com${object}?OSSAccessKeyId=LTAIitest&Expires=9999999999&Signature=public-${job}`,
      BackupIntranetDownloadURL: `${ossUrl}${object}?OSSAccessKeyId=LTAIitest&Expires=9999999999&Signature=${encodeURIComponent(OSS_URL_SIGNATURE)}`,
    });
  });
}

interface ClusterSetOptions {
  status?: string; isAvail?: number; shardStatus?: (i: number) => string; shardAvail?: (i: number) => string;
  declaredSize?: (i: number, actual: number) => number; startedSecondsAgo?: number; mode?: string;
}

/** Stores a cluster backup set (DescribeClusterBackupList shape) whose shard files the OSS stand-in serves. */
function storeClusterSet(id: string, endedSecondsAgo: number, shardFiles: Buffer[], options: ClusterSetOptions = {}): void {
  const ended = new Date(Date.now() - endedSecondsAgo * 1000);
  const started = new Date(Date.now() - (options.startedSecondsAgo ?? endedSecondsAgo + 60) * 1000);
  const backups = shardFiles.map((content, i) => {
    const backupId = `${Number(id.replace(/\D/g, ""))}${i}`;
    const object = `/rdsbakbucket-hz-v2/custins${INSTANCE}/hins${backupId}_data_${ended.getTime()}.rdb`;
    files.set(object, content);
    return clusterShardBackup(backupId, nodeId(i), started, ended, {
      BackupStatus: options.shardStatus?.(i) ?? "OK", IsAvail: options.shardAvail?.(i) ?? "1",
      BackupSize: String(options.declaredSize?.(i, content.length) ?? content.length),
      BackupDownloadURL: `https://rdsbakbucket-hz-v2.oss-cn-hangzhou.aliyuncs.com${object}?OSSAccessKeyId=LTAIitest&Expires=9999999999&Signature=public-${id}`,
      BackupIntranetDownloadURL: `${ossUrl}${object}?OSSAccessKeyId=LTAIitest&Expires=9999999999&Signature=${encodeURIComponent(OSS_URL_SIGNATURE)}`,
    });
  });
  kv.clusterSets.push({
    ClusterBackupId: id, ClusterBackupMode: options.mode ?? "Automated", ClusterBackupSize: String(shardFiles.reduce((n, f) => n + f.length, 0)),
    ClusterBackupStartTime: isoSeconds(started), ClusterBackupEndTime: options.status === "RUNNING" ? "" : isoSeconds(ended),
    ClusterBackupStatus: options.status ?? "OK", IsAvail: options.isAvail ?? 1, Progress: options.status === "RUNNING" ? "40%" : "100%",
    ShardClassMemory: 1024, Backups: backups,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Fixtures

let work: { dir: string; cleanup: () => void };
let servers: http.Server[] = [];
let stsUrl = "";
let kvUrl = "";
let redisPid = 0;
const stsCalls: StsCall[] = [];
/** RDB files written by a real redis-server, one per shard, each with its own keys. */
const rdbs: Buffer[] = [];

function listen(server: http.Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`)));
}

beforeAll(async () => {
  requireTool("redis-server", "redis-server");
  requireTool("redis-check-rdb", "redis-tools");
  requireTool("python3", "python3");
  work = tempDir("redis-snapshot-alicloud");
  stsUrl = await listen(alibabaStsStandIn(OIDC_TOKEN, SESSION, stsCalls));
  kvUrl = await listen(kvstoreStandIn());
  ossUrl = await listen(ossStandIn());
  fs.writeFileSync(path.join(work.dir, "token"), OIDC_TOKEN);

  const redisDir = path.join(work.dir, "redis");
  fs.mkdirSync(redisDir);
  const port = await freePort();
  run("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", redisDir,
    "--pidfile", path.join(redisDir, "redis.pid"), "--save", "", "--appendonly", "no"]);
  for (let i = 0; i < 50 && !fs.existsSync(path.join(redisDir, "redis.pid")); i++) await new Promise((r) => setTimeout(r, 100));
  redisPid = Number(fs.readFileSync(path.join(redisDir, "redis.pid"), "utf8").trim());
  const cli = (...args: string[]): string => run("redis-cli", ["-p", String(port), ...args]);
  for (let shard = 0; shard < 4; shard++) {
    cli("flushall");
    for (let k = 0; k < 50; k++) cli("set", `order:${shard}:${k}`, `paid-${shard}-${k}-${"x".repeat(k)}`);
    cli("hset", `customer:${shard}`, "name", `shard ${shard}`, "tier", "gold");
    cli("rpush", `queue:${shard}`, "a", "b", "c");
    cli("save");
    rdbs.push(fs.readFileSync(path.join(redisDir, "dump.rdb")));
  }
}, 60_000);

afterAll(async () => {
  if (redisPid) run("kill", [String(redisPid)]);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  work?.cleanup();
});

/** The job's environment: the lead's interface, endpoints on 127.0.0.1, plus what the pod-identity webhook injects. */
function jobEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH, HOME: work.dir,
    INSTANCE_ID: INSTANCE, BACKUP_NAME: "cache", REGION_ID: REGION, EXPECTED_SHARDS: "1",
    KVSTORE_ENDPOINT: kvUrl, SNAPSHOT_TIMEOUT_SECONDS: "30", POLL_SECONDS: "0.05",
    ALIBABA_CLOUD_ROLE_ARN: ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: PROVIDER_ARN,
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: path.join(work.dir, "token"),
    ALIBABA_CLOUD_STS_ENDPOINT: stsUrl, STS_DURATION_SECONDS: "3600",
    ...overrides,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

/** Runs a script with exactly the given environment (runAsync would add the test process's own). */
function script(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const blank: NodeJS.ProcessEnv = Object.fromEntries(Object.keys(process.env).map((k) => [k, undefined]));
  return runAsync(cmd, args, { ...blank, ...env });
}
const snapshotRun = (env: NodeJS.ProcessEnv): Promise<RunResult> => script("python3", [SNAPSHOT_SCRIPT, "snapshot"], env);
const fetchRun = (env: NodeJS.ProcessEnv): Promise<RunResult> => script("python3", [SNAPSHOT_SCRIPT, "fetch"], env);
const checkRun = (env: NodeJS.ProcessEnv): Promise<RunResult> => script("bash", [CHECK_SCRIPT], env);

function expectNoSecrets(output: string): void {
  for (const secret of [SESSION.AccessKeySecret, SESSION.SecurityToken, OIDC_TOKEN, OSS_URL_SIGNATURE, encodeURIComponent(OSS_URL_SIGNATURE)]) {
    expect(output).not.toContain(secret);
  }
}

let stagingCount = 0;
const newStaging = (): string => path.join(work.dir, `staging-${stagingCount++}`);

// ---------------------------------------------------------------------------------------------------------------------

describe("RPC signature", () => {
  // Alibaba Cloud's signature documentation ("Signature mechanism", RPC): DescribeRegions signed with testsecret.
  const documented = {
    AccessKeyId: "testid", Action: "DescribeRegions", Format: "XML", SignatureMethod: "HMAC-SHA1",
    SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", SignatureVersion: "1.0", Timestamp: "2016-02-23T12:46:24Z", Version: "2014-05-26",
  };

  test("the script's signer reproduces the documented example verbatim, and so does the stand-in's verifier", () => {
    const out = run("python3", ["-c", [
      "import importlib.util, json, sys",
      `spec = importlib.util.spec_from_file_location('snap', ${JSON.stringify(SNAPSHOT_SCRIPT)})`,
      "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
      `p = json.loads(${JSON.stringify(JSON.stringify(documented))})`,
      "print(m.string_to_sign('GET', p)); print(m.sign('GET', p, 'testsecret')); print(m.percent_encode('a b*c~d/é'))",
    ].join("\n")], { env: { PYTHONDONTWRITEBYTECODE: "1" } }).trim().split("\n");
    expect(out[0]).toBe("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
      + "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
    expect(out[1]).toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    expect(out[2]).toBe("a%20b%2Ac~d%2F%C3%A9");
    expect(rpcSignature("GET", documented, "testsecret")).toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    expect(rpcSignature("GET", { ...documented, Action: "DescribeInstances" }, "testsecret")).not.toBe("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  });

  test("the stand-in refuses a request whose parameters were changed after signing, and accepts the untouched one", async () => {
    resetKv(1);
    const params: Record<string, string> = {
      Action: "DescribeBackupTasks", Version: "2015-01-01", Format: "JSON", RegionId: REGION, AccessKeyId: SESSION.AccessKeyId,
      SecurityToken: SESSION.SecurityToken, SignatureMethod: "HMAC-SHA1", SignatureVersion: "1.0",
      Timestamp: isoSeconds(new Date()), InstanceId: INSTANCE,
    };
    const send = async (p: Record<string, string>): Promise<{ status: number; body: any }> => {
      const r = await fetch(`${kvUrl}/`, { method: "POST", body: new URLSearchParams(p) });
      return { status: r.status, body: await r.json() };
    };
    const good = { ...params, SignatureNonce: crypto.randomUUID() };
    const ok = await send({ ...good, Signature: rpcSignature("POST", good, SESSION.AccessKeySecret) });
    expect(ok.status).toBe(200);
    const tampered = { ...params, SignatureNonce: crypto.randomUUID() };
    const signature = rpcSignature("POST", tampered, SESSION.AccessKeySecret);
    const bad = await send({ ...tampered, InstanceId: "r-someone-else", Signature: signature });
    expect(bad.status).toBe(400);
    expect(bad.body.Code).toBe("SignatureDoesNotMatch");
  });
});

describe("snapshot", () => {
  test("one shard: CreateBackup, progress over several polls, then Success; every call signed with the RRSA session", async () => {
    resetKv(1, "success", 3);
    stsCalls.length = 0;
    const r = await snapshotRun(jobEnv());
    expect(r.stderr).toContain(`CreateBackup on ${INSTANCE}: backup job 5`);
    expect(r.stderr).toMatch(/0\/1 shard backups Success; tasks: r-bp1itest00000001-db-0 Uploading 30%/);
    expect(r.stderr).toContain(`backup job ${[...kv.jobs.keys()][0]} of ${INSTANCE}: 1/1 shard backups Success`);
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ redis-snapshot-alicloud\[snapshot\]: /m);
    expect(r.code).toBe(0);
    const actions = kv.calls.map((c) => c.action);
    expect(actions.filter((a) => a === "CreateBackup")).toHaveLength(1);
    expect(actions.filter((a) => a === "DescribeBackupTasks").length).toBeGreaterThanOrEqual(3);
    expect(kv.refused).toEqual([]);
    for (const call of kv.calls) {
      expect(call.params).toMatchObject({ AccessKeyId: SESSION.AccessKeyId, SecurityToken: SESSION.SecurityToken, SignatureMethod: "HMAC-SHA1" });
      expect(call.params.Signature).toBeTruthy();
    }
    // RRSA: one exchange, the token in the POST body only (never in the URL), no Authorization header.
    expect(stsCalls).toHaveLength(1);
    expect(stsCalls[0].query.get("OIDCToken")).toBeNull();
    expect([...stsCalls[0].query.values()].join(" ")).not.toContain(OIDC_TOKEN);
    expect(Object.fromEntries(stsCalls[0].form)).toEqual({
      OIDCToken: OIDC_TOKEN, RoleArn: ROLE_ARN, OIDCProviderArn: PROVIDER_ARN, RoleSessionName: "backup-cache", DurationSeconds: "3600",
    });
    expect(stsCalls[0].authorization).toBeUndefined();
    expect(kv.calls.every((c) => !Object.values(c.params).includes(OIDC_TOKEN))).toBe(true);
    expectNoSecrets(r.stderr + r.stdout);
  });

  test("four shards (cluster edition): waits for all four Success backups", async () => {
    resetKv(4, "success", 2);
    const r = await snapshotRun(jobEnv({ EXPECTED_SHARDS: "4" }));
    expect(r.stderr).toContain("4/4 shard backups Success");
    for (let i = 0; i < 4; i++) expect(r.stderr).toContain(`shard ${nodeId(i)}: backup`);
    expect(r.code).toBe(0);
  });

  test("a Failed shard backup fails the run naming the node", async () => {
    resetKv(4, "failed", 2);
    const r = await snapshotRun(jobEnv({ EXPECTED_SHARDS: "4" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`ERROR: backup job \\d+ of ${INSTANCE} Failed on ${nodeId(3)}`));
  });

  test("a job that never finishes times out with what it saw", async () => {
    resetKv(1, "never");
    const r = await snapshotRun(jobEnv({ SNAPSHOT_TIMEOUT_SECONDS: "1", POLL_SECONDS: "0.2" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR: timed out after 1s \(SNAPSHOT_TIMEOUT_SECONDS\) waiting for backup job \d+ of r-bp1itest00000001: 0\/1 shard backups Success/);
  });

  test("a finished job with fewer shard backups than EXPECTED_SHARDS fails", async () => {
    resetKv(4, "fewer", 2);
    const r = await snapshotRun(jobEnv({ EXPECTED_SHARDS: "4" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR: backup job \d+ of r-bp1itest00000001 finished with 3 Success shard backup\(s\), EXPECTED_SHARDS is 4/);
  });

  test("more shard backups than EXPECTED_SHARDS (the shard count changed) fails and says what to update", async () => {
    resetKv(4, "success", 1);
    const r = await snapshotRun(jobEnv({ EXPECTED_SHARDS: "2" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("produced 4 shard backups but EXPECTED_SHARDS is 2");
  });

  test("a signature the API does not accept is refused (the check is real): the run fails with the API's Code", async () => {
    resetKv(1);
    kv.secret = "the-key-was-rotated";
    const r = await snapshotRun(jobEnv());
    expect(r.code).toBe(1);
    expect(kv.refused).toEqual(["SignatureDoesNotMatch"]);
    expect(r.stderr).toContain("ERROR: CreateBackup failed: HTTP 400 SignatureDoesNotMatch: Specified signature is not matched with our calculation. (RequestId itest-SignatureDoesNotMatch)");
    expect(kv.jobs.size).toBe(0);
    expectNoSecrets(r.stderr + r.stdout);
  });

  test("an API error shows Code, Message and RequestId, never a credential", async () => {
    resetKv(1);
    const r = await snapshotRun(jobEnv({ INSTANCE_ID: "r-does-not-exist" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: CreateBackup failed: HTTP 404 InvalidInstanceId.NotFound: The specified instance is not found. (RequestId itest-InvalidInstanceId.NotFound)");
    expectNoSecrets(r.stderr + r.stdout);
  });
});

describe("RRSA and configuration", () => {
  test("a pod the webhook did not inject says which variables are missing, before any call", async () => {
    stsCalls.length = 0;
    resetKv(1);
    const r = await snapshotRun(jobEnv({ ALIBABA_CLOUD_ROLE_ARN: undefined, ALIBABA_CLOUD_OIDC_TOKEN_FILE: undefined }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("RRSA: ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_OIDC_TOKEN_FILE not set");
    expect(r.stderr).toContain("pod-identity.alibabacloud.com/injection=on");
    expect(stsCalls).toEqual([]);
    expect(kv.calls).toEqual([]);
  });

  test("a token STS refuses stops the run with STS's error and no R-kvstore call", async () => {
    stsCalls.length = 0;
    resetKv(1);
    const stale = path.join(work.dir, "stale-token");
    fs.writeFileSync(stale, "eyJ.stale.token");
    const r = await snapshotRun(jobEnv({ ALIBABA_CLOUD_OIDC_TOKEN_FILE: stale }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("HTTP 400 InvalidParameter.OIDCToken: The parameter OIDCToken is invalid.");
    expect(stsCalls).toHaveLength(1);
    expect(kv.calls).toEqual([]);
    expect(r.stderr).not.toContain("eyJ.stale.token");
  });

  test("bad configuration names every problem at once", async () => {
    const r = await fetchRun(jobEnv({ INSTANCE_ID: undefined, EXPECTED_SHARDS: "0", POLL_SECONDS: "soon" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad configuration: INSTANCE_ID is not set; STAGING_DIR is not set; MAX_AGE_SECONDS is not set; "
      + "EXPECTED_SHARDS must be a whole number of at least 1, got '0'; POLL_SECONDS must be a number of at least 0, got 'soon'");
    const usage = await script("python3", [SNAPSHOT_SCRIPT, "restore"], jobEnv());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: redis-snapshot-alicloud.py snapshot|fetch");
  });
});

describe("fetch + redis-check-rdbs.sh", () => {
  test("one shard: picks the newest complete set, downloads it, the RDB passes redis-check-rdb; no URL signature in the logs", async () => {
    resetKv(1);
    storeSet(700, 20 * 3600, [rdbs[3]]); // an older complete set
    storeSet(701, 2 * 3600, [rdbs[0]]); // the newest complete set
    storeSet(702, 600, [rdbs[1]], { status: () => "Failed" }); // newer, but failed
    const staging = newStaging();
    downloads.length = 0;
    const env = jobEnv({ STAGING_DIR: staging, MAX_AGE_SECONDS: String(26 * 3600) });
    const fetched = await fetchRun(env);
    expect(fetched.stderr).toContain(`backup set 701 of ${INSTANCE}: 1 shard(s)`);
    expect(fetched.code).toBe(0);
    expect(downloads).toEqual([expect.stringContaining("/hins701_0_data_")]);
    expect(listDir(staging)).toEqual(["0.rdb", "manifest"]);
    expect(fs.readFileSync(path.join(staging, "0.rdb")).equals(rdbs[0])).toBe(true);
    const sha = crypto.createHash("sha256").update(rdbs[0]).digest("hex");
    expect(fs.readFileSync(path.join(staging, "manifest"), "utf8")).toBe(`0.rdb ${rdbs[0].length} ${sha} 7010 ${nodeId(0)}\n`);
    expect(fetched.stderr).toContain("?<signature redacted>");
    expect(fetched.stderr).not.toContain("Signature=");
    expectNoSecrets(fetched.stderr + fetched.stdout);
    const describe = kv.calls.find((c) => c.action === "DescribeBackups")!;
    expect(describe.params.StartTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
    expect(describe.params.EndTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);

    const check = await checkRun(env);
    expect(check.stderr).toContain("0.rdb (backup 7010, r-bp1itest00000001-db-0): ");
    expect(check.stderr).toContain("all 1 shard file(s) pass redis-check-rdb");
    expect(check.code).toBe(0);
  });

  test("three shards, one delivered as tar.gz and one as .gz, across result pages: all unpacked and checked", async () => {
    resetKv(1);
    const tarDir = path.join(work.dir, "tar-src");
    fs.mkdirSync(tarDir, { recursive: true });
    fs.writeFileSync(path.join(tarDir, "hins702_data.rdb"), rdbs[1]);
    fs.writeFileSync(path.join(tarDir, "meta.json"), "{}");
    run("tar", ["-C", tarDir, "-czf", path.join(work.dir, "shard1.tar.gz"), "hins702_data.rdb", "meta.json"]);
    storeSet(710, 3600, [rdbs[0], fs.readFileSync(path.join(work.dir, "shard1.tar.gz")), zlib.gzipSync(rdbs[2])]);
    // Padding so the listing spans pages (PageSize 100): 60 older three-shard sets.
    for (let j = 0; j < 60; j++) storeSet(600 + j, 7200 + j * 60, [rdbs[0], rdbs[1], rdbs[2]]);
    const staging = newStaging();
    const env = jobEnv({ STAGING_DIR: staging, MAX_AGE_SECONDS: String(86400), EXPECTED_SHARDS: "3" });
    const fetched = await fetchRun(env);
    expect(fetched.stderr).toContain("backup set 710");
    expect(fetched.code).toBe(0);
    expect(kv.calls.filter((c) => c.action === "DescribeBackups").map((c) => c.params.PageNumber)).toEqual(["1", "2"]);
    for (let i = 0; i < 3; i++) expect(fs.readFileSync(path.join(staging, `${i}.rdb`)).equals(rdbs[i])).toBe(true);
    expect(fs.readFileSync(path.join(staging, "manifest"), "utf8").trim().split("\n").map((l) => l.split(" ")[0])).toEqual(["0.rdb", "1.rdb", "2.rdb"]);
    expect(fetched.stderr).toContain("shard 1 (r-bp1itest00000001-db-1)");
    const check = await checkRun(env);
    expect(check.stderr).toContain("all 3 shard file(s) pass redis-check-rdb");
    expect(check.code).toBe(0);
    expectNoSecrets(fetched.stderr + check.stderr);
  });

  test("the newest complete set older than MAX_AGE_SECONDS fails the fetch", async () => {
    resetKv(1);
    storeSet(720, 30 * 3600, [rdbs[0]]);
    const r = await fetchRun(jobEnv({ STAGING_DIR: newStaging(), MAX_AGE_SECONDS: String(26 * 3600) }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR: the newest complete backup set of r-bp1itest00000001 \(job 720, ended .*\) is \d+s old, older than MAX_AGE_SECONDS=93600/);
  });

  test("no set with every shard Success fails the fetch, saying what it saw", async () => {
    resetKv(1);
    storeSet(721, 3600, [rdbs[0], rdbs[1]], { status: (i) => (i === 1 ? "Failed" : "Success") });
    const r = await fetchRun(jobEnv({ STAGING_DIR: newStaging(), MAX_AGE_SECONDS: "86400", EXPECTED_SHARDS: "2" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has a Success backup on all 2 shard(s) (seen: job 721: 1 Success of 2)");
  });

  test("a download whose size differs from BackupSize fails the fetch naming the file", async () => {
    resetKv(1);
    storeSet(730, 3600, [rdbs[0], rdbs[1]], { declaredSize: (i, n) => (i === 1 ? n + 17 : n) });
    const r = await fetchRun(jobEnv({ STAGING_DIR: newStaging(), MAX_AGE_SECONDS: "86400", EXPECTED_SHARDS: "2" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: 1.rdb: downloaded ${rdbs[1].length} bytes but DescribeBackups says BackupSize ${rdbs[1].length + 17} (backup 7301, ${nodeId(1)})`);
  });

  test.each([
    ["truncated", (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6))],
    ["flipped bytes", (b: Buffer) => { const c = Buffer.from(b); for (let i = 200; i < 208; i++) c[i] ^= 0xff; return c; }],
  ])("a corrupt RDB (%s) passes the download checks but fails redis-check-rdb, naming the file", async (_kind, corrupt) => {
    resetKv(1);
    storeSet(740, 3600, [rdbs[0], corrupt(rdbs[1]), rdbs[2]]);
    const staging = newStaging();
    const env = jobEnv({ STAGING_DIR: staging, MAX_AGE_SECONDS: "86400", EXPECTED_SHARDS: "3" });
    const fetched = await fetchRun(env);
    expect(fetched.code).toBe(0);
    const check = await checkRun(env);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/FAILED: 1\.rdb \(backup 7401, r-bp1itest00000001-db-1\) fails redis-check-rdb: \[offset \d+\] /);
    expect(check.stderr).toContain("0.rdb (backup 7400, r-bp1itest00000001-db-0): ");
    expect(check.stderr).not.toContain("FAILED: 0.rdb");
    expect(check.stderr).not.toContain("FAILED: 2.rdb");
  });

  test("the check refuses a tampered staging directory: changed file, missing file, wrong shard count, foreign path", async () => {
    resetKv(1);
    storeSet(750, 3600, [rdbs[0], rdbs[1]]);
    const staging = newStaging();
    const env = jobEnv({ STAGING_DIR: staging, MAX_AGE_SECONDS: "86400", EXPECTED_SHARDS: "2" });
    expect((await fetchRun(env)).code).toBe(0);
    expect((await checkRun(env)).code).toBe(0);

    // Same size, other content: the sha256 catches it.
    fs.writeFileSync(path.join(staging, "0.rdb"), rdbs[0].map((byte, i) => (i === 100 ? byte ^ 1 : byte)));
    fs.rmSync(path.join(staging, "1.rdb"));
    const tampered = await checkRun({ ...env, EXPECTED_SHARDS: "3" });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/FAILED: 0\.rdb \(backup 7500, r-bp1itest00000001-db-0\) has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
    expect(tampered.stderr).toContain("FAILED: 1.rdb (backup 7501, r-bp1itest00000001-db-1) is listed in the manifest but missing");
    expect(tampered.stderr).toContain("FAILED: the manifest lists 2 file(s), EXPECTED_SHARDS is 3");

    fs.writeFileSync(path.join(staging, "manifest"), `../../etc/passwd 10 ${"0".repeat(64)} 1 node\n`);
    const foreign = await checkRun({ ...env, EXPECTED_SHARDS: "1" });
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain("FAILED: manifest line 1 is malformed: '../../etc/passwd");

    const none = await checkRun({ ...env, STAGING_DIR: path.join(work.dir, "nothing-here") });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no manifest at");
  });
});

describe("cluster edition (cloud-native, CLUSTER_EDITION=1): snapshot through DescribeClusterBackupList", () => {
  const clusterEnv = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv =>
    jobEnv({ CLUSTER_EDITION: "1", EXPECTED_SHARDS: "3", ...overrides });
  const liveId = (): string => kv.liveSets[0].id;

  test("three shards: lists, CreateBackup, then waits over several polls for the NEW set to be OK on every shard", async () => {
    resetKv(3, "success", 3, true);
    stsCalls.length = 0;
    // Sets listed before the call are not ours, however they look: a complete scheduled one and a failed one.
    storeClusterSet("cb-older00000000001", 120, [rdbs[0], rdbs[1], rdbs[2]]);
    storeClusterSet("cb-older00000000002", 60, [rdbs[0], rdbs[1], rdbs[2]], { status: "Failed", isAvail: 0, shardStatus: (i) => (i === 0 ? "ERROR" : "OK") });
    const r = await snapshotRun(clusterEnv());
    expect(r.stderr).toContain(`CreateBackup on ${INSTANCE}: backup job 5`);
    expect(r.stderr).toContain("(2 set(s) listed before)");
    expect(r.stderr).toMatch(new RegExp(`waiting: ${liveId()}: ClusterBackupStatus RUNNING, progress 0%, 0 shard backup\\(s\\) listed`));
    expect(r.stderr).toMatch(new RegExp(`waiting: ${liveId()}: ClusterBackupStatus RUNNING, progress 33%, 1 shard backup\\(s\\) listed`));
    expect(r.stderr).toContain(`cluster backup set ${liveId()} of ${INSTANCE}: 3/3 shard backups OK, ended `);
    for (let i = 0; i < 3; i++) expect(r.stderr).toContain(`shard ${nodeId(i)}: backup ${kv.liveSets[0].job}${i} OK`);
    expect(r.stderr).not.toContain("cb-older");
    expect(r.code).toBe(0);
    const actions = kv.calls.map((c) => c.action);
    expect(actions[0]).toBe("DescribeClusterBackupList");
    expect(actions[1]).toBe("CreateBackup");
    expect(actions.filter((a) => a === "DescribeClusterBackupList").length).toBe(4); // before + RUNNING, RUNNING, OK
    expect(actions.filter((a) => a === "DescribeBackups" || a === "DescribeBackupTasks")).toEqual([]);
    expect(kv.refused).toEqual([]);
    for (const call of kv.calls.filter((c) => c.action === "DescribeClusterBackupList")) {
      expect(call.params).toMatchObject({ InstanceId: INSTANCE, RegionId: REGION, PageSize: "100", PageNumber: "1", SecurityToken: SESSION.SecurityToken });
      expect(call.params.StartTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
      expect(call.params.EndTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
    }
    expect(stsCalls).toHaveLength(1);
    expectNoSecrets(r.stderr + r.stdout);
  });

  test("a shard backup in ERROR (set Failed) fails the run naming the set and the shard", async () => {
    resetKv(3, "failed", 2, true);
    const r = await snapshotRun(clusterEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: cluster backup set ${liveId()} of ${INSTANCE} (job ${kv.liveSets[0].job}) failed: ClusterBackupStatus Failed, shard backups ${nodeId(2)} ERROR`);
    expect(r.stderr).not.toContain("Traceback");
  });

  test("a set that finishes OK with fewer shard backups than EXPECTED_SHARDS fails after one more poll", async () => {
    resetKv(3, "fewer", 2, true);
    const r = await snapshotRun(clusterEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: cluster backup set ${liveId()} of ${INSTANCE} (job ${kv.liveSets[0].job}) finished OK but is not complete: 2 shard backup(s), EXPECTED_SHARDS is 3`);
    // RUNNING, OK-but-2-shards, OK-but-2-shards again: the listing got its one poll to catch up.
    expect(kv.calls.filter((c) => c.action === "DescribeClusterBackupList")).toHaveLength(4);
  });

  test("more shard backups than EXPECTED_SHARDS (the shard count changed) fails and says what to update", async () => {
    resetKv(4, "success", 1, true);
    const r = await snapshotRun(clusterEnv({ EXPECTED_SHARDS: "2" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("finished OK but is not complete: 4 shard backups but EXPECTED_SHARDS is 2: the instance's shard count changed; update the configuration");
  });

  test("a set that never completes times out with what it saw", async () => {
    resetKv(3, "never", 1, true);
    const r = await snapshotRun(clusterEnv({ SNAPSHOT_TIMEOUT_SECONDS: "1", POLL_SECONDS: "0.2" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`ERROR: timed out after 1s \\(SNAPSHOT_TIMEOUT_SECONDS\\) waiting for a complete cluster backup set of ${INSTANCE} \\(job \\d+\\): ${liveId()}: ClusterBackupStatus RUNNING, progress \\d+%`));
  });

  test("no new set ever listed (e.g. a classic instance) times out saying so", async () => {
    resetKv(3, "success", 1, false);
    const r = await snapshotRun(clusterEnv({ SNAPSHOT_TIMEOUT_SECONDS: "1", POLL_SECONDS: "0.3" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("waiting for a complete cluster backup set of r-bp1itest00000001 (job 5");
    expect(r.stderr).toContain("no new set listed yet");
  });

  test("without CLUSTER_EDITION the standard path runs unchanged (and a cloud-native instance fails loudly there)", async () => {
    resetKv(3, "success", 1, true);
    const r = await snapshotRun(jobEnv({ EXPECTED_SHARDS: "3" }));
    expect(r.code).toBe(1);
    expect(kv.calls.map((c) => c.action)).not.toContain("DescribeClusterBackupList");
    expect(r.stderr).toContain("InvalidInstance.NotSupport");
  });

  test("a CLUSTER_EDITION other than 1/0/unset is bad configuration, reported with the rest before any call", async () => {
    resetKv(3, "success", 1, true);
    stsCalls.length = 0;
    const r = await snapshotRun(clusterEnv({ CLUSTER_EDITION: "yes", REGION_ID: undefined }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad configuration: REGION_ID is not set; CLUSTER_EDITION must be 1 (cloud-native cluster edition) or 0/unset, got 'yes'");
    expect(stsCalls).toEqual([]);
    expect(kv.calls).toEqual([]);
  });
});

describe("cluster edition (cloud-native, CLUSTER_EDITION=1): fetch + redis-check-rdbs.sh", () => {
  const clusterEnv = (staging: string, overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv =>
    jobEnv({ CLUSTER_EDITION: "1", EXPECTED_SHARDS: "3", STAGING_DIR: staging, MAX_AGE_SECONDS: String(26 * 3600), ...overrides });

  test("three shards: the newest COMPLETE set is downloaded through its intranet URLs and passes redis-check-rdb", async () => {
    resetKv(3, "success", 1, true);
    storeClusterSet("cb-itest00000000701", 20 * 3600, [rdbs[3], rdbs[3], rdbs[3]]); // older complete
    storeClusterSet("cb-itest00000000702", 2 * 3600, [rdbs[0], rdbs[1], rdbs[2]]); // the newest complete
    storeClusterSet("cb-itest00000000703", 1800, [rdbs[3], rdbs[3], rdbs[3]], { isAvail: 0, shardAvail: (i) => (i === 1 ? "0" : "1") });
    storeClusterSet("cb-itest00000000704", 1200, [rdbs[3], rdbs[3], rdbs[3]], { status: "Failed", isAvail: 0, shardStatus: (i) => (i === 2 ? "ERROR" : "OK") });
    storeClusterSet("cb-itest00000000705", 600, [rdbs[3], rdbs[3]], { status: "OK", isAvail: 1 }); // one shard short
    storeClusterSet("cb-itest00000000706", 300, [rdbs[3], rdbs[3], rdbs[3]], { status: "RUNNING", isAvail: 0 });
    // 110 older complete sets, so the listing spans two pages of 100 (the answer has no TotalCount).
    for (let j = 0; j < 110; j++) storeClusterSet(`cb-itest0000001${String(j).padStart(4, "0")}`, 21 * 3600 + j * 60, [rdbs[3], rdbs[3], rdbs[3]]);
    const staging = newStaging();
    downloads.length = 0;
    const env = clusterEnv(staging);
    const fetched = await fetchRun(env);
    expect(fetched.stderr).toContain(`cluster backup set cb-itest00000000702 of ${INSTANCE}: 3 shard(s), ended `);
    expect(fetched.code).toBe(0);
    expect(kv.calls.filter((c) => c.action === "DescribeClusterBackupList").map((c) => c.params.PageNumber)).toEqual(["1", "2"]);
    expect(kv.calls.map((c) => c.action).filter((a) => a !== "DescribeClusterBackupList")).toEqual([]);
    expect(downloads).toEqual([0, 1, 2].map((i) => expect.stringContaining(`/hins702${i}_data_`)));
    expect(listDir(staging)).toEqual(["0.rdb", "1.rdb", "2.rdb", "manifest"]);
    const manifest = [0, 1, 2].map((i) => `${i}.rdb ${rdbs[i].length} ${crypto.createHash("sha256").update(rdbs[i]).digest("hex")} 702${i} ${nodeId(i)}\n`).join("");
    expect(fs.readFileSync(path.join(staging, "manifest"), "utf8")).toBe(manifest);
    for (let i = 0; i < 3; i++) expect(fs.readFileSync(path.join(staging, `${i}.rdb`)).equals(rdbs[i])).toBe(true);
    expect(fetched.stderr).toContain("?<signature redacted>");
    expect(fetched.stderr).not.toContain("Signature=");
    expectNoSecrets(fetched.stderr + fetched.stdout);

    const check = await checkRun(env);
    expect(check.stderr).toContain(`1.rdb (backup 7021, ${nodeId(1)}): ${rdbs[1].length} bytes, sha256 ok, redis-check-rdb: RDB looks OK`);
    expect(check.stderr).toContain("all 3 shard file(s) pass redis-check-rdb");
    expect(check.code).toBe(0);
  });

  test("the newest complete set older than MAX_AGE_SECONDS fails the fetch", async () => {
    resetKv(3, "success", 1, true);
    storeClusterSet("cb-itest00000000720", 30 * 3600, [rdbs[0], rdbs[1], rdbs[2]]);
    const r = await fetchRun(clusterEnv(newStaging()));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR: the newest complete cluster backup set of r-bp1itest00000001 \(cb-itest00000000720, ended .*\) is \d+s old, older than MAX_AGE_SECONDS=93600/);
  });

  test("no complete set fails the fetch, saying what each set lacks", async () => {
    resetKv(3, "success", 1, true);
    storeClusterSet("cb-itest00000000731", 3600, [rdbs[0], rdbs[1], rdbs[2]], { shardStatus: (i) => (i === 1 ? "ERROR" : "OK") });
    storeClusterSet("cb-itest00000000732", 3000, [rdbs[0], rdbs[1], rdbs[2]], { isAvail: 0 });
    storeClusterSet("cb-itest00000000733", 2400, [rdbs[0], rdbs[1]]);
    const r = await fetchRun(clusterEnv(newStaging()));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no cluster backup set of r-bp1itest00000001 since");
    expect(r.stderr).toContain(`cb-itest00000000731: ClusterBackupStatus OK, shard backups ${nodeId(1)} ERROR`);
    expect(r.stderr).toContain("cb-itest00000000732: IsAvail 0");
    expect(r.stderr).toContain("cb-itest00000000733: 2 shard backup(s), EXPECTED_SHARDS is 3");
  });

  test("a download whose size differs from the listed BackupSize fails the fetch naming the file", async () => {
    resetKv(3, "success", 1, true);
    storeClusterSet("cb-itest00000000740", 3600, [rdbs[0], rdbs[1], rdbs[2]], { declaredSize: (i, n) => (i === 2 ? n - 5 : n) });
    const r = await fetchRun(clusterEnv(newStaging()));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: 2.rdb: downloaded ${rdbs[2].length} bytes but DescribeClusterBackupList says BackupSize ${rdbs[2].length - 5} (backup 7402, ${nodeId(2)})`);
  });

  test("a corrupt shard file passes the download checks but fails redis-check-rdb, naming the file and the shard", async () => {
    resetKv(3, "success", 1, true);
    const corrupt = Buffer.from(rdbs[1]);
    for (let i = 200; i < 208; i++) corrupt[i] ^= 0xff;
    storeClusterSet("cb-itest00000000750", 3600, [rdbs[0], corrupt, rdbs[2]]);
    const staging = newStaging();
    const env = clusterEnv(staging);
    const fetched = await fetchRun(env);
    expect(fetched.code).toBe(0);
    const check = await checkRun(env);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(new RegExp(`FAILED: 1\\.rdb \\(backup 7501, ${nodeId(1)}\\) fails redis-check-rdb: \\[offset \\d+\\] [^\\[\\n]+ \\[additional info\\] While doing: \\S+`));
    // The diagnosis is redis-check-rdb's error, not its progress lines.
    expect(check.stderr.split("\n").find((l) => l.includes("FAILED: 1.rdb"))).not.toContain("AUX FIELD");
    expect(check.stderr).not.toContain("FAILED: 0.rdb");
    expect(check.stderr).not.toContain("FAILED: 2.rdb");
  });
});

describe("static checks", () => {
  test("redis-check-rdbs.sh is shellcheck-clean at style severity", () => {
    requireTool("shellcheck", "shellcheck");
    expect(run("shellcheck", ["--severity=style", CHECK_SCRIPT])).toBe("");
  });

  test("redis-snapshot-alicloud.py compiles and imports nothing outside the standard library", () => {
    const out = tempDir("py-compile");
    try {
      run("python3", ["-c", `import py_compile; py_compile.compile(${JSON.stringify(SNAPSHOT_SCRIPT)}, cfile=${JSON.stringify(path.join(out.dir, "x.pyc"))}, doraise=True)`]);
    } finally {
      out.cleanup();
    }
    const imports = [...fs.readFileSync(SNAPSHOT_SCRIPT, "utf8").matchAll(/^(?:from (\S+) import|import (\S+))/gm)].map((m) => (m[1] ?? m[2]).split(".")[0]);
    const stdlib = run("python3", ["-c", "import sys; print(' '.join(sorted(sys.stdlib_module_names)))"]).trim().split(" ");
    expect(imports.filter((m) => m !== "__future__" && !stdlib.includes(m))).toEqual([]);
  });
});

function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
