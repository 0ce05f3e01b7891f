import * as pulumi from "@pulumi/pulumi";
import { installMocks, Recorder, settle } from "../../helpers/mocks";
import { PROFILES } from "../../../stacks/profiles";
import type { SectionContext } from "../../../stacks/sections/types";
import type { Cloud, Environment, Target } from "../../../components/lib/platform";
import { buildBackups, dumpStagingSize, parse, planBackups } from "../../../stacks/sections/backups";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

function sctx(environment: Environment, target: Target, cloud: Cloud): SectionContext {
  return {
    root: {} as SectionContext["root"],
    profile: PROFILES[environment],
    secrets: {} as SectionContext["secrets"],
    platform: {
      project: "platform", environment, target, cloud, namespace: "apps", providers: {}, monitoringLabels: {}, tags: {},
      runbookBaseUrl: "https://example.com/runbooks/",
      dockerNetworks: target === "docker" ? { frontend: "fe", backend: "be" } : undefined,
    },
  };
}
const known = { main: "postgres", cache: "redis", docs: "mongodb" } as const;

describe("backups section", () => {
  test("defaults come from the profile: daily 02:00 dump 30 days in prod, hourly Redis 7 days, s3 on AWS", () => {
    const plan = planBackups(parse([{ name: "main", database: "main" }, { name: "cache", database: "cache" }]), sctx("prod", "kubernetes", "aws"), known);
    expect(plan[0].args).toMatchObject({ schedule: "0 2 * * *", retentionDays: 30, rpoMinutes: 60, rtoMinutes: 240, destination: { type: "s3" }, verify: { schedule: "0 4 1 * *" } });
    // ElastiCache: every 2 hours (20 manual snapshots per node a day at most), and that period is the honest RPO.
    expect(plan[1].args).toMatchObject({ schedule: "0 */2 * * *", retentionDays: 7, rpoMinutes: 120 });
    expect(planBackups(parse([{ name: "cache", database: "cache" }]), sctx("prod", "docker", "none"), known)[0].args).toMatchObject({ schedule: "0 * * * *", retentionDays: 7 });
  });

  test("dump scratch space follows the database's size (PostgreSQL storage, Redis memory) unless set", () => {
    const sizes = {
      main: dumpStagingSize({ engine: "postgres", args: { storageGb: 100, size: "large" } }),
      cache: dumpStagingSize({ engine: "redis", args: { size: "medium" } }),
    };
    expect(sizes).toEqual({ main: "100Gi", cache: "8Gi" });
    const ctx = sctx("prod", "kubernetes", "aws");
    const plan = planBackups(parse([{ name: "main", database: "main" }, { name: "main-copy", database: "main", stagingSize: "200Gi" }]), ctx, known, sizes);
    expect(plan.map((p) => p.args.stagingSize)).toEqual(["100Gi", "200Gi"]);
    // Redis dumps stage their RDB on Docker; ApsaraDB's restore check downloads its backup files.
    expect(planBackups(parse([{ name: "cache", database: "cache" }]), sctx("dev", "docker", "none"), known, sizes)[0].args.stagingSize).toBe("8Gi");
    pulumi.runtime.setAllConfig({ "alicloud:region": "cn-hangzhou" }, []);
    try {
      expect(planBackups(parse([{ name: "cache", database: "cache", stagingSize: "20Gi" }]), sctx("prod", "kubernetes", "alicloud"), known, sizes)[0].args.stagingSize).toBe("20Gi");
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
    // ElastiCache restore tests run in ElastiCache: no scratch space at all.
    expect(planBackups(parse([{ name: "cache", database: "cache" }]), ctx, known, sizes)[0].args.stagingSize).toBeUndefined();
    expect(() => planBackups(parse([{ name: "main", database: "main", stagingSize: "5Ti" }]), ctx, known, sizes))
      .toThrow(/platform:backups\[0\]\.stagingSize: must be a storage quantity like 20Gi, from 1Mi to 1Ti \(got "5Ti"\)/);
  });

  test("one AWS Backup plan per store, however many backup sets dump it: the store's own set carries it, else its first logical set", () => {
    const withLogical = { ...known, "main/orders": "postgres", "main/billing": "postgres" } as const;
    const ctx = sctx("prod", "kubernetes", "aws");
    const owners = (entries: Array<{ name: string; database: string }>) =>
      planBackups(parse(entries), ctx, withLogical).map((b) => [b.name, b.args.nativePlan?.enabled !== false]);
    expect(owners([
      { name: "orders", database: "main/orders" },
      { name: "main", database: "main" },
      { name: "billing", database: "main/billing" },
      { name: "main-hourly", database: "main" },
    ])).toEqual([["orders", false], ["main", true], ["billing", false], ["main-hourly", false]]);
    expect(owners([{ name: "orders", database: "main/orders" }, { name: "billing", database: "main/billing" }])).toEqual([["orders", true], ["billing", false]]);
    // Another store keeps its own (the component decides whether that engine gets a plan at all).
    expect(owners([{ name: "main", database: "main" }, { name: "docs", database: "docs" }])).toEqual([["main", true], ["docs", true]]);
  });

  test("a managed Redis takes native snapshots: dump-only keys are refused with the reason, all in one run", () => {
    const entry = {
      name: "cache", database: "cache", stagingSize: "20Gi", clientImage: "redis:7.4.1-bookworm", verifyQuery: "SELECT 1",
      destination: { type: "s3" as const, bucket: "acme-backups", lifecycleRule: true },
    };
    const run = () => planBackups(parse([entry]), sctx("prod", "kubernetes", "aws"), known);
    expect(run).toThrow(/platform:backups\[0\]\.destination: does not apply to a Redis on ElastiCache: it refuses the SYNC a dump needs, so this backup set takes native ElastiCache snapshots/);
    for (const key of ["verifyQuery", "stagingSize", "clientImage"]) expect(run).toThrow(new RegExp(`platform:backups\\[0\\]\\.${key}: does not apply to a Redis on ElastiCache`));
    // Without those keys it plans: the hourly profile schedule, 7 days, no bucket settings.
    const plan = planBackups(parse([{ name: "cache", database: "cache" }]), sctx("prod", "kubernetes", "aws"), known);
    expect(plan[0].args).toMatchObject({ schedule: "0 */2 * * *", retentionDays: 7, rpoMinutes: 120, destination: { type: "s3" } });
    // The daily limit is checked at plan time, naming the schedule.
    expect(() => planBackups(parse([{ name: "cache", database: "cache", schedule: "*/30 * * * *", rpoMinutes: 30 }]), sctx("prod", "kubernetes", "aws"), known))
      .toThrow(/platform:backups\[0\]\.schedule: takes 48 snapshots a day; ElastiCache allows at most 20 manual snapshots per node in any 24 hours/);
    // A set name too long for `<name>-YYYYMMDD-HHMMSS` in 40 characters.
    expect(() => planBackups(parse([{ name: "session-cache-snapshots-eu", database: "cache" }]), sctx("prod", "kubernetes", "aws"), known))
      .toThrow(/platform:backups\[0\]\.name: must start with a letter, hold no "--" and be at most 24 characters: ElastiCache snapshot names/);
    expect(plan[0].args.destination.endpointUrl).toBeUndefined();
    // Dumps stay dumps where the Redis is the stack's own container.
    expect(planBackups(parse([{ name: "cache", database: "cache", stagingSize: "1Gi" }]), sctx("dev", "docker", "none"), known)[0].args.stagingSize).toBe("1Gi");
  });

  test("ApsaraDB for Redis snapshots need alicloud:region (regional OpenAPI); the region reaches the job", async () => {
    expect(() => planBackups(parse([{ name: "cache", database: "cache" }]), sctx("prod", "kubernetes", "alicloud"), known))
      .toThrow(/platform:backups\[0\]\.database: is a Redis on ApsaraDB for Redis: its backups are taken through the regional R-kvstore API, so alicloud:region must be set \(got "cache"\)/);
    pulumi.runtime.setAllConfig({ "alicloud:region": "cn-shanghai" }, []);
    try {
      const ctx = sctx("prod", "kubernetes", "alicloud");
      const plan = planBackups(parse([{ name: "cache", database: "cache" }]), ctx, known);
      expect(plan[0].args.destination).toEqual({ type: "oss", bucket: undefined, prefix: undefined });
      const jobs = buildBackups(plan, ctx, {
        databases: {
          cache: {
            connection: { engine: "redis", host: pulumi.output("r-1.redis.rds.aliyuncs.com"), port: pulumi.output(6379), password: pulumi.secret("x"), tls: true },
            nativeBackup: {
              engine: "redis", target: "alicloud", retentionDays: 7, pointInTimeRecovery: false,
              redisSnapshot: { cloud: "alicloud", instanceId: pulumi.output("r-1"), shards: 2, clusterEdition: true },
            },
          },
        },
        identity: { cloud: "alicloud", providerArn: "acs:ram::1:oidc-provider/ack", issuerUrl: "https://oidc.local" },
      });
      await settle();
      expect(jobs.cache.settings.snapshot).toEqual({ cloud: "alicloud", shards: 2, scratchGroupId: "rt-cache", regionId: "cn-shanghai" });
    } finally {
      pulumi.runtime.setAllConfig({}, []);
    }
  });

  test("staging keeps 7 days; alicloud defaults to oss; docker to a local volume", () => {
    expect(planBackups(parse([{ name: "main", database: "main" }]), sctx("staging", "kubernetes", "aws"), known)[0].args.retentionDays).toBe(7);
    expect(planBackups(parse([{ name: "main", database: "main", destination: { type: "oss", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com" } }]),
      sctx("staging", "kubernetes", "alicloud"), known)[0].args.destination.type).toBe("oss");
    expect(planBackups(parse([{ name: "main", database: "main" }]), sctx("dev", "docker", "none"), known)[0].args.destination.type).toBe("local");
  });

  test.each([
    [[{ name: "main", database: "main", schedule: "0 2 * *" }], /platform:backups\[0\]\.schedule: must be a 5-field cron expression.*\(got "0 2 \* \*"\)/],
    [[{ name: "main", database: "main", retentionDays: 0 }], /platform:backups\[0\]\.retentionDays: must be a whole number of days from 1 to 3650 \(got 0\)/],
    [[{ name: "main", database: "main", rpoMinutes: 30, schedule: "0 2 * * *" }], /platform:backups\[0\]\.rpoMinutes: cannot be met.*\(got 30\)/],
    [[{ name: "main", database: "nope" }], /platform:backups\[0\]\.database: must name a database.*\(got "nope"\)/],
    [[{ name: "main", database: "main", destination: { type: "local" } }], /platform:backups\[0\]\.destination\.type: local is for the Docker target only/],
    [[{ name: "main", database: "main", verifySchedule: "0 4 32 * *" }], /platform:backups\[0\]\.verifySchedule: must be a 5-field cron expression.*\(got "0 4 32 \* \*"\)/],
    [[{ name: "main", database: "main", schedule: "*/2 * * * *" }], /platform:backups\[0\]\.schedule: must leave at least 5 minutes between runs/],
  ])("bad input %j is refused with its key path and registers nothing", async (raw, message) => {
    // Staging without PITR: only the daily dump counts towards the RPO.
    const ctx = sctx("staging", "kubernetes", "aws");
    ctx.profile = { ...ctx.profile, database: { ...ctx.profile.database, pointInTimeRecovery: false } };
    expect(() => planBackups(parse(raw), ctx, known)).toThrow(message);
    await settle();
    expect(rec.resources).toHaveLength(0);
  });

  test("s3 on docker without an endpoint is refused", () => {
    expect(() => planBackups(parse([{ name: "main", database: "main", destination: { type: "s3", bucket: "bkt" } }]), sctx("dev", "docker", "none"), known))
      .toThrow(/platform:backups\[0\]\.destination\.endpointUrl: is required for s3 on Docker/);
  });

  test("unknown keys are refused by the schema", () => {
    expect(() => parse([{ name: "main", database: "main", retention: 3 }])).toThrow(/platform:backups\[0\]/);
  });

  test("build registers one BackupJob per plan entry with the database's connection", async () => {
    const ctx = sctx("dev", "docker", "none");
    const plan = planBackups(parse([{ name: "main", database: "main" }]), ctx, known);
    const jobs = buildBackups(plan, ctx, {
      databases: {
        main: {
          connection: { engine: "postgres", host: pulumi.output("pg"), port: pulumi.output(5432), user: pulumi.output("app"), database: pulumi.output("app"), password: pulumi.secret("pw"), tls: false },
          nativeBackup: { engine: "postgres", target: "docker", retentionDays: 0, pointInTimeRecovery: false },
        },
      },
    });
    await settle();
    expect(Object.keys(jobs)).toEqual(["main"]);
    expect(rec.one("platform:backup:BackupJob", "main")).toBeDefined();
    expect(rec.byType("docker:index/container:Container")).toHaveLength(2);
  });
});

describe("backups section: retention on a named bucket is enforced or explicitly left to its owner", () => {
  const named = (destination: Record<string, unknown>) => parse([{ name: "main", database: "main", destination: { type: "s3", bucket: "acme-backups", ...destination } }]);
  const awsDeps = () => ({
    databases: {
      main: {
        connection: { engine: "postgres" as const, host: pulumi.output("pg"), port: pulumi.output(5432), user: pulumi.output("app"), database: pulumi.output("app"), password: pulumi.secret("pw"), tls: true },
        nativeBackup: { engine: "postgres" as const, target: "aws" as const, retentionDays: 7, pointInTimeRecovery: true, snapshotIntervalMinutes: 1440 },
      },
    },
    identity: { cloud: "aws" as const, providerArn: "arn:aws:iam::123456789012:oidc-provider/x", issuerUrl: "https://oidc.example.com" },
  });

  test("a named bucket without lifecycleRule is refused, saying what each choice does", () => {
    expect(() => planBackups(named({}), sctx("staging", "kubernetes", "aws"), known)).toThrow(
      /platform:backups\[0\]\.destination\.lifecycleRule: must be set with a named bucket: retentionDays \(7\) is otherwise not enforced\. true adds a lifecycle rule .* false leaves expiry to the bucket's owner \(got undefined\)/,
    );
  });

  test("lifecycleRule true adds an expiry rule for this backup set's prefix on the named bucket; false adds none", async () => {
    const ctx = sctx("staging", "kubernetes", "aws");
    buildBackups(planBackups(named({ lifecycleRule: true, prefix: "db" }), ctx, known), ctx, awsDeps());
    await settle();
    const rule = rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "main-bucket-lifecycle").inputs;
    expect(rule.bucket).toBe("acme-backups");
    expect(rule.rules).toEqual([expect.objectContaining({ filter: { prefix: "db/main/" }, expiration: { days: 7 }, status: "Enabled" })]);
    expect(rec.byType("aws:s3/bucket:Bucket")).toHaveLength(0);

    rec.clear();
    buildBackups(planBackups(named({ lifecycleRule: false }), ctx, known), ctx, awsDeps());
    await settle();
    expect(rec.byType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")).toHaveLength(0);
  });

  test.each([
    ["oss cannot get a rule added", parse([{ name: "main", database: "main", destination: { type: "oss", bucket: "acme", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com", lifecycleRule: true } }]), sctx("staging", "kubernetes", "alicloud"), /destination\.lifecycleRule: can add a rule only to an s3 bucket on cloud aws.* \(got true\)/],
    ["a created bucket always has its rule", parse([{ name: "main", database: "main", destination: { type: "s3", lifecycleRule: false } }]), sctx("staging", "kubernetes", "aws"), /destination\.lifecycleRule: only applies to a named bucket .* \(got false\)/],
  ])("%s", (_what, parsed, ctx, message) => {
    expect(() => planBackups(parsed, ctx, known)).toThrow(message);
  });
});
