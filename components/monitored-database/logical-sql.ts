/**
 * Pure builders for the logical databases of a PostgreSQL instance: the environment variable that carries
 * each role's password and the idempotent provisioning script the admin user runs (a Kubernetes Job on
 * RDS, a one-shot container on Docker). Kept free of Pulumi so the integration tier can run the very same
 * script against a real PostgreSQL.
 */

export interface LogicalDatabase {
  name: string;
  user: string;
}

/** Env var holding the password of one logical database's role (the script reads it with psql `\getenv`). */
export function logicalPasswordEnv(db: LogicalDatabase): string {
  return `LOGICAL_${db.name.toUpperCase()}_PASSWORD`;
}

/**
 * SQL that creates (or updates) each role and database. Names are validated identifiers
 * (`[a-z][a-z0-9_]*`), quoted with %I anyway; passwords never appear in the script or on a command line:
 * psql reads them from the environment (`\getenv`, psql 15+) and sends them as a literal (`:'pw'`).
 *
 * Isolation: CONNECT on every managed database is revoked from PUBLIC and granted to its owner only, so
 * a service's role cannot open another service's database.
 */
export function logicalDatabasesSql(mainDatabase: string, databases: ReadonlyArray<LogicalDatabase>): string {
  const lines = [
    "\\set ON_ERROR_STOP on",
    // The main database stays the admin's: no logical role may connect to it.
    `REVOKE CONNECT ON DATABASE ${mainDatabase} FROM PUBLIC;`,
  ];
  for (const db of databases) {
    lines.push(
      `-- ${db.name} owned by ${db.user}`,
      `\\getenv pw ${logicalPasswordEnv(db)}`,
      `SELECT format('CREATE ROLE %I LOGIN', '${db.user}') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${db.user}') \\gexec`,
      // Every run resets the password to the generated one, so a rotated secret takes effect. (NOSUPERUSER is the
      // default and only a superuser may touch it; the RDS admin is none.)
      `ALTER ROLE ${db.user} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'pw';`,
      `\\unset pw`,
      // RDS's admin is not a superuser: it must be a member of a role to create a database owned by it.
      `SELECT format('GRANT %I TO CURRENT_USER', '${db.user}') WHERE NOT pg_has_role(current_user, '${db.user}', 'MEMBER') \\gexec`,
      `SELECT format('CREATE DATABASE %I OWNER %I', '${db.name}', '${db.user}') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${db.name}') \\gexec`,
      `ALTER DATABASE ${db.name} OWNER TO ${db.user};`,
      `REVOKE ALL ON DATABASE ${db.name} FROM PUBLIC;`,
      `GRANT CONNECT, TEMPORARY ON DATABASE ${db.name} TO ${db.user};`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * POSIX shell entry point: waits for the server (up to `waitSeconds`), then runs the SQL through psql.
 * Connection settings come from the standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
 * PGDATABASE, PGSSLMODE).
 */
export function logicalDatabasesScript(mainDatabase: string, databases: ReadonlyArray<LogicalDatabase>, waitSeconds = 300): string {
  return [
    "#!/bin/sh",
    "# Creates the logical databases and their owner roles; safe to run any number of times.",
    "set -eu",
    // Fail before touching the server when a password is missing (psql would keep a stale variable).
    ...databases.map((d) => `: "\${${logicalPasswordEnv(d)}:?missing the password of ${d.user}}"`),
    "waited=0",
    'until pg_isready -q; do',
    `  if [ "$waited" -ge ${waitSeconds} ]; then echo "PostgreSQL at $PGHOST:\${PGPORT:-5432} not ready after ${waitSeconds}s" >&2; exit 1; fi`,
    "  sleep 2",
    "  waited=$((waited + 2))",
    "done",
    "psql -X -q -v ON_ERROR_STOP=1 <<'SQL'",
    logicalDatabasesSql(mainDatabase, databases).trimEnd(),
    "SQL",
    `echo "logical databases ready: ${databases.map((d) => d.name).join(" ")}"`,
    "",
  ].join("\n");
}
