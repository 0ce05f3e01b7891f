/**
 * The dev stack's backup alerts fed with the metrics the Docker containers really emit: the real scheduler.sh and
 * backup.sh write their node-exporter textfiles (a Redis dump against a throwaway redis-server on 127.0.0.1), the
 * real node_exporter (Debian prometheus-node-exporter) serves them through its textfile collector, and the series
 * it exposes (with the job/instance labels Prometheus adds for the dev stack's `node` scrape job) are replayed in
 * `promtool test rules` against the rule files the dev stack uploads into its Prometheus container.
 *
 * Healthy stack: no backup alert fires. The same results left to age: BackupStale fires. A failed run:
 * BackupJobFailed fires. And the host alert rules only use series the real node_exporter emits.
 */
import { type ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { parse } from "yaml";
import { BACKUP_SCRIPT_PATH } from "../../components/backup-job/script";
import { unwrapSecrets } from "../helpers/mocks";
import { buildStack } from "../helpers/stack";
import { type PromtoolTestGroup, promtoolTestRules, requireTool, run, tempDir } from "../helpers/tools";
import { DEV_SECRETS } from "./fixtures";

const SCHEDULER = path.join(path.dirname(BACKUP_SCRIPT_PATH), "scheduler.sh");
const NODE_EXPORTER = "prometheus-node-exporter";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on("error", reject);
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await Promise.resolve(check()).catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the exposition format lines of the backup_* families. */
function backupSamples(exposition: string): Sample[] {
  return exposition
    .split("\n")
    .filter((l) => l.startsWith("backup_"))
    .map((line) => {
      const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
      if (!m) throw new Error(`unexpected line ${line}`);
      const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

let work: { dir: string; cleanup: () => void };
let redisPid = 0;
let rules: { groups: unknown[] };
let exposition = "";
let scrapedAt = 0;
let failedExposition = "";
const children: ChildProcess[] = [];
const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...process.env, ...extra });

async function nodeExporter(textfileDir: string, collectors: string[]): Promise<string> {
  const port = await freePort();
  const child = spawn(NODE_EXPORTER, [
    `--web.listen-address=127.0.0.1:${port}`,
    "--collector.disable-defaults",
    ...collectors.map((c) => `--collector.${c}`),
    `--collector.textfile.directory=${textfileDir}`,
  ], { stdio: "ignore" });
  children.push(child);
  try {
    return await until("node_exporter", () => fetchText(`http://127.0.0.1:${port}/metrics`));
  } finally {
    child.kill("SIGTERM");
  }
}

beforeAll(async () => {
  requireTool(NODE_EXPORTER, "prometheus-node-exporter");
  requireTool("redis-server", "redis-server");
  requireTool("promtool", "prometheus");

  // The dev stack's rule files, as uploaded into its Prometheus container.
  const { recorder } = await buildStack("dev", {}, { secrets: DEV_SECRETS });
  const prom = unwrapSecrets(recorder.one("docker:index/container:Container", "alerting-prometheus").inputs);
  const groups = prom.uploads
    .filter((u: any) => u.file.startsWith("/etc/prometheus/rules/"))
    .flatMap((u: any) => parse(u.content).groups)
    .filter((g: any) => g.name.startsWith("backup-"));
  rules = { groups };
  expect(groups.map((g: any) => g.name).sort()).toEqual(["backup-cache-backup", "backup-main-db-backup"]);
  // ...and node-exporter reads the shared textfile volume the backup containers write (the wiring under test).
  const node = unwrapSecrets(recorder.one("docker:index/container:Container", "alerting-node-exporter").inputs);
  expect(node.command).toContain("--collector.textfile.directory=/textfile");
  const backup = unwrapSecrets(recorder.one("docker:index/container:Container", "main-db-backup-backup-container").inputs);
  const shared = backup.volumes.find((v: any) => v.containerPath === "/metrics").volumeName;
  expect(node.volumes.find((v: any) => v.containerPath === "/textfile")).toMatchObject({ volumeName: shared, readOnly: true });
  expect(backup.envs).toContain("METRICS_TEXTFILE_DIR=/metrics");

  work = tempDir("docker-metrics");
  const textfile = path.join(work.dir, "textfile");
  fs.mkdirSync(textfile);
  const redisDir = path.join(work.dir, "redis");
  fs.mkdirSync(redisDir);
  const redisPort = await freePort();
  run("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", redisDir,
    "--pidfile", path.join(redisDir, "redis.pid"), "--save", "", "--appendonly", "no"]);
  redisPid = await until("redis pid", () => (fs.existsSync(path.join(redisDir, "redis.pid")) ? Number(fs.readFileSync(path.join(redisDir, "redis.pid"), "utf8")) : undefined));
  run("redis-cli", ["-p", String(redisPort), "set", "k", "v"]);

  const jobEnv = (name: string, mode: string) => env({
    ENGINE: "redis", REDIS_HOST: "127.0.0.1", REDIS_PORT: String(redisPort), BACKUP_NAME: name, SCHEDULE_COMMAND: mode,
    BACKUP_DESTINATION: `file://${work.dir}/dest`, STAGING_DIR: path.join(work.dir, "staging"),
    METRICS_TEXTFILE_DIR: textfile, METRICS_STATE_DIR: path.join(work.dir, "state", name),
    CRON_MINUTES: "0", CRON_HOURS: "2", CRON_DOM: "1", CRON_MONTHS: "1", CRON_DOW: "0",
  });
  for (const name of ["main-db-backup", "cache-backup"]) {
    for (const mode of ["backup", "verify"]) {
      // The scheduler's start stamp (what "never succeeded" is measured from); it then sleeps to the next minute.
      const scheduler = spawn("bash", [SCHEDULER], { env: jobEnv(name, mode), stdio: "ignore" });
      children.push(scheduler);
      await until("scheduler start", () => (fs.existsSync(path.join(textfile, `backup_${name}_${mode}_scheduler.prom`)) ? true : undefined));
      scheduler.kill("SIGTERM");
      run("bash", [BACKUP_SCRIPT_PATH, mode], { env: jobEnv(name, mode) });
    }
  }
  exposition = await nodeExporter(textfile, ["textfile"]);
  scrapedAt = Math.floor(Date.now() / 1000);

  // A failed run: the data store is gone when the next dump starts.
  run("kill", [String(redisPid)]);
  await until("redis stopped", () => (fs.existsSync(`/proc/${redisPid}`) ? undefined : true));
  redisPid = 0;
  expect(() => run("bash", [BACKUP_SCRIPT_PATH, "backup"], { env: jobEnv("cache-backup", "backup") })).toThrow();
  failedExposition = await nodeExporter(textfile, ["textfile"]);
}, 180_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  if (redisPid) spawn("kill", [String(redisPid)]);
  work?.cleanup();
});

/**
 * promtool input series for scraped samples. promtool's clock starts at 0, so timestamp values are rebased:
 * the scrape happened `startSeconds` into the test. Labels Prometheus adds for the dev stack's node job.
 */
function series(samples: Sample[], startSeconds: number, steps: number): PromtoolTestGroup["input_series"] {
  return samples.map((s) => {
    const labels = { ...s.labels, job: "node", instance: "node-exporter:9100" };
    const selector = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",");
    const value = s.name.endsWith("_timestamp_seconds") ? s.value - scrapedAt + startSeconds : s.value;
    return { series: `${s.name}{${selector}}`, values: `${value}x${steps}` };
  });
}

const ALERTS = ["BackupStale", "BackupJobFailed", "RestoreVerificationFailed"];
/** An alert of one backup set as promtool must report it: labels and the rule's (template-free) annotations. */
function backupAlert(alertname: string, backup: string) {
  const rule = (rules.groups as any[]).find((g) => g.name === `backup-${backup}`).rules.find((r: any) => r.alert === alertname);
  return { exp_labels: { backup, namespace: "platform-dev", severity: "warning", priority: "P2" }, exp_annotations: rule.annotations };
}
const silentAt = (eval_time: string) => ALERTS.map((alertname) => ({ eval_time, alertname, exp_alerts: [] }));

test("the real exporter serves what the real scripts wrote, for both dev backups and both modes", () => {
  const samples = backupSamples(exposition);
  for (const name of ["main-db-backup", "cache-backup"]) {
    for (const mode of ["backup", "verify"]) {
      const of = (metric: string) => samples.find((s) => s.name === metric && s.labels.backup === name && s.labels.mode === mode);
      expect(of("backup_last_success_timestamp_seconds")?.value).toBeGreaterThan(scrapedAt - 300);
      expect(of("backup_last_run_failed")?.value).toBe(0);
      expect(of("backup_scheduler_started_timestamp_seconds")?.value).toBeGreaterThan(scrapedAt - 300);
    }
  }
});

test("a healthy dev stack fires no backup alert", () => {
  // Scraped 10 minutes into the test; evaluated over the next hours, well inside every period.
  promtoolTestRules(rules, [{ interval: "5m", input_series: series(backupSamples(exposition), 600, 60), alert_rule_test: [...silentAt("30m"), ...silentAt("50m")] }], "1m");
});

test("the same results left to age make BackupStale fire for each backup set", () => {
  // No new success for 30 hours: the hourly Redis backup is stale after ~2 h, the daily dump after ~29 h.
  const input = series(backupSamples(exposition), 600, 12 * 31);
  const stale = (...names: string[]) => names.map((backup) => backupAlert("BackupStale", backup));
  const out = promtoolTestRules(rules, [{
    interval: "5m",
    input_series: input,
    alert_rule_test: [
      { eval_time: "50m", alertname: "BackupStale", exp_alerts: [] },
      { eval_time: "3h", alertname: "BackupStale", exp_alerts: stale("cache-backup") },
      { eval_time: "30h", alertname: "BackupStale", exp_alerts: stale("main-db-backup", "cache-backup") },
    ],
  }], "1m");
  expect(out).toContain("SUCCESS");
});

test("a real failed run makes BackupJobFailed fire for that backup only", () => {
  const input = series(backupSamples(failedExposition), 600, 60);
  promtoolTestRules(rules, [{
    interval: "5m",
    input_series: input,
    alert_rule_test: [
      { eval_time: "20m", alertname: "BackupJobFailed", exp_alerts: [backupAlert("BackupJobFailed", "cache-backup")] },
    ],
  }], "1m");
});

test("the host alert rules only read series the real node_exporter emits", async () => {
  const hostExposition = await nodeExporter(path.join(work.dir, "textfile"), ["cpu", "meminfo", "filesystem"]);
  const { recorder } = await buildStack("dev", {}, { secrets: DEV_SECRETS });
  const prom = unwrapSecrets(recorder.one("docker:index/container:Container", "alerting-prometheus").inputs);
  const nodeGroup = prom.uploads
    .filter((u: any) => u.file.startsWith("/etc/prometheus/rules/"))
    .flatMap((u: any) => parse(u.content).groups)
    .find((g: any) => g.name === "platform-node");
  const used = new Set<string>(nodeGroup.rules.flatMap((r: any) => [...(r.expr as string).matchAll(/\b(node_[A-Za-z_]+)/g)].map((m) => m[1])));
  expect([...used].sort()).toEqual(["node_cpu_seconds_total", "node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"]);
  for (const name of used) expect(hostExposition).toMatch(new RegExp(`^${name}[ {]`, "m"));
});
