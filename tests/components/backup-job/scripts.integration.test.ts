/**
 * Runs the REAL backup script against a throwaway PostgreSQL, a throwaway Redis and an S3-compatible server
 * (s3rver), all bound to 127.0.0.1 on free ports and stopped in afterAll even when a test fails.
 *
 * Commands that talk to s3rver run asynchronously: s3rver lives in this process, so a synchronous spawn would
 * block the event loop that has to answer the aws cli.
 */
import * as fs from "fs";
import * as path from "path";
import { requirePostgresTools, startPostgres, type ThrowawayPostgres } from "../../helpers/postgres";
import { freePort, okAsync as ok, runAsync, s3ClientEnv, startS3 } from "../../helpers/servers";
import { requireTool, run, tempDir } from "../../helpers/tools";
import { BACKUP_SCRIPT_PATH } from "../../../components/backup-job/script";

const BUCKET = "backups";
const PASSWORD = "itest-password";

describe("backup.sh against real PostgreSQL, Redis and an S3-compatible server", () => {
  let work: { dir: string; cleanup: () => void };
  let pg: ThrowawayPostgres | undefined;
  let s3: { endpoint: string; close: () => Promise<void> } | undefined;
  let s3Endpoint = "";
  let redisPort = 0;
  let redisPid = 0;
  let aws = "";
  let baseEnv: NodeJS.ProcessEnv = {};

  const psql = (db: string, sql: string) =>
    run("psql", ["--no-psqlrc", "-tA", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], { env: baseEnv }).trim();
  const script = (args: string[], env: NodeJS.ProcessEnv) => runAsync("bash", [BACKUP_SCRIPT_PATH, ...args], { ...baseEnv, ...env });

  beforeAll(async () => {
    requirePostgresTools([
      ["redis-server", "redis-server"],
      ["redis-cli", "redis-tools"],
      ["shellcheck", "shellcheck"],
      ["sha256sum", "coreutils"],
    ]);
    // The pyenv shim may point at a Python without awscli; prefer Debian's awscli.
    aws = fs.existsSync("/usr/bin/aws") ? "/usr/bin/aws" : requireTool("aws", "awscli");

    work = tempDir("backup-itest");
    pg = await startPostgres("backup-itest-pg", PASSWORD);
    s3 = await startS3(path.join(work.dir, "s3"), [BUCKET]);
    s3Endpoint = s3.endpoint;

    redisPort = await freePort();
    const redisDir = path.join(work.dir, "redis");
    fs.mkdirSync(redisDir);
    run("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", redisDir,
      "--pidfile", path.join(redisDir, "redis.pid"), "--save", "", "--appendonly", "no"]);
    for (let i = 0; i < 50 && !fs.existsSync(path.join(redisDir, "redis.pid")); i++) await new Promise((r) => setTimeout(r, 100));
    redisPid = Number(fs.readFileSync(path.join(redisDir, "redis.pid"), "utf8").trim());

    baseEnv = {
      ...pg.env,
      AWS_CLI: aws,
      ...s3ClientEnv(),
      STAGING_DIR: path.join(work.dir, "staging"),
    };

    psql("postgres", "CREATE DATABASE shop");
    psql("shop", `CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL);
      INSERT INTO orders (customer, amount, created_at)
        SELECT 'customer-' || g, (g * 1.37)::numeric(12,2), timestamptz '2026-01-01' + g * interval '1 minute' FROM generate_series(1, 5000) g;
      CREATE TABLE customers (name text PRIMARY KEY); INSERT INTO customers SELECT DISTINCT customer FROM orders;`);
  }, 120_000);

  afterAll(async () => {
    const errors: unknown[] = [];
    const attempt = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    };
    if (pg) await attempt(() => pg!.stop());
    if (s3) await attempt(() => s3!.close());
    if (redisPid) await attempt(() => process.kill(redisPid, "SIGTERM"));
    if (work) await attempt(() => work.cleanup());
    if (errors.length > 0) throw errors[0];
  });

  const contentChecksum = (db: string) =>
    psql(db, "SELECT count(*) || ':' || md5(string_agg(id || '|' || customer || '|' || amount || '|' || created_at, ',' ORDER BY id)) FROM orders");

  test("shellcheck finds nothing in the shipped script", () => {
    requireTool("shellcheck", "shellcheck");
    expect(run("shellcheck", ["--severity=style", BACKUP_SCRIPT_PATH])).toBe("");
  });

  test("backup to S3, restore into a new database: row counts and content checksum match", async () => {
    const env = { PGDATABASE: "shop", BACKUP_DESTINATION: `s3://${BUCKET}/pg`, S3_ENDPOINT_URL: s3Endpoint };
    await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });

    const listing = await ok(aws, ["--endpoint-url", s3Endpoint, "s3", "ls", `s3://${BUCKET}/pg/shop/`], baseEnv);
    const objects = listing.split("\n").map((l) => l.trim().split(/\s+/).pop()).filter(Boolean) as string[];
    const dump = objects.find((o) => o.endsWith(".dump"));
    expect(dump).toMatch(/^shop-\d{8}T\d{6}Z\.dump$/);
    expect(objects).toContain(`${dump}.sha256`);

    const r = await script(["restore", "latest", "shop_restored"], env);
    expect(r.stderr).toContain("checksum OK");
    expect(r.code).toBe(0);
    expect(psql("shop_restored", "SELECT count(*) FROM customers")).toBe(psql("shop", "SELECT count(*) FROM customers"));
    expect(contentChecksum("shop_restored")).toBe(contentChecksum("shop"));
    expect(contentChecksum("shop")).toMatch(/^5000:[0-9a-f]{32}$/);
  });

  test("a corrupted object is refused by the checksum step and nothing is restored", async () => {
    const env = { PGDATABASE: "shop", BACKUP_DESTINATION: `s3://${BUCKET}/corrupt`, S3_ENDPOINT_URL: s3Endpoint };
    await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
    const latest = (await ok("bash", [BACKUP_SCRIPT_PATH, "latest"], { ...baseEnv, ...env })).trim();
    // Flip bytes in the stored object and upload it over the original.
    const local = path.join(work.dir, "tampered.dump");
    await ok(aws, ["--endpoint-url", s3Endpoint, "s3", "cp", `s3://${BUCKET}/corrupt/shop/${latest}`, local], baseEnv);
    const bytes = fs.readFileSync(local);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(local, bytes);
    await ok(aws, ["--endpoint-url", s3Endpoint, "s3", "cp", local, `s3://${BUCKET}/corrupt/shop/${latest}`], baseEnv);

    const r = await script(["restore", "latest", "shop_corrupt"], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`checksum mismatch for ${latest}`);
    expect(psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop_corrupt'")).toBe("0");
  });

  test("verify restores the newest backup into a scratch database, runs VERIFY_QUERY and writes metrics", async () => {
    const metrics = path.join(work.dir, "textfile");
    const env = { PGDATABASE: "shop", BACKUP_DESTINATION: `s3://${BUCKET}/verify`, S3_ENDPOINT_URL: s3Endpoint, METRICS_TEXTFILE_DIR: metrics };
    await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
    const good = await script(["verify"], { ...env, VERIFY_QUERY: "SELECT count(*) FROM orders WHERE amount > 0" });
    expect(good.stderr).toContain("VERIFY_QUERY returned 5000");
    expect(good.code).toBe(0);
    expect(psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop_verify'")).toBe("0");
    const verifyProm = fs.readFileSync(path.join(metrics, "backup_shop_verify.prom"), "utf8");
    expect(verifyProm).toMatch(/^backup_last_success_timestamp_seconds\{backup="shop",mode="verify"\} \d+$/m);
    expect(verifyProm).toMatch(/^backup_last_run_failed\{backup="shop",mode="verify"\} 0$/m);
    expect(fs.readFileSync(path.join(metrics, "backup_shop_backup.prom"), "utf8")).toMatch(/mode="backup"\} \d+$/m);

    const bad = await script(["verify"], { ...env, VERIFY_QUERY: "SELECT count(*) FROM orders WHERE amount < 0" });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("VERIFY_QUERY returned '0'");
    const failedProm = fs.readFileSync(path.join(metrics, "backup_shop_verify.prom"), "utf8");
    expect(failedProm).toMatch(/^backup_last_run_failed\{backup="shop",mode="verify"\} 1$/m);
    // The last success survives a failed run, so staleness alerts keep counting from the real last success.
    expect(failedProm).toMatch(/^backup_last_success_timestamp_seconds\{backup="shop",mode="verify"\} \d+$/m);
  });

  test("a failing dump exits non-zero and leaves no partial object at the destination", async () => {
    const dest = path.join(work.dir, "broken");
    const r = await script(["backup"], { PGDATABASE: "does_not_exist", BACKUP_DESTINATION: `file://${dest}` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("does_not_exist");
    expect(fs.existsSync(path.join(dest, "does_not_exist"))).toBe(false);
  });

  test("local retention keeps exactly the newest N backups with their checksums", async () => {
    const dest = path.join(work.dir, "local");
    const env = { PGDATABASE: "shop", BACKUP_DESTINATION: `file://${dest}`, RETENTION_COUNT: "2" };
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1100)); // object names carry a one-second timestamp
      await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
      made.push((await ok("bash", [BACKUP_SCRIPT_PATH, "latest"], { ...baseEnv, ...env })).trim());
    }
    expect(new Set(made).size).toBe(4);
    const left = fs.readdirSync(path.join(dest, "shop")).sort();
    expect(left).toEqual([made[2], `${made[2]}.sha256`, made[3], `${made[3]}.sha256`].sort());
  });

  test("local retention by age removes backups older than RETENTION_DAYS", async () => {
    const dest = path.join(work.dir, "aged");
    const env = { PGDATABASE: "shop", BACKUP_DESTINATION: `file://${dest}`, RETENTION_DAYS: "7" };
    await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
    const old = (await ok("bash", [BACKUP_SCRIPT_PATH, "latest"], { ...baseEnv, ...env })).trim();
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    fs.utimesSync(path.join(dest, "shop", old), tenDaysAgo, tenDaysAgo);
    await new Promise((r) => setTimeout(r, 1100));
    await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
    const left = fs.readdirSync(path.join(dest, "shop"));
    expect(left).not.toContain(old);
    expect(left.filter((f) => f.endsWith(".dump"))).toHaveLength(1);
  });

  test("Redis: an RDB snapshot is gzipped, checksummed and verifies", async () => {
    run("redis-cli", ["-h", "127.0.0.1", "-p", String(redisPort), "SET", "greeting", "hello"]);
    const dest = path.join(work.dir, "redis-backups");
    const env = { ENGINE: "redis", REDIS_HOST: "127.0.0.1", REDIS_PORT: String(redisPort), BACKUP_DESTINATION: `file://${dest}` };
    await ok("bash", [BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
    const files = fs.readdirSync(path.join(dest, "redis"));
    const rdb = files.find((f) => f.endsWith(".rdb.gz"))!;
    expect(rdb).toMatch(/^redis-\d{8}T\d{6}Z\.rdb\.gz$/);
    expect(files).toContain(`${rdb}.sha256`);
    const r = await script(["verify"], env);
    expect(r.stderr).toContain("RDB header present");
    expect(r.code).toBe(0);
  });
});
