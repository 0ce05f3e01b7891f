/**
 * The REAL backup script's MongoDB path (mongodump / mongorestore from mongo-tools 100.10.0) against a throwaway
 * MongoDB wire-protocol server (FerretDB v1, SQLite backend) and an S3-compatible server (s3rver), all on
 * 127.0.0.1: dump, upload, restore into another database, compare every document; verify; a corrupt object is
 * refused. No MongoDB server is packaged for Debian: `bash .ci/run` (scripts/build-mongo-tools.sh) builds both from
 * the Go module proxy into the tools cache.
 *
 * FerretDB v1 on SQLite accepts the PLAIN mechanism without checking the password, so the URL carries credentials
 * through the script's private config file exactly as in production, but authentication itself is not exercised.
 * FerretDB v1 has no Decimal128, so the documents use the other common BSON types (int32/int64, double, date,
 * string, bool, array, embedded document).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BACKUP_SCRIPT_PATH } from "../../../components/backup-job/script";
import { freePort, okAsync, runAsync, s3ClientEnv, startS3 } from "../../helpers/servers";
import { requireTool, tempDir } from "../../helpers/tools";

const TOOLS_BIN = process.env.PLATFORM_TOOLS_BIN ?? path.join(os.homedir(), ".cache", "platform-tools", "bin");
const FERRETDB = path.join(TOOLS_BIN, "ferretdb-v1.24.2", "ferretdb");
const MONGO_TOOLS = path.join(TOOLS_BIN, "mongo-tools-100.10.0");
const BUCKET = "backups";
const SECRET = "itest-mongo-password";

function requireBuilt(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing; build it with: bash scripts/build-mongo-tools.sh (.ci/run does)`);
}

describe("backup.sh (ENGINE=mongodb) against FerretDB and an S3-compatible server", () => {
  let work: { dir: string; cleanup: () => void };
  let ferret: ChildProcess | undefined;
  let s3: { endpoint: string; close: () => Promise<void> } | undefined;
  let port = 0;
  let baseEnv: NodeJS.ProcessEnv = {};

  const uri = (db: string) => `mongodb://app:${SECRET}@127.0.0.1:${port}/${db}?authMechanism=PLAIN&authSource=$external`;
  const tool = (name: string, args: string[]) => okAsync(path.join(MONGO_TOOLS, name), args, baseEnv);
  /** Every document of a collection in canonical Extended JSON, sorted by _id. */
  const documents = async (db: string, collection: string) =>
    (await tool("mongoexport", [`--uri=mongodb://127.0.0.1:${port}/${db}`, `--collection=${collection}`, "--sort={\"_id\":1}", "--jsonFormat=canonical", "--quiet"]))
      .split("\n")
      .filter(Boolean);
  const script = (args: string[], env: NodeJS.ProcessEnv) => runAsync("bash", [BACKUP_SCRIPT_PATH, ...args], { ...baseEnv, ...env });

  beforeAll(async () => {
    requireBuilt(FERRETDB);
    for (const t of ["mongodump", "mongorestore", "mongoimport", "mongoexport"]) requireBuilt(path.join(MONGO_TOOLS, t));
    const aws = fs.existsSync("/usr/bin/aws") ? "/usr/bin/aws" : requireTool("aws", "awscli");
    work = tempDir("mongo-backup-itest");
    port = await freePort();
    const data = path.join(work.dir, "ferretdb");
    fs.mkdirSync(data);
    ferret = spawn(FERRETDB, ["-listen-addr", `127.0.0.1:${port}`, "-sqlite-url", `file:${data}/`], { stdio: "ignore" });
    s3 = await startS3(path.join(work.dir, "s3"), [BUCKET]);
    baseEnv = { PATH: `${MONGO_TOOLS}:${process.env.PATH}`, AWS_CLI: aws, ...s3ClientEnv(), STAGING_DIR: path.join(work.dir, "staging"), ENGINE: "mongodb" };
    // Wait for the listener (FerretDB starts in well under a second).
    for (let i = 0; ; i++) {
      const r = await runAsync(path.join(MONGO_TOOLS, "mongoexport"), [`--uri=mongodb://127.0.0.1:${port}/shop`, "--collection=none", "--quiet"], baseEnv);
      if (r.code === 0) break;
      if (i > 50) throw new Error(`FerretDB did not start: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    // Documents of several BSON types, in two collections.
    const orders = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ _id: i + 1, customer: `customer-${i % 37}`, amount: Math.round(i * 137) / 100, count: { $numberLong: String(i * 1000003) }, at: { $date: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() }, tags: ["a", `t${i % 5}`], nested: { n: i } }),
    );
    fs.writeFileSync(path.join(work.dir, "orders.json"), orders.join("\n") + "\n");
    fs.writeFileSync(path.join(work.dir, "customers.json"), Array.from({ length: 37 }, (_, i) => JSON.stringify({ _id: `customer-${i}`, vip: i % 2 === 0 })).join("\n") + "\n");
    await tool("mongoimport", [`--uri=mongodb://127.0.0.1:${port}/shop`, "--collection=orders", `--file=${path.join(work.dir, "orders.json")}`, "--quiet"]);
    await tool("mongoimport", [`--uri=mongodb://127.0.0.1:${port}/shop`, "--collection=customers", `--file=${path.join(work.dir, "customers.json")}`, "--quiet"]);
  }, 120_000);

  afterAll(async () => {
    if (ferret?.pid) ferret.kill("SIGTERM");
    if (s3) await s3.close();
    work?.cleanup();
  });

  test("backup to S3 and restore into a new database: every document is equal", async () => {
    const env = { MONGODB_URI: uri("shop"), MONGODB_DATABASE: "shop", BACKUP_DESTINATION: `s3://${BUCKET}/mongo`, S3_ENDPOINT_URL: s3!.endpoint };
    const backup = await script(["backup"], env);
    expect(backup.code).toBe(0);
    // The password never reaches the script's log, and no config file with it is left behind.
    expect(backup.stderr).not.toContain(SECRET);
    expect(fs.readdirSync(path.join(work.dir, "staging"))).toEqual([]);
    const listing = await okAsync(baseEnv.AWS_CLI!, ["--endpoint-url", s3!.endpoint, "s3", "ls", `s3://${BUCKET}/mongo/shop/`], baseEnv);
    const objects = listing.split("\n").map((l) => l.trim().split(/\s+/).pop()).filter(Boolean) as string[];
    const archive = objects.find((o) => o.endsWith(".archive.gz"));
    expect(archive).toMatch(/^shop-\d{8}T\d{6}Z\.archive\.gz$/);
    expect(objects).toContain(`${archive}.sha256`);

    const restore = await script(["restore", "latest", "shop_restored"], env);
    expect(restore.stderr).toContain("checksum OK");
    expect(restore.stderr).toContain("restored 537 document(s) into shop_restored");
    expect(restore.code).toBe(0);
    for (const collection of ["orders", "customers"]) {
      const original = await documents("shop", collection);
      expect(original.length).toBe(collection === "orders" ? 500 : 37);
      expect(await documents("shop_restored", collection)).toEqual(original);
    }
  });

  test("verify restores the newest backup into a scratch database and writes the verify metric", async () => {
    const metrics = path.join(work.dir, "textfile");
    const env = { MONGODB_URI: uri("shop"), MONGODB_DATABASE: "shop", BACKUP_DESTINATION: `file://${path.join(work.dir, "local")}`, METRICS_TEXTFILE_DIR: metrics };
    expect((await script(["backup"], env)).code).toBe(0);
    const r = await script(["verify"], env);
    expect(r.stderr).toContain("verified shop-");
    expect(r.stderr).toContain("537 document(s) restored into shop_verify");
    expect(r.code).toBe(0);
    expect(await documents("shop_verify", "customers")).toEqual(await documents("shop", "customers"));
    expect(fs.readFileSync(path.join(metrics, "backup_shop_verify.prom"), "utf8")).toMatch(/^backup_last_run_failed\{backup="shop",mode="verify"\} 0$/m);
    expect(fs.readFileSync(path.join(metrics, "backup_shop_backup.prom"), "utf8")).toMatch(/^backup_last_success_timestamp_seconds\{backup="shop",mode="backup"\} \d+$/m);
  });

  test("an empty database fails verification; a corrupt object is refused before mongorestore runs", async () => {
    const dest = `file://${path.join(work.dir, "empty")}`;
    const metrics = path.join(work.dir, "textfile-empty");
    const emptyEnv = { MONGODB_URI: uri("nothing"), MONGODB_DATABASE: "nothing", BACKUP_DESTINATION: dest, METRICS_TEXTFILE_DIR: metrics };
    expect((await script(["backup"], emptyEnv)).code).toBe(0);
    const empty = await script(["verify"], emptyEnv);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/has no documents|did not report a document count/);
    expect(fs.readFileSync(path.join(metrics, "backup_nothing_verify.prom"), "utf8")).toMatch(/^backup_last_run_failed\{backup="nothing",mode="verify"\} 1$/m);

    const localDir = path.join(work.dir, "corrupt");
    const env = { MONGODB_URI: uri("shop"), MONGODB_DATABASE: "shop", BACKUP_DESTINATION: `file://${localDir}` };
    expect((await script(["backup"], env)).code).toBe(0);
    const object = fs.readdirSync(path.join(localDir, "shop")).find((f) => f.endsWith(".archive.gz"))!;
    const file = path.join(localDir, "shop", object);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const r = await script(["restore", "latest", "shop_corrupt"], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`checksum mismatch for ${object}`);
    expect(r.stderr).not.toContain("mongorestore");
  });
});
