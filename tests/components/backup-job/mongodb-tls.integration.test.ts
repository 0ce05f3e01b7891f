/**
 * The REAL backup script's `MONGODB_CA_FILE` (DocumentDB's Amazon RDS CA bundle on AWS, see
 * components/monitored-database/mongodb/rds-ca.ts) with the real mongodump/mongorestore (mongo-tools 100.10.0): a
 * server whose certificate chains to a private CA, as DocumentDB's chains to the RDS CAs, is verified with the
 * mounted bundle, and refused with another bundle or with none (the system trust store does not know the CA).
 *
 * FerretDB v1 (SQLite backend) as built by scripts/build-mongo-tools.sh listens in plain TCP only, so a TLS
 * terminator in this process (node:tls, the test CA's server certificate for 127.0.0.1) sits in front of it on
 * 127.0.0.1; the handshake and the certificate check are the tools' own.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { BACKUP_SCRIPT_PATH } from "../../../components/backup-job/script";
import { freePort, okAsync, runAsync } from "../../helpers/servers";
import { tempDir } from "../../helpers/tools";

const TOOLS_BIN = process.env.PLATFORM_TOOLS_BIN ?? path.join(os.homedir(), ".cache", "platform-tools", "bin");
const FERRETDB = path.join(TOOLS_BIN, "ferretdb-v1.24.2", "ferretdb");
const MONGO_TOOLS = path.join(TOOLS_BIN, "mongo-tools-100.10.0");

function requireBuilt(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing; build it with: bash scripts/build-mongo-tools.sh (.ci/run does)`);
}

/** A self-signed CA, and (when `server`) a certificate for 127.0.0.1 it signs, written under `dir`. */
function makeCa(dir: string, name: string): { ca: string; key: string; cert: string } {
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name} test CA`, "-keyout", `${name}-ca.key`, "-out", `${name}-ca.pem`]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", `${name}-server.key`, "-out", `${name}-server.csr`]);
  fs.writeFileSync(path.join(dir, `${name}-ext.cnf`), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl(["x509", "-req", "-in", `${name}-server.csr`, "-CA", `${name}-ca.pem`, "-CAkey", `${name}-ca.key`, "-CAcreateserial", "-days", "2", "-extfile", `${name}-ext.cnf`, "-out", `${name}-server.pem`]);
  return { ca: path.join(dir, `${name}-ca.pem`), key: path.join(dir, `${name}-server.key`), cert: path.join(dir, `${name}-server.pem`) };
}

describe("backup.sh (ENGINE=mongodb) verifies the server with MONGODB_CA_FILE", () => {
  let work: { dir: string; cleanup: () => void };
  let ferret: ChildProcess | undefined;
  let terminator: tls.Server | undefined;
  let plainPort = 0;
  let tlsPort = 0;
  let trusted: ReturnType<typeof makeCa>;
  let other: ReturnType<typeof makeCa>;
  let baseEnv: NodeJS.ProcessEnv = {};

  const script = (args: string[], env: NodeJS.ProcessEnv) => runAsync("bash", [BACKUP_SCRIPT_PATH, ...args], { ...baseEnv, ...env });
  const tlsUri = (db: string) => `mongodb://app:itest@127.0.0.1:${tlsPort}/${db}?authMechanism=PLAIN&authSource=$external&tls=true`;

  beforeAll(async () => {
    requireBuilt(FERRETDB);
    for (const t of ["mongodump", "mongorestore", "mongoimport"]) requireBuilt(path.join(MONGO_TOOLS, t));
    work = tempDir("mongo-tls-itest");
    trusted = makeCa(work.dir, "trusted");
    other = makeCa(work.dir, "other");
    plainPort = await freePort();
    const data = path.join(work.dir, "ferretdb");
    fs.mkdirSync(data);
    ferret = spawn(FERRETDB, ["-listen-addr", `127.0.0.1:${plainPort}`, "-sqlite-url", `file:${data}/`], { stdio: "ignore" });
    terminator = tls.createServer({ key: fs.readFileSync(trusted.key), cert: fs.readFileSync(trusted.cert) }, (client) => {
      const upstream = net.connect(plainPort, "127.0.0.1");
      client.pipe(upstream).pipe(client);
      const close = () => (client.destroy(), upstream.destroy());
      client.on("error", close);
      upstream.on("error", close);
    });
    await new Promise<void>((resolve) => terminator!.listen(0, "127.0.0.1", resolve));
    tlsPort = (terminator.address() as net.AddressInfo).port;
    baseEnv = { PATH: `${MONGO_TOOLS}:${process.env.PATH}`, STAGING_DIR: path.join(work.dir, "staging"), ENGINE: "mongodb", HOME: work.dir };
    for (let i = 0; ; i++) {
      const r = await runAsync(path.join(MONGO_TOOLS, "mongoimport"), [`--uri=mongodb://127.0.0.1:${plainPort}/shop`, "--collection=none", "--file=/dev/null", "--quiet"], baseEnv);
      if (r.code === 0) break;
      if (i > 50) throw new Error(`FerretDB did not start: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    fs.writeFileSync(path.join(work.dir, "orders.json"), Array.from({ length: 20 }, (_, i) => JSON.stringify({ _id: i + 1, n: i })).join("\n") + "\n");
    await okAsync(path.join(MONGO_TOOLS, "mongoimport"), [`--uri=mongodb://127.0.0.1:${plainPort}/shop`, "--collection=orders", `--file=${path.join(work.dir, "orders.json")}`, "--quiet"], baseEnv);
  }, 120_000);

  afterAll(async () => {
    if (ferret?.pid) ferret.kill("SIGTERM");
    await new Promise<void>((resolve) => (terminator ? terminator.close(() => resolve()) : resolve()));
    work?.cleanup();
  });

  test("with the server's CA bundle: mongodump over TLS succeeds and mongorestore restores every document", async () => {
    const env = { MONGODB_URI: tlsUri("shop"), MONGODB_DATABASE: "shop", MONGODB_CA_FILE: trusted.ca, BACKUP_DESTINATION: `file://${path.join(work.dir, "good")}` };
    const backup = await script(["backup"], env);
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("mongodump shop") });
    const restore = await script(["restore", "latest", "shop_restored"], env);
    expect(restore.stderr).toContain("restored 20 document(s) into shop_restored");
    expect(restore.code).toBe(0);
  });

  test("with another CA's bundle, or none, the certificate is refused and nothing is stored", async () => {
    for (const [label, ca] of [["other CA", other.ca], ["system trust store", undefined]] as const) {
      const dest = path.join(work.dir, `bad-${label.replace(/ /g, "-")}`);
      // mongodump --quiet prints nothing on a failed server selection: the terminator sees the client abort the
      // handshake instead (the client, not the server, rejects the certificate).
      const aborted: string[] = [];
      const onError = (err: Error) => aborted.push(err.message);
      terminator!.on("tlsClientError", onError);
      const env = {
        MONGODB_URI: tlsUri("shop"),
        MONGODB_DATABASE: "shop",
        BACKUP_DESTINATION: `file://${dest}`,
        ...(ca ? { MONGODB_CA_FILE: ca } : {}),
      };
      // mongo-tools keep retrying server selection (serverSelectionTimeoutMS is not honoured): bound the run.
      const r = await runAsync("timeout", ["20", "bash", BACKUP_SCRIPT_PATH, "backup"], { ...baseEnv, ...env });
      terminator!.off("tlsClientError", onError);
      expect({ label, failed: r.code !== 0 }).toEqual({ label, failed: true });
      expect({ label, aborted: aborted.length > 0 }).toEqual({ label, aborted: true });
      // TLS alert 42 (bad certificate) / 48 (unknown CA): the client rejected the server's certificate.
      expect(aborted.join("\n")).toMatch(/bad certificate|unknown ca/i);
      expect(fs.existsSync(dest) ? fs.readdirSync(dest, { recursive: true }).filter((f) => String(f).endsWith(".archive.gz")) : []).toEqual([]);
    }
  });

  test("a MONGODB_CA_FILE that is not there fails before any tool runs", async () => {
    const r = await script(["backup"], { MONGODB_URI: tlsUri("shop"), MONGODB_DATABASE: "shop", MONGODB_CA_FILE: path.join(work.dir, "missing.pem"), BACKUP_DESTINATION: `file://${path.join(work.dir, "x")}` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`MONGODB_CA_FILE ${path.join(work.dir, "missing.pem")} is not a readable file`);
  });
});
