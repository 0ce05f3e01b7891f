import { MonitoredDatabase, PROVISIONER_IMAGE, logicalSecretName, type MonitoredDatabaseArgs } from "../../../components/monitored-database";
import { logicalDatabasesScript, logicalDatabasesSql } from "../../../components/monitored-database/logical-sql";
import type { Environment } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, isSecretValue, MOCK_SECRET_PREFIX, outputOf, plaintextStrings, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { platformContext, profileArgs, providerOutputs } from "./fixtures";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks({ outputs: providerOutputs });
});
beforeEach(() => rec.clear());

const LOGICAL = [{ name: "orders" }, { name: "billing", user: "billing_svc" }];

function build(env: Environment, target: "aws" | "alicloud" | "docker", extra: Partial<MonitoredDatabaseArgs> = {}) {
  const cloud = target === "docker" ? "none" : target;
  return new MonitoredDatabase("main", { ...profileArgs(env, "postgres", target), logicalDatabases: LOGICAL, ...extra }, platformContext(env, cloud));
}

function noPlaintextSecrets(): void {
  const leaks = rec.resources.flatMap((r) =>
    plaintextStrings(r.inputs)
      .filter((s) => s.value.includes(MOCK_SECRET_PREFIX))
      .map((s) => `${r.type} ${r.name} ${s.path}`),
  );
  expect(leaks).toEqual([]);
}

describe("logical databases: pure SQL", () => {
  const sql = logicalDatabasesSql("app", [{ name: "orders", user: "orders" }]);
  test("creates the role and database only when missing, resets the password, isolates CONNECT", () => {
    expect(sql).toContain("\\getenv pw LOGICAL_ORDERS_PASSWORD");
    expect(sql).toContain("WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orders') \\gexec");
    expect(sql).toContain("ALTER ROLE orders WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'pw';");
    expect(sql).toContain("WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'orders') \\gexec");
    expect(sql).toContain("REVOKE ALL ON DATABASE orders FROM PUBLIC;");
    expect(sql).toContain("REVOKE CONNECT ON DATABASE app FROM PUBLIC;");
    expect(sql).not.toMatch(/PASSWORD '/);
  });
  test("the script refuses to run without every password", () => {
    const script = logicalDatabasesScript("app", [{ name: "orders", user: "orders" }]);
    expect(script).toContain(': "${LOGICAL_ORDERS_PASSWORD:?missing the password of orders}"');
    expect(script.indexOf("LOGICAL_ORDERS_PASSWORD:?")).toBeLessThan(script.indexOf("pg_isready"));
  });
});

describe("logical databases on each target", () => {
  test("aws (kubernetes): a provisioning Job and one Secret per database, passwords only as secrets", async () => {
    const db = build("prod", "aws");
    await settle();
    noPlaintextSecrets();
    expect(rec.byType("random:index/randomPassword:RandomPassword").map((r) => r.name).sort()).toEqual(["main-billing-password", "main-orders-password", "main-password"]);
    const job = unwrapSecrets(rec.one("kubernetes:batch/v1:Job", "main-provision-databases").inputs);
    const pod = job.spec.template.spec;
    expect(pod.containers[0].image).toBe(PROVISIONER_IMAGE);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70 });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].command[2]).toContain("CREATE DATABASE %I OWNER %I', 'billing', 'billing_svc'");
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: "PGUSER", value: "app" }, { name: "PGSSLMODE", value: "require" }]));
    const secret = rec.one("kubernetes:core/v1:Secret", "main-provision-secret");
    expect(isSecretValue(secret.inputs.stringData)).toBe(true);
    expect(Object.keys(unwrapSecrets(secret.inputs.stringData)).sort()).toEqual(["LOGICAL_BILLING_PASSWORD", "LOGICAL_ORDERS_PASSWORD", "PGPASSWORD"]);
    // Deny by default: nothing in; out only DNS and PostgreSQL inside the VPC.
    const policy = rec.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "main-provision-databases").inputs;
    expect(policy.spec.podSelector.matchLabels).toEqual(
      Object.fromEntries(Object.entries(job.spec.template.metadata.labels as Record<string, string>).filter(([k]) => k in policy.spec.podSelector.matchLabels)),
    );
    expect(Object.keys(policy.spec.podSelector.matchLabels).length).toBeGreaterThan(0);
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress).toHaveLength(2);
    expect(policy.spec.egress[0].ports).toEqual([{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
    expect(policy.spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] });

    const orders = db.logicalConnections.orders;
    expect(await outputOf(orders.user!)).toBe("orders");
    expect(await outputOf(orders.database!)).toBe("orders");
    expect(await outputOf(orders.password)).toBe(`${MOCK_SECRET_PREFIX}main-orders-password`);
    expect(await outputOf(db.logicalConnections.billing.user!)).toBe("billing_svc");
    expect(await outputOf(orders.secretRef!.name)).toBe(logicalSecretName("main", "orders"));
    const credentials = unwrapSecrets(rec.one("kubernetes:core/v1:Secret", "main-orders-credentials").inputs);
    expect(credentials.metadata.name).toBe("main-db-orders");
    expect(credentials.stringData.url).toMatch(/^postgresql:\/\/orders:mock-secret-main-orders-password@.+\/orders\?sslmode=require$/);
  });

  test("alicloud: a Normal account per role owning its database (DBOwner), no Job", async () => {
    const db = build("prod", "alicloud");
    await settle();
    noPlaintextSecrets();
    const account = rec.one("alicloud:rds/account:Account", "main-billing-account").inputs;
    expect(unwrapSecrets(account)).toMatchObject({ accountName: "billing_svc", accountType: "Normal" });
    expect(isSecretValue(account.accountPassword)).toBe(true);
    expect(rec.one("alicloud:rds/database:Database", "main-billing-database").inputs).toMatchObject({ dataBaseName: "billing" });
    expect(rec.one("alicloud:rds/accountPrivilege:AccountPrivilege", "main-billing-privilege").inputs).toMatchObject({ privilege: "DBOwner" });
    expect(rec.byType("kubernetes:batch/v1:Job")).toEqual([]);
    expect(Object.keys(db.logicalConnections).sort()).toEqual(["billing", "orders"]);
  });

  test("docker: a one-shot hardened container on the backend network, after the database", async () => {
    const db = build("dev", "docker");
    await settle();
    noPlaintextSecrets();
    const c = rec.one("docker:index/container:Container", "main-provision");
    const i = unwrapSecrets(c.inputs);
    expect(isSecretValue(c.inputs.envs)).toBe(true);
    expect(i).toMatchObject({ attach: true, mustRun: false, restart: "no", readOnly: true, networkMode: "net-backend", user: "70:70" });
    expect(i.ports ?? []).toEqual([]);
    expect(i.envs).toEqual(expect.arrayContaining(["PGHOST=main-postgres", "PGSSLMODE=disable", "LOGICAL_ORDERS_PASSWORD=mock-secret-main-orders-password"]));
    expect(c.dependencies).toContain(rec.one("docker:index/container:Container", "main-container").urn);
    expect(db.logicalConnections.orders.secretRef).toBeUndefined();
  });

  test("no logical databases: nothing extra is registered", async () => {
    const db = new MonitoredDatabase("main", profileArgs("prod", "postgres", "aws"), platformContext("prod", "aws"));
    await settle();
    expect(db.logicalConnections).toEqual({});
    expect(rec.byType("kubernetes:batch/v1:Job")).toEqual([]);
  });
});

describe("logical databases: bad input", () => {
  function problems(args: Partial<MonitoredDatabaseArgs>, engine: "postgres" | "redis" = "postgres"): string {
    try {
      new MonitoredDatabase("main", { ...profileArgs("prod", engine, "aws"), ...args }, platformContext("prod", "aws"));
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as Error).message;
    }
    throw new Error("expected a ValidationError");
  }

  test("every problem at once, with key paths, nothing registered", async () => {
    const msg = problems({
      logicalDatabases: [{ name: "app" }, { name: "Orders" }, { name: "orders", user: "app" }, { name: "billing", user: "postgres" }, { name: "orders" }, { name: "template1" }],
    });
    expect(msg).toContain('logicalDatabases[0].name: is the instance\'s main database (databaseName); choose another (got "app")');
    expect(msg).toContain('logicalDatabases[1].name: must match [a-z][a-z0-9_]{0,30} (got "Orders")');
    expect(msg).toContain("logicalDatabases[2].user: is the instance's admin user (username); each database needs its own role (got \"app\")");
    expect(msg).toContain('logicalDatabases[3].user: is reserved by the providers');
    expect(msg).toContain('logicalDatabases[4].name: duplicates logicalDatabases[2].name (got "orders")');
    expect(msg).toContain('logicalDatabases[5].name: is reserved (postgres, template0, template1, rdsadmin) (got "template1")');
    await settle();
    expect(rec.resources).toEqual([]);
  });

  test("redis has no logical databases; more than 32 is refused", () => {
    expect(problems({ logicalDatabases: [{ name: "orders" }] }, "redis")).toContain("logicalDatabases: is only available for postgres");
    const many = Array.from({ length: 33 }, (_, i) => ({ name: `db${i}` }));
    expect(problems({ logicalDatabases: many })).toContain("logicalDatabases: must list at most 32 databases per instance");
  });
});
