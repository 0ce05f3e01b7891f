import { parseRoot } from "../../../stacks/config";
import { profileFor } from "../../../stacks/profiles";
import { SecretConfig } from "../../../stacks/secrets";
import {
  buildDatabases,
  databaseConnections,
  databaseNames,
  databaseTarget,
  parseDatabases,
  planDatabases,
  schema,
} from "../../../stacks/sections/databases";
import type { SectionContext } from "../../../stacks/sections/types";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, settle, unwrapSecrets, type Recorder } from "../../helpers/mocks";
import { PLACEMENT, platformContext } from "../../components/monitored-database/fixtures";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

function sctx(environment: "dev" | "staging" | "prod", target: "docker" | "kubernetes", cloud: "aws" | "alicloud" | "none"): SectionContext {
  const root = parseRoot({ environment, target, cloud, runbookBaseUrl: "https://example.com/runbooks/" });
  const platform = platformContext(environment, cloud === "none" && target === "docker" ? "none" : cloud);
  return { root, platform: { ...platform, target, cloud }, profile: profileFor(environment), secrets: new SecretConfig("platform") };
}

const PG = { name: "main", engine: "postgres", version: "16.4" };
const REDIS = { name: "cache", engine: "redis", version: "7.4.1" };
/** Managed services have their own version catalogs (ElastiCache Redis OSS 7.1, ApsaraDB majors only). */
const REDIS_AWS = { ...REDIS, version: "7.1" };
const PG_MAJOR = { ...PG, version: "16" };

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("databases section: schema", () => {
  test("absent section means no databases", () => {
    expect(schema.parse(undefined)).toEqual([]);
    expect(planDatabases(parseDatabases(undefined), sctx("prod", "kubernetes", "aws"))).toEqual([]);
  });

  test("unknown engine and unknown keys are refused with the key path", () => {
    const msg = problemOf(() => parseDatabases([{ ...PG, engine: "mysql" }, { ...REDIS, replicas: 3 }]));
    expect(msg).toMatch(/platform:databases\[0\]\.engine: .*postgres.*redis.*\(got "mysql"\)/);
    expect(msg).toMatch(/platform:databases\[1\]/);
    expect(msg).toContain("replicas");
  });
});

describe("databases section: plan", () => {
  test("target follows the platform: docker target -> docker, otherwise the cloud", () => {
    expect(databaseTarget(sctx("dev", "docker", "none"))).toBe("docker");
    expect(databaseTarget(sctx("prod", "kubernetes", "aws"))).toBe("aws");
    expect(databaseTarget(sctx("prod", "kubernetes", "alicloud"))).toBe("alicloud");
  });

  test("kubernetes without a cloud is a clear error", () => {
    const msg = problemOf(() => planDatabases(parseDatabases([PG]), sctx("staging", "kubernetes", "none")));
    expect(msg).toContain('platform:databases: managed databases need platform:cloud aws or alicloud when platform:target is kubernetes (got cloud "none")');
  });

  test("prod defaults come from the profile: large, 100 GB, HA, 30 days, protected", () => {
    const [db, cache] = planDatabases(parseDatabases([PG, REDIS_AWS]), sctx("prod", "kubernetes", "aws"));
    expect(db.args).toMatchObject({ target: "aws", size: "large", storageGb: 100, highAvailability: true, backupRetentionDays: 30, deletionProtection: true, protect: true, pointInTimeRecovery: true });
    expect(cache.args).toMatchObject({ target: "aws", highAvailability: true, backupRetentionDays: 7 });
    expect(cache.args.storageGb).toBeUndefined();
  });

  test("staging defaults: small, single AZ, 7 days, unprotected", () => {
    const [db] = planDatabases(parseDatabases([PG]), sctx("staging", "kubernetes", "aws"));
    expect(db.args).toMatchObject({ size: "small", highAvailability: false, backupRetentionDays: 7, deletionProtection: false, protect: false });
  });

  test("alicloud raises a profile retention below its minimum, but an explicit one is validated", () => {
    const [db] = planDatabases(parseDatabases([PG_MAJOR]), sctx("dev", "kubernetes", "alicloud"));
    expect(db.args.backupRetentionDays).toBe(7);
    const msg = problemOf(() => planDatabases(parseDatabases([{ ...PG_MAJOR, backupRetentionDays: 3 }]), sctx("dev", "kubernetes", "alicloud")));
    expect(msg).toMatch(/platform:databases\[0\]\.backupRetentionDays: must be a whole number of days from 7 to 730 for postgres on alicloud \(got 3\)/);
  });

  test("explicit settings override the profile", () => {
    const [db] = planDatabases(
      parseDatabases([{ ...PG, size: "medium", storageGb: 50, highAvailability: false, backupRetentionDays: 14, backupWindow: "02:00-03:00", thresholds: { connectionsPercent: { warning: 70 } } }]),
      sctx("prod", "kubernetes", "aws"),
    );
    expect(db.args).toMatchObject({ size: "medium", storageGb: 50, highAvailability: false, backupRetentionDays: 14, backupWindow: "02:00-03:00" });
  });

  const bad: Array<[string, unknown, "dev" | "staging" | "prod", "docker" | "kubernetes", "aws" | "alicloud" | "none", RegExp]> = [
    ["storage below the RDS minimum", { ...PG, storageGb: 10 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.storageGb: must be a whole number of GB from 20 to 65536 for postgres on aws \(got 10\)/],
    ["RDS retention above 35", { ...PG, backupRetentionDays: 36 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.backupRetentionDays: .*0 to 35.*\(got 36\)/],
    ["HA on docker", { ...PG, highAvailability: true }, "dev", "docker", "none", /platform:databases\[0\]\.highAvailability: is not available on the docker target/],
    ["overlapping windows", { ...PG, backupWindow: "20:00-21:00" }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.backupWindow: must not overlap the maintenance window sun:20:00-sun:21:00/],
    ["warning worse than critical", { ...REDIS, thresholds: { memoryPercent: { warning: 96 } } }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.thresholds\.memoryPercent: warning \(96\) must be below critical \(95\)/],
    ["redis version not pinned for docker", { ...REDIS, version: "7" }, "dev", "docker", "none", /platform:databases\[0\]\.version: must be a full Redis version/],
    ["duplicate names", [PG, PG], "prod", "kubernetes", "aws", /platform:databases\[1\]\.name: duplicates platform:databases\[0\]\.name/],
    ["a version ElastiCache does not offer", { ...REDIS, version: "7.2" }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.version: is not offered for redis on aws; use one of 6\.0, 6\.2, 7\.0, 7\.1 \(got "7\.2"\)/],
    ["a minor version on ApsaraDB", { ...PG, version: "16.4" }, "prod", "kubernetes", "alicloud", /platform:databases\[0\]\.version: is not offered for postgres on alicloud.*major only/],
    ["an unknown RDS class", { ...PG, instanceClass: "db.q9.large" }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.instanceClass: must be an RDS class db\.<family>\.<size>.*\(got "db\.q9\.large"\)/],
    ["a class without Performance Insights in prod", { ...PG, instanceClass: "db.t4g.micro" }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.instanceClass: cannot run Performance Insights/],
    ["an instance class on docker", { ...PG, instanceClass: "db.r7g.large" }, "dev", "docker", "none", /platform:databases\[0\]\.instanceClass: is only used by managed targets/],
    ["too many read replicas", { ...PG, readReplicas: 16 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.readReplicas: must be a whole number from 0 to 15 for postgres on aws \(got 16\)/],
    ["read replicas on docker", { ...PG, readReplicas: 1 }, "dev", "docker", "none", /platform:databases\[0\]\.readReplicas: is not available on the docker target/],
    ["logical databases on redis", { ...REDIS_AWS, logicalDatabases: [{ name: "orders" }] }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.logicalDatabases: is only available for postgres/],
    ["a logical database reusing the admin user", { ...PG, logicalDatabases: [{ name: "orders", user: "app" }] }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.logicalDatabases\[0\]\.user: is the instance's admin user/],
    ["shared_buffers above 40% of the Docker memory limit", { ...PG, parameters: { shared_buffers: "1GB" } }, "dev", "docker", "none", /platform:databases\[0\]\.parameters\.shared_buffers: must be at most 40% of the 512MiB Docker memory limit of size small \(205MiB\).*\(got "1GB"\)/],
    ["shared_buffers above 40% of the RDS instance memory", { ...PG, size: "small", parameters: { shared_buffers: "2GB" } }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.parameters\.shared_buffers: must be at most 40% of the 4096MiB of instance class db\.t4g\.medium/],
    ["work_mem x max_connections above memory", { ...PG, parameters: { work_mem: "64MB" } }, "dev", "docker", "none", /platform:databases\[0\]\.parameters\.work_mem: work_mem x max_connections \(64MiB x 100 = 6400MiB\) must fit in the 512MiB Docker memory limit/],
    ["shared_buffers not a size", { ...PG, parameters: { shared_buffers: "lots" } }, "dev", "docker", "none", /platform:databases\[0\]\.parameters\.shared_buffers: must be a size like 128MB/],
    ["Redis maxmemory above 75% of the Docker memory limit", { ...REDIS, parameters: { maxmemory: "1gb" } }, "dev", "docker", "none", /platform:databases\[0\]\.parameters\.maxmemory: must be at most 75% of the 256MiB Docker memory limit of size small \(192MiB\); an RDB snapshot forks Redis/],
  ];
  test.each(bad)("%s fails in plan with the key path, registering nothing", async (_label, entry, env, target, cloud, message) => {
    const entries = Array.isArray(entry) ? entry : [entry];
    const msg = problemOf(() => planDatabases(parseDatabases(entries), sctx(env, target, cloud)));
    expect(msg).toMatch(message);
    await settle();
    expect(rec.resources).toEqual([]);
  });
});

test("parameters that fit the memory pass (the compliant side of the parameter checks)", () => {
  const plans = planDatabases(
    parseDatabases([
      { ...PG, parameters: { shared_buffers: "128MB", work_mem: "4MB", max_connections: 100 } },
      { ...REDIS, parameters: { maxmemory: "128mb" } },
    ]),
    sctx("dev", "docker", "none"),
  );
  expect(plans.map((p) => p.args.parameters)).toEqual([{ shared_buffers: "128MB", work_mem: "4MB", max_connections: 100 }, { maxmemory: "128mb" }]);
});

describe("databases section: instance classes and logical databases", () => {
  test("schema rejects unknown keys inside a logical database entry", () => {
    const msg = problemOf(() => parseDatabases([{ ...PG, logicalDatabases: [{ name: "orders", password: "x" }] }]));
    expect(msg).toMatch(/platform:databases\[0\]\.logicalDatabases\[0\]/);
    expect(msg).toContain("password");
  });

  test("both keys reach the component args; services may reference <database>/<logical>", () => {
    const plan = planDatabases(
      parseDatabases([{ ...PG, instanceClass: "db.r7g.2xlarge", logicalDatabases: [{ name: "orders" }, { name: "billing", user: "billing_svc" }] }, REDIS_AWS]),
      sctx("prod", "kubernetes", "aws"),
    );
    expect(planDatabases(parseDatabases([{ ...PG, readReplicas: 2 }]), sctx("prod", "kubernetes", "aws"))[0].args.readReplicas).toBe(2);
    expect(plan[0].args).toMatchObject({ instanceClass: "db.r7g.2xlarge", logicalDatabases: [{ name: "orders" }, { name: "billing", user: "billing_svc" }] });
    expect(databaseNames(plan)).toEqual(["main", "main/orders", "main/billing", "cache"]);
  });

  test("build: the RDS class is used as given and every logical connection is keyed <database>/<logical>", async () => {
    const ctx = sctx("prod", "kubernetes", "aws");
    const plan = planDatabases(parseDatabases([{ ...PG, instanceClass: "db.r7g.2xlarge", logicalDatabases: [{ name: "orders" }] }]), ctx);
    const built = buildDatabases(plan, ctx, { placement: PLACEMENT });
    await settle();
    expect(rec.one("aws:rds/instance:Instance", "main-instance").inputs.instanceClass).toBe("db.r7g.2xlarge");
    expect(Object.keys(databaseConnections(built))).toEqual(["main", "main/orders"]);
    expect(rec.one("kubernetes:batch/v1:Job", "main-provision-databases")).toBeDefined();
  });
});

describe("databases section: build", () => {
  test("managed targets need a placement: clear error, nothing registered", async () => {
    const plan = planDatabases(parseDatabases([PG]), sctx("prod", "kubernetes", "aws"));
    const msg = problemOf(() => buildDatabases(plan, sctx("prod", "kubernetes", "aws"), {}));
    expect(msg).toMatch(/platform:databases\[0\]: postgres on aws needs the network placement/);
    await settle();
    expect(rec.resources).toEqual([]);
  });

  test("builds one MonitoredDatabase per entry with placement and the database key", async () => {
    const ctx = sctx("prod", "kubernetes", "aws");
    const plan = planDatabases(parseDatabases([PG, REDIS_AWS]), ctx);
    const built = buildDatabases(plan, ctx, { placement: PLACEMENT, keys: { database: "arn:aws:kms:key/db" } });
    await settle();
    expect(Object.keys(built).sort()).toEqual(["cache", "main"]);
    const rds = unwrapSecrets(rec.one("aws:rds/instance:Instance", "main-instance").inputs);
    expect(rds).toMatchObject({ multiAz: true, deletionProtection: true, backupRetentionPeriod: 30, kmsKeyId: "arn:aws:kms:key/db" });
    expect(rec.one("aws:rds/instance:Instance", "main-instance").protect).toBe(true);
    expect(rec.one("aws:elasticache/replicationGroup:ReplicationGroup", "cache-replication-group").inputs.kmsKeyId).toBe("arn:aws:kms:key/db");
  });

  test("docker builds without a placement", async () => {
    const ctx = sctx("dev", "docker", "none");
    const built = buildDatabases(planDatabases(parseDatabases([PG, REDIS]), ctx), ctx);
    await settle();
    expect(built.main.settings.target).toBe("docker");
    expect(rec.byType("docker:index/container:Container").map((c) => c.name).sort()).toEqual(["cache-container", "cache-exporter", "main-container", "main-exporter"]);
  });
});

describe("databases section: MongoDB", () => {
  const MONGO = { name: "docs", engine: "mongodb", version: "5.0" };

  test("plan per target: prod DocumentDB gets HA with 3 members and 30 days; alicloud gets storage; docker 1 member", () => {
    const [aws] = planDatabases(parseDatabases([MONGO]), sctx("prod", "kubernetes", "aws"));
    expect(aws.args).toMatchObject({ engine: "mongodb", target: "aws", highAvailability: true, backupRetentionDays: 30, pointInTimeRecovery: true });
    expect(aws.args.storageGb).toBeUndefined();
    const [ali] = planDatabases(parseDatabases([{ ...MONGO, version: "7.0", members: 5 }]), sctx("staging", "kubernetes", "alicloud"));
    expect(ali.args).toMatchObject({ target: "alicloud", storageGb: 20, members: 5, backupRetentionDays: 7 });
    const [dev] = planDatabases(parseDatabases([{ ...MONGO, version: "7.0.14" }]), sctx("dev", "docker", "none"));
    expect(dev.args).toMatchObject({ target: "docker", highAvailability: false });
  });

  test("timescaledb reaches the component on alicloud and docker", () => {
    const [ali] = planDatabases(parseDatabases([{ ...PG_MAJOR, extensions: ["timescaledb"] }]), sctx("prod", "kubernetes", "alicloud"));
    expect(ali.args.extensions).toEqual(["timescaledb"]);
    const [dev] = planDatabases(parseDatabases([{ ...PG, version: "16", extensions: ["timescaledb"] }]), sctx("dev", "docker", "none"));
    expect(dev.args.extensions).toEqual(["timescaledb"]);
  });

  test("builds DocumentDB with one instance per member", async () => {
    const ctx = sctx("prod", "kubernetes", "aws");
    buildDatabases(planDatabases(parseDatabases([MONGO]), ctx), ctx, { placement: PLACEMENT, keys: { database: "arn:aws:kms:key/db" } });
    await settle();
    expect(rec.one("aws:docdb/cluster:Cluster", "docs-cluster").inputs).toMatchObject({ kmsKeyId: "arn:aws:kms:key/db", storageEncrypted: true });
    expect(rec.byType("aws:docdb/clusterInstance:ClusterInstance")).toHaveLength(3);
  });

  const bad: Array<[string, unknown, "dev" | "staging" | "prod", "docker" | "kubernetes", "aws" | "alicloud" | "none", RegExp]> = [
    ["a version DocumentDB does not offer", { ...MONGO, version: "7.0" }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.version: is not offered for mongodb on aws; use one of 4\.0, 5\.0, 8\.0 \(got "7\.0"\)/],
    ["members out of range on DocumentDB", { ...MONGO, members: 20 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.members: must be a whole number from 1 to 16 \(DocumentDB instances\) \(got 20\)/],
    ["an even replica set on ApsaraDB", { ...MONGO, version: "7.0", members: 2 }, "prod", "kubernetes", "alicloud", /platform:databases\[0\]\.members: must be 3, 5 or 7 .*\(got 2\)/],
    ["members on docker", { ...MONGO, version: "7.0.14", members: 3 }, "dev", "docker", "none", /platform:databases\[0\]\.members: must be 1 on docker/],
    ["members for postgres", { ...PG, members: 3 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.members: is only used by mongodb/],
    ["storage on DocumentDB", { ...MONGO, storageGb: 100 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.storageGb: is not used by mongodb on aws/],
    ["read replicas on mongodb", { ...MONGO, readReplicas: 1 }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.readReplicas: is only available for postgres/],
    ["timescaledb on RDS", { ...PG, extensions: ["timescaledb"] }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.extensions\[0\]: is not available on RDS for PostgreSQL \(RDS cannot load timescaledb\).*\(got "timescaledb"\)/],
    ["timescaledb preloaded on RDS", { ...PG, parameters: { shared_preload_libraries: "timescaledb" } }, "prod", "kubernetes", "aws", /platform:databases\[0\]\.parameters\.shared_preload_libraries: names timescaledb, which RDS for PostgreSQL cannot load/],
  ];
  test.each(bad)("%s fails in plan with the key path, registering nothing", async (_label, entry, env, target, cloud, message) => {
    const msg = problemOf(() => planDatabases(parseDatabases([entry]), sctx(env, target, cloud)));
    expect(msg).toMatch(message);
    await settle();
    expect(rec.resources).toEqual([]);
  });
});
