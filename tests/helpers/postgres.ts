/**
 * A throwaway PostgreSQL for the integration tier: initdb into a temporary directory, listening on 127.0.0.1 on a
 * free port only (its socket in the same directory), the superuser `postgres` with a password (SCRAM over TCP).
 * initdb and postgres refuse to run as root, so as root they run as the `postgres` user. stop() stops this server
 * only (pg_ctl on its own data directory) and removes the directory.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "./servers";
import { requireTool, run, tempDir } from "./tools";

/** Debian's PostgreSQL 15 server binaries (initdb and pg_ctl are not on PATH). */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

const PG_TOOLS: Array<[string, string]> = [
  ["initdb", "postgresql-15"],
  ["pg_ctl", "postgresql-15"],
  ["psql", "postgresql-client-15"],
  ["pg_dump", "postgresql-client-15"],
  ["pg_restore", "postgresql-client-15"],
];

/** Fails loudly, naming the Debian package, when a PostgreSQL program (or one of `extra`) is missing. */
export function requirePostgresTools(extra: Array<[string, string]> = []): void {
  for (const [tool, pkg] of [...PG_TOOLS, ...extra]) {
    const found = spawnSync("bash", ["-c", `PATH='${PG_BIN}:${process.env.PATH}' command -v ${tool}`], { encoding: "utf8" });
    if (found.status !== 0) requireTool(tool, pkg);
  }
}

export interface ThrowawayPostgres {
  port: number;
  /** Working directory of the test (the data directory lives below it); removed by stop(). */
  dir: string;
  /** The server's log file (tests check that no secret reaches it). */
  serverLog: string;
  /** libpq environment for the superuser over TCP, with the server binaries on PATH. */
  env: NodeJS.ProcessEnv;
  stop: () => void;
}

const isRoot = process.getuid?.() === 0;
function asDbUser(cmd: string, args: string[]): string {
  return isRoot ? run("runuser", ["-u", "postgres", "--", cmd, ...args]) : run(cmd, args);
}

export async function startPostgres(prefix: string, superPassword: string): Promise<ThrowawayPostgres> {
  const work = tempDir(prefix);
  fs.chmodSync(work.dir, 0o755);
  const pgData = path.join(work.dir, "pgdata");
  const sockDir = path.join(work.dir, "sock");
  fs.mkdirSync(sockDir);
  const pwFile = path.join(work.dir, "pw");
  fs.writeFileSync(pwFile, superPassword);
  if (isRoot) {
    fs.mkdirSync(pgData);
    run("chown", ["postgres", sockDir, pwFile, pgData]);
  }
  const port = await freePort();
  let started = false;
  const stop = () => {
    try {
      if (started) asDbUser(`${PG_BIN}/pg_ctl`, ["-D", pgData, "-m", "fast", "-w", "stop"]);
    } finally {
      work.cleanup();
    }
  };
  try {
    asDbUser(`${PG_BIN}/initdb`, ["-D", pgData, "-U", "postgres", `--pwfile=${pwFile}`, "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8"]);
    asDbUser(`${PG_BIN}/pg_ctl`, ["-D", pgData, "-w", "-l", path.join(pgData, "server.log"), "-o", `-p ${port} -k ${sockDir} -c listen_addresses=127.0.0.1`, "start"]);
    started = true;
  } catch (e) {
    stop();
    throw e;
  }
  return {
    port,
    dir: work.dir,
    serverLog: path.join(pgData, "server.log"),
    env: { PATH: `${PG_BIN}:${process.env.PATH}`, PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: "postgres", PGPASSWORD: superPassword },
    stop,
  };
}
