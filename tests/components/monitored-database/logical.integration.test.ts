/**
 * Runs the REAL logical-database provisioning script (the one the Kubernetes Job and the Docker one-shot
 * container run) against a throwaway PostgreSQL on 127.0.0.1, as a non-superuser admin with CREATEDB and
 * CREATEROLE like the RDS master user: it creates each database and role, is idempotent, rotates passwords,
 * and keeps each role out of the other databases. shellcheck checks the script.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { logicalDatabasesScript } from "../../../components/monitored-database";
import { PG_BIN, requirePostgresTools, startPostgres, type ThrowawayPostgres } from "../../helpers/postgres";
const SUPER_PASSWORD = "itest-super";
const ADMIN_PASSWORD = "itest-admin";
const DATABASES = [
  { name: "orders", user: "orders" },
  { name: "billing", user: "billing_svc" },
];

describe("logical databases script against a real PostgreSQL", () => {
  let pg: ThrowawayPostgres | undefined;
  let scriptFile = "";
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: `${PG_BIN}:${process.env.PATH}`,
    PGHOST: "127.0.0.1",
    PGPORT: String(pg!.port),
    PGSSLMODE: "disable",
    PGCONNECT_TIMEOUT: "5",
    ...extra,
  });
  const as = (user: string, password: string, db: string, sql: string) =>
    spawnSync("psql", ["--no-psqlrc", "-qtA", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], {
      encoding: "utf8",
      env: { ...process.env, ...env({ PGUSER: user, PGPASSWORD: password }) },
    });
  const provision = (passwords: Record<string, string>) =>
    spawnSync("sh", [scriptFile], {
      encoding: "utf8",
      env: {
        ...process.env,
        ...env({ PGUSER: "app", PGPASSWORD: ADMIN_PASSWORD, PGDATABASE: "app", ...passwords }),
      },
    });

  beforeAll(async () => {
    requirePostgresTools([["shellcheck", "shellcheck"]]);
    pg = await startPostgres("logical-itest", SUPER_PASSWORD);
    // The RDS master user: not a superuser, but CREATEDB and CREATEROLE, owner of the main database.
    const setup = as("postgres", SUPER_PASSWORD, "postgres", `CREATE ROLE app LOGIN CREATEDB CREATEROLE PASSWORD '${ADMIN_PASSWORD}'`);
    expect(setup.stderr).toBe("");
    expect(as("postgres", SUPER_PASSWORD, "postgres", "CREATE DATABASE app OWNER app").status).toBe(0);
    scriptFile = path.join(pg.dir, "provision.sh");
    fs.writeFileSync(scriptFile, logicalDatabasesScript("app", DATABASES, 20));
  }, 120000);

  afterAll(() => {
    pg?.stop();
  });

  test("shellcheck accepts the script", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", scriptFile], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("refuses to run when a password is missing, before touching the server", () => {
    const r = provision({ LOGICAL_ORDERS_PASSWORD: "o1" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("missing the password of billing_svc");
    expect(as("postgres", SUPER_PASSWORD, "postgres", "SELECT count(*) FROM pg_roles WHERE rolname IN ('orders', 'billing_svc')").stdout.trim()).toBe("0");
  });

  test("creates databases and roles, runs again without change, rotates passwords, isolates the databases", () => {
    const first = provision({ LOGICAL_ORDERS_PASSWORD: "orders-1", LOGICAL_BILLING_PASSWORD: "billing-1" });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("logical databases ready: orders billing");

    // Each role owns and uses its own database.
    expect(as("orders", "orders-1", "orders", "CREATE TABLE o (id int); INSERT INTO o VALUES (1); SELECT count(*) FROM o").stdout.trim()).toBe("1");
    expect(as("billing_svc", "billing-1", "billing", "SELECT current_user, current_database()").stdout.trim()).toBe("billing_svc|billing");
    expect(as("postgres", SUPER_PASSWORD, "postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'billing'").stdout.trim()).toBe("billing_svc");
    // ...and nobody else's.
    const cross = as("orders", "orders-1", "billing", "SELECT 1");
    expect(cross.status).not.toBe(0);
    expect(cross.stderr).toContain('permission denied for database "billing"');
    expect(as("billing_svc", "billing-1", "app", "SELECT 1").stderr).toContain('permission denied for database "app"');
    const roles = as("postgres", SUPER_PASSWORD, "postgres", "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname IN ('orders', 'billing_svc') ORDER BY 1");
    expect(roles.stdout.trim().split("\n")).toEqual(["billing_svc|f|f|f", "orders|f|f|f"]);

    // Idempotent: a second run with the same passwords changes nothing and keeps the data.
    const second = provision({ LOGICAL_ORDERS_PASSWORD: "orders-1", LOGICAL_BILLING_PASSWORD: "billing-1" });
    expect(second.stderr).toBe("");
    expect(second.status).toBe(0);
    expect(as("orders", "orders-1", "orders", "SELECT count(*) FROM o").stdout.trim()).toBe("1");

    // A rotated secret takes effect on the next run; the old password stops working.
    expect(provision({ LOGICAL_ORDERS_PASSWORD: "orders-2", LOGICAL_BILLING_PASSWORD: "billing-1" }).status).toBe(0);
    expect(as("orders", "orders-1", "orders", "SELECT 1").stderr).toContain("password authentication failed");
    expect(as("orders", "orders-2", "orders", "SELECT count(*) FROM o").stdout.trim()).toBe("1");
  });

  test("passwords never reach the server log as text", () => {
    const log = fs.readFileSync(pg!.serverLog, "utf8");
    expect(log).not.toContain("orders-2");
    expect(log).not.toContain("billing-1");
  });
});
