import { MonitoredDatabase, type MonitoredDatabaseArgs } from "../../../components/monitored-database";
import type { Environment } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { platformContext, profileArgs, providerOutputs } from "./fixtures";

/** TimescaleDB where the target can load it (ApsaraDB RDS PostgreSQL, the Timescale image), and a clear error on RDS. */
let rec: Recorder;
beforeAll(() => {
  rec = installMocks({ outputs: providerOutputs });
});
beforeEach(() => rec.clear());

function build(env: Environment, target: "aws" | "alicloud" | "docker", extra: Partial<MonitoredDatabaseArgs>) {
  return new MonitoredDatabase("metrics", { ...profileArgs(env, "postgres", target), ...extra }, platformContext(env, target === "docker" ? "none" : target));
}

function problems(env: Environment, target: "aws" | "alicloud" | "docker", extra: Partial<MonitoredDatabaseArgs>): string {
  try {
    build(env, target, extra);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).problems.join("\n");
  }
  throw new Error("expected a ValidationError");
}

describe("TimescaleDB", () => {
  test("docker: the pinned Timescale image for the major, timescaledb preloaded, the same hardened container", async () => {
    build("dev", "docker", { version: "16", extensions: ["timescaledb"], parameters: { shared_preload_libraries: "pg_stat_statements" } });
    await settle();
    expect(rec.one("docker:index/remoteImage:RemoteImage", "metrics-image").inputs.name).toBe("timescale/timescaledb:2.17.2-pg16");
    const c = unwrapSecrets(rec.one("docker:index/container:Container", "metrics-container").inputs);
    expect(c.command).toEqual(["postgres", "-c", "shared_preload_libraries=pg_stat_statements,timescaledb"]);
    expect(c).toMatchObject({ user: "70:70", readOnly: true });
  });

  test("alicloud: timescaledb joins shared_preload_libraries of the ApsaraDB instance", async () => {
    const db = build("staging", "alicloud", { extensions: ["timescaledb"] });
    await settle();
    expect(rec.one("alicloud:rds/instance:Instance", "metrics-instance").inputs.parameters).toEqual([{ name: "shared_preload_libraries", value: "timescaledb" }]);
    expect(db.settings.extensions).toEqual(["timescaledb"]);
  });

  test("without the extension nothing changes (plain postgres image, no preload parameter)", async () => {
    build("dev", "docker", {});
    await settle();
    expect(rec.one("docker:index/remoteImage:RemoteImage", "metrics-image").inputs.name).toBe("postgres:16.4-alpine");
    expect(unwrapSecrets(rec.one("docker:index/container:Container", "metrics-container").inputs).command).toEqual(["postgres"]);
  });

  test.each([
    ["aws", "prod", { extensions: ["timescaledb"] }, "extensions[0]: is not available on RDS for PostgreSQL (RDS cannot load timescaledb)"],
    ["aws", "prod", { parameters: { shared_preload_libraries: "pg_stat_statements,timescaledb" } }, "parameters.shared_preload_libraries: names timescaledb, which RDS for PostgreSQL cannot load; allowed: auto_explain"],
    ["aws", "prod", { parameters: { shared_preload_libraries: "pg_stat_statements,pg_cron" } }, undefined],
    ["docker", "dev", { version: "13", extensions: ["timescaledb"] }, "version: must be a PostgreSQL major 14, 15, 16, 17 with timescaledb 2.17.2 on docker"],
    ["docker", "dev", { extensions: ["postgis"] }, 'extensions[0]: must be one of timescaledb (got "postgis")'],
  ] as const)("%s %s %j", async (target, env, extra, message) => {
    if (message === undefined) {
      build(env, target, extra as Partial<MonitoredDatabaseArgs>);
      await settle();
      expect(rec.byType("aws:rds/parameterGroup:ParameterGroup")).toHaveLength(1);
      return;
    }
    expect(problems(env, target, extra as Partial<MonitoredDatabaseArgs>)).toContain(message);
    expect(rec.resources).toEqual([]);
  });

  test("extensions are refused for other engines", () => {
    expect(() => new MonitoredDatabase("c", { ...profileArgs("dev", "redis", "docker"), extensions: ["timescaledb"] }, platformContext("dev", "none"))).toThrow(/extensions: are PostgreSQL extensions; redis has none/);
  });
});
