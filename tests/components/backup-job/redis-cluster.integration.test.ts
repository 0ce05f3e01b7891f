/**
 * Runs the REAL backup script (ENGINE=redis, REDIS_CLUSTER=1) against a real Redis Cluster on 127.0.0.1: three
 * primaries and three replicas (Debian redis-server, cluster mode, password auth), half of the nodes announcing a
 * hostname as ElastiCache does. Every server is started here and stopped in afterAll by its pid.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "../../helpers/servers";
import { requireTool, run, tempDir } from "../../helpers/tools";
import { BACKUP_SCRIPT_PATH } from "../../../components/backup-job/script";

const PASSWORD = "itest-cluster-password";
const KEYS = 3000;
const NODES = 6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("backup.sh dumps every shard of a real Redis Cluster", () => {
  let work: { dir: string; cleanup: () => void };
  const ports: number[] = [];
  const pids = new Map<number, number>();
  /** Nodes that announce the hostname `localhost` (CLUSTER NODES then shows `ip:port@bus,localhost`). */
  const hostnamed = new Set<number>();
  const auth = { REDISCLI_AUTH: PASSWORD };

  const cli = (port: number, ...args: string[]) => run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { env: auth }).trim();
  const script = (args: string[], env: NodeJS.ProcessEnv) => {
    const r = spawnSync("bash", [BACKUP_SCRIPT_PATH, ...args], { encoding: "utf8", env: { ...process.env, ...auth, ...env } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const clusterEnv = (name: string, endpoint = ports[0]) => ({
    ENGINE: "redis",
    REDIS_CLUSTER: "1",
    REDIS_HOST: "127.0.0.1",
    REDIS_PORT: String(endpoint),
    BACKUP_NAME: name,
    BACKUP_DESTINATION: `file://${path.join(work.dir, "backups")}`,
    STAGING_DIR: path.join(work.dir, "staging"),
    METRICS_TEXTFILE_DIR: path.join(work.dir, `metrics-${name}`),
  });
  const objects = (name: string) => {
    const dir = path.join(work.dir, "backups", name);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".cluster.tar")) : [];
  };
  const metric = (name: string) => {
    const file = path.join(work.dir, `metrics-${name}`, `backup_${name}_backup.prom`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  };
  const startServer = (dir: string, args: string[]): number => {
    fs.mkdirSync(dir, { recursive: true });
    const pidfile = path.join(dir, "redis.pid");
    run("redis-server", ["--bind", "127.0.0.1", "--dir", dir, "--pidfile", pidfile, "--daemonize", "yes", "--save", "", "--appendonly", "no", ...args]);
    for (let i = 0; i < 100 && !fs.existsSync(pidfile); i++) run("sleep", ["0.05"]);
    return Number(fs.readFileSync(pidfile, "utf8").trim());
  };
  const stop = (port: number) => {
    const pid = pids.get(port);
    if (pid) {
      pids.delete(port);
      process.kill(pid, "SIGTERM");
    }
  };

  beforeAll(async () => {
    requireTool("redis-server", "redis-server");
    requireTool("redis-cli", "redis-tools");
    requireTool("tar", "tar");
    work = tempDir("redis-cluster-itest");
    for (let i = 0; i < NODES; i++) ports.push(await freePort());
    ports.forEach((port, i) => {
      if (i % 2 === 1) hostnamed.add(port);
      const pid = startServer(path.join(work.dir, `node-${port}`), [
        "--port", String(port), "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        // Long enough that a stopped node is not failed over during a test: the backup must notice it itself.
        "--cluster-node-timeout", "60000",
        "--requirepass", PASSWORD, "--masterauth", PASSWORD,
        "--repl-diskless-sync-delay", "0",
        ...(hostnamed.has(port) ? ["--cluster-announce-hostname", "localhost"] : []),
      ]);
      pids.set(port, pid);
    });
    run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"], { env: auth });
    // Ready when every node sees cluster_state:ok, three primaries with slots and three replicas whose link is up.
    for (let i = 0; ; i++) {
      const ready = ports.every((p) => {
        const nodes = cli(p, "CLUSTER", "NODES").split("\n");
        return cli(p, "CLUSTER", "INFO").includes("cluster_state:ok")
          && nodes.filter((l) => / master /.test(l.replace("myself,", "")) && /\d+-\d+$/.test(l)).length === 3
          && nodes.filter((l) => /slave/.test(l)).length === 3;
      }) && ports.filter((p) => cli(p, "INFO", "replication").includes("master_link_status:up")).length === 3;
      if (ready) break;
      if (i > 150) throw new Error("the test cluster did not become ready");
      await sleep(200);
    }
    const writes = Array.from({ length: KEYS }, (_, i) => `SET key:${i} value-${i}`).join("\n") + "\n";
    run("redis-cli", ["-c", "-h", "127.0.0.1", "-p", String(ports[0])], { env: auth, input: writes });
    // Written through the cluster: every key once on its primary and once on that primary's replica.
    let total = 0;
    for (let i = 0; i < 100; i++) {
      total = ports.map((p) => Number(cli(p, "DBSIZE"))).reduce((a, b) => a + b, 0);
      if (total === 2 * KEYS) break;
      await sleep(100);
    }
    expect(total).toBe(2 * KEYS);
  }, 120_000);

  afterAll(() => {
    for (const port of [...pids.keys()]) {
      try {
        stop(port);
      } catch {
        // already gone
      }
    }
    work?.cleanup();
  });

  test("backup stores every shard's RDB with a manifest, verify checks them, and the restored shards hold every key", async () => {
    const env = clusterEnv("sessions");
    const backup = script(["backup"], env);
    expect(backup.stderr).toContain("cluster backup holds 3 shard(s)");
    expect(backup.code).toBe(0);
    const [object] = objects("sessions");
    expect(object).toMatch(/^sessions-\d{8}T\d{6}Z\.cluster\.tar$/);
    expect(fs.existsSync(path.join(work.dir, "backups", "sessions", `${object}.sha256`))).toBe(true);
    // One success metric for the set.
    expect(metric("sessions")).toMatch(/^backup_last_success_timestamp_seconds\{backup="sessions",mode="backup"\} \d+$/m);
    expect(metric("sessions")).toContain('backup_last_run_failed{backup="sessions",mode="backup"} 0');

    const extracted = path.join(work.dir, "extracted");
    fs.mkdirSync(extracted);
    run("tar", ["-xf", path.join(work.dir, "backups", "sessions", object), "-C", extracted]);
    expect(fs.readdirSync(extracted).sort()).toEqual(["manifest.tsv", "shard-1.rdb.gz", "shard-2.rdb.gz", "shard-3.rdb.gz"]);
    const [header, ...rows] = fs.readFileSync(path.join(extracted, "manifest.tsv"), "utf8").trim().split("\n").map((l) => l.split("\t"));
    expect(header).toEqual(["shard", "primary_id", "source_id", "source", "role", "slots", "bytes", "sha256", "file"]);
    expect(rows).toHaveLength(3);
    const primaries = cli(ports[0], "CLUSTER", "NODES").split("\n").filter((l) => /master/.test(l)).map((l) => l.split(" ")[0]);
    expect(rows.map((r) => r[1]).sort()).toEqual([...primaries].sort());
    // Slot ranges in order and covering 0-16383; each read from the shard's replica, at the address it announces.
    expect(rows.map((r) => r[5])).toEqual(["0-5460", "5461-10922", "10923-16383"]);
    for (const [, , sourceId, source, role, , bytes, sha, file] of rows) {
      expect(role).toBe("replica");
      const port = Number(source.split(":").pop());
      expect(source).toBe(`${hostnamed.has(port) ? "localhost" : "127.0.0.1"}:${port}`);
      expect(cli(port, "CLUSTER", "MYID")).toBe(sourceId);
      const content = fs.readFileSync(path.join(extracted, file));
      expect(content.length).toBe(Number(bytes));
      expect(run("sha256sum", [path.join(extracted, file)]).split(" ")[0]).toBe(sha);
    }
    expect(new Set(rows.map((r) => r[3].replace(/^.*:/, ""))).size).toBe(3);

    const verify = script(["verify"], env);
    expect(verify.stderr).toContain(`verified ${object}: 3 shard(s), every RDB intact with its checksum, slots 0-16383 covered exactly`);
    expect(verify.code).toBe(0);

    // Restore each shard's RDB into a throwaway standalone redis-server and count its keys.
    let restored = 0;
    for (const [shard, , , , , , , , file] of rows) {
      const dir = path.join(work.dir, `restore-${shard}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "dump.rdb"), run("bash", ["-c", `gzip -dc "$1" | base64 -w0`, "_", path.join(extracted, file)]), "base64");
      const port = await freePort();
      const pid = startServer(dir, ["--port", String(port), "--dbfilename", "dump.rdb"]);
      try {
        let count = NaN;
        for (let i = 0; i < 100; i++) {
          const out = run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "DBSIZE"], { env: {} }).trim();
          if (/^\d+$/.test(out)) { count = Number(out); break; }
          run("sleep", ["0.05"]);
        }
        // Each shard holds about a third of the keys (CRC16 slots spread them evenly).
        expect(count).toBeGreaterThan(KEYS / 6);
        restored += count;
      } finally {
        process.kill(pid, "SIGTERM");
      }
    }
    expect(restored).toBe(KEYS);
  });

  test("verify refuses a backup whose shards do not cover every slot (a manifest row missing)", () => {
    const env = clusterEnv("gappy");
    const src = path.join(work.dir, "extracted");
    const dir = path.join(work.dir, "gappy");
    fs.mkdirSync(dir);
    for (const f of ["shard-1.rdb.gz", "shard-2.rdb.gz"]) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    const manifest = fs.readFileSync(path.join(src, "manifest.tsv"), "utf8").trim().split("\n").slice(0, 3).join("\n") + "\n";
    fs.writeFileSync(path.join(dir, "manifest.tsv"), manifest);
    const dest = path.join(work.dir, "backups", "gappy");
    fs.mkdirSync(dest, { recursive: true });
    const object = "gappy-20260101T000000Z.cluster.tar";
    run("tar", ["-cf", path.join(dest, object), "-C", dir, "manifest.tsv", "shard-1.rdb.gz", "shard-2.rdb.gz"]);
    run("bash", ["-c", `cd "$1" && sha256sum "$2" > "$2.sha256"`, "_", dest, object]);
    const verify = script(["verify"], env);
    expect(verify.code).not.toBe(0);
    expect(verify.stderr).toContain(`${object}: the shards' slots are not covered exactly: slots 10923-16383 are not served`);
    // And a shard that does not match its manifest checksum.
    fs.appendFileSync(path.join(dir, "shard-2.rdb.gz"), "x");
    run("tar", ["-cf", path.join(dest, object), "-C", src, "manifest.tsv", "shard-1.rdb.gz", "shard-3.rdb.gz", "-C", dir, "shard-2.rdb.gz"]);
    run("bash", ["-c", `cd "$1" && sha256sum "$2" > "$2.sha256"`, "_", dest, object]);
    const tampered = script(["verify"], env);
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toMatch(/shard 2 is \d+ bytes, the manifest says \d+/);
  });

  test("a primary that stops serving some slots makes the run refuse before dumping, with no success metric", () => {
    const primary = ports.find((p) => cli(p, "ROLE").startsWith("master") && cli(p, "CLUSTER", "NODES").includes("myself,master"))!;
    const mine = cli(primary, "CLUSTER", "NODES").split("\n").find((l) => l.includes("myself"))!;
    const [start] = mine.split(" ").pop()!.split("-").map(Number);
    cli(primary, "CLUSTER", "DELSLOTS", String(start + 10), String(start + 11));
    try {
      // Ask the node that stopped serving them: its view has the gap.
      const r = script(["backup"], clusterEnv("gap", primary));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/cluster_state 'fail'|slots \d+-\d+ are not served/);
      expect(r.stderr).not.toContain("redis-cli --rdb");
      expect(objects("gap")).toEqual([]);
      expect(metric("gap")).not.toContain("backup_last_success_timestamp_seconds{");
      expect(metric("gap")).toContain('backup_last_run_failed{backup="gap",mode="backup"} 1');
    } finally {
      cli(primary, "CLUSTER", "ADDSLOTS", String(start + 10), String(start + 11));
    }
  });

  test("a shard whose nodes are all down fails the run without a success metric; a stopped replica alone falls back to the primary", async () => {
    const nodes = cli(ports[0], "CLUSTER", "NODES").split("\n").map((l) => l.split(" "));
    const portOf = (fields: string[]) => Number(fields[1].split("@")[0].split(":").pop());
    const shard = nodes.find((f) => f[2].includes("master") && f[8] === "10923-16383")!;
    const replica = nodes.find((f) => f[3] === shard[0])!;
    expect(portOf(shard)).not.toBe(ports[0]);
    expect(portOf(replica)).not.toBe(ports[0]);

    stop(portOf(replica));
    const fallback = script(["backup"], clusterEnv("fallback"));
    expect(fallback.stderr).toMatch(/shard 3 \(slots 10923-16383\): dumped from primary/);
    expect(fallback.code).toBe(0);

    // A success from an earlier run must survive a failed run unchanged (the stale-backup alert reads it).
    const before = metric("fallback").match(/^backup_last_success_timestamp_seconds\{.*$/m)![0];
    stop(portOf(shard));
    await sleep(1100);
    const failed = script(["backup"], clusterEnv("fallback"));
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("shard 3 (slots 10923-16383, primary");
    expect(failed.stderr).toContain("no node of the shard could be dumped; refusing a backup without it");
    expect(objects("fallback")).toHaveLength(1);
    expect(metric("fallback")).toContain(before);
    expect(metric("fallback")).toContain('backup_last_run_failed{backup="fallback",mode="backup"} 1');
    expect(fs.readdirSync(path.join(work.dir, "staging"))).toEqual([]);
  });
});
