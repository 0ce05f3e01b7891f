/**
 * `platform:backups[].copyTo`: a cross-region copy of the database's native backups (AWS Backup copy action,
 * ApsaraDB RDS cross-region backup), checked against the target, engine and the stack's own region at plan time.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, Recorder, settle } from "../../helpers/mocks";
import { PROFILES } from "../../../stacks/profiles";
import type { SectionContext } from "../../../stacks/sections/types";
import type { Cloud, Environment, Target } from "../../../components/lib/platform";
import { buildBackups, parse, planBackups, type BackupsDeps } from "../../../stacks/sections/backups";

let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => {
  rec.clear();
  pulumi.runtime.setAllConfig({ "aws:region": "us-east-1", "alicloud:region": "cn-hangzhou" }, []);
});
afterAll(() => pulumi.runtime.setAllConfig({}, []));

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
const known = { main: "postgres", cache: "redis", docs: "mongodb", "main/orders": "postgres" } as const;
const VAULT = "arn:aws:backup:eu-west-1:123456789012:backup-vault:dr";

function deps(target: "aws" | "alicloud"): BackupsDeps {
  const resourceId = target === "aws" ? "arn:aws:rds:us-east-1:123456789012:db:main" : "pgm-bp1main";
  return {
    databases: {
      main: {
        connection: { engine: "postgres", host: pulumi.output("pg"), port: pulumi.output(5432), user: pulumi.output("app"), database: pulumi.output("app"), password: pulumi.secret("pw"), tls: true },
        nativeBackup: { engine: "postgres", target, retentionDays: 30, pointInTimeRecovery: true, snapshotIntervalMinutes: 1440, resourceId: pulumi.output(resourceId) },
      },
    },
    identity: target === "aws"
      ? { cloud: "aws", providerArn: "arn:aws:iam::123456789012:oidc-provider/x", issuerUrl: "https://oidc.example.com" }
      : { cloud: "alicloud", providerArn: "acs:ram::1:oidc-provider/ack", issuerUrl: "https://oidc-ack.aliyuncs.com/c1" },
    keys: { backups: target === "aws" ? "arn:aws:kms:us-east-1:123456789012:key/backups" : "kms-key-1" },
  };
}

describe("backups[].copyTo on AWS", () => {
  test("an existing vault ARN in another region becomes the plan rule's copy action, kept as long as the original", async () => {
    const ctx = sctx("prod", "kubernetes", "aws");
    const plan = planBackups(parse([{ name: "main", database: "main", copyTo: { vaultArn: VAULT } }]), ctx, known);
    expect(plan[0].args.nativePlan).toEqual({ enabled: true, copyToVaultArn: VAULT });
    buildBackups(plan, ctx, deps("aws"));
    await settle();
    const rule = rec.one("aws:backup/plan:Plan", "main-plan").inputs.rules[0];
    expect(rule.copyActions).toEqual([{ destinationVaultArn: VAULT, lifecycle: { deleteAfter: 30 } }]);
    expect(rec.one("aws:backup/selection:Selection").inputs.resources).toEqual(["arn:aws:rds:us-east-1:123456789012:db:main"]);
    expect(rec.byType("pulumi:providers:aws")).toHaveLength(0);
  });

  test("a region alone: a provider for that region creates the copy vault (protected in prod) and the copy goes there", async () => {
    const ctx = sctx("prod", "kubernetes", "aws");
    const plan = planBackups(parse([{ name: "main", database: "main", copyTo: { region: "us-west-2" } }]), ctx, known);
    buildBackups(plan, ctx, deps("aws"));
    await settle();
    const provider = rec.one("pulumi:providers:aws", "main-copy-region");
    expect(provider.inputs.region).toBe("us-west-2");
    const copyVault = rec.one("aws:backup/vault:Vault", "main-copy-vault");
    expect(copyVault.provider).toContain("main-copy-region");
    expect(copyVault.protect).toBe(true);
    const rule = rec.one("aws:backup/plan:Plan", "main-plan").inputs.rules[0];
    expect(rule.copyActions).toHaveLength(1);
    expect(rule.copyActions[0].lifecycle).toEqual({ deleteAfter: 30 });
    // The mock provider's ARN of the copy vault (not the primary vault's).
    expect(rule.copyActions[0].destinationVaultArn).toBe("arn:aws:mock:::main-copy-vault");
  });

  test("staging may rehearse it: the AWS Backup plan is turned on for the copy; without copyTo staging has no plan", async () => {
    const ctx = sctx("staging", "kubernetes", "aws");
    buildBackups(planBackups(parse([{ name: "main", database: "main", copyTo: { vaultArn: VAULT } }]), ctx, known), ctx, deps("aws"));
    await settle();
    expect(rec.one("aws:backup/plan:Plan").inputs.rules[0].copyActions[0].destinationVaultArn).toBe(VAULT);
    rec.clear();
    buildBackups(planBackups(parse([{ name: "main", database: "main" }]), ctx, known), ctx, deps("aws"));
    await settle();
    expect(rec.byType("aws:backup/plan:Plan")).toHaveLength(0);
  });

  test.each([
    [{ vaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:dr" }, /backups\[0\]\.copyTo\.vaultArn: must differ from the stack's region \(aws:region is us-east-1\): a copy in the same region shares its outages \(got "us-east-1"\)/],
    [{ region: "us-east-1" }, /backups\[0\]\.copyTo\.region: must differ from the stack's region \(aws:region is us-east-1\)/],
    [{ vaultArn: "arn:aws:s3:::dr-bucket" }, /backups\[0\]\.copyTo\.vaultArn: must be an AWS Backup vault ARN like arn:aws:backup:eu-west-1:123456789012:backup-vault:dr \(got "arn:aws:s3:::dr-bucket"\)/],
    [{ region: "eu-west-2", vaultArn: VAULT }, /backups\[0\]\.copyTo\.region: must match the region of copyTo\.vaultArn \(eu-west-1\), or be left out \(got "eu-west-2"\)/],
    [{ region: "Ireland" }, /backups\[0\]\.copyTo\.region: must be an AWS region id like eu-west-1 \(got "Ireland"\)/],
    [{}, /backups\[0\]\.copyTo: needs vaultArn \(an existing AWS Backup vault in another region\) or region/],
  ])("bad copyTo %j is refused with its key path", (copyTo, message) => {
    expect(() => planBackups(parse([{ name: "main", database: "main", copyTo }]), sctx("prod", "kubernetes", "aws"), known)).toThrow(message);
  });

  test("redis, a logical database, a second copy of one database and the Docker target are refused, all in one report", () => {
    const raw = [
      { name: "main", database: "main", copyTo: { region: "us-west-2" } },
      { name: "again", database: "main", copyTo: { region: "us-west-2" } },
      { name: "orders", database: "main/orders", copyTo: { region: "us-west-2" } },
      { name: "cache", database: "cache", copyTo: { region: "us-west-2" } },
    ];
    let message = "";
    try {
      planBackups(parse(raw), sctx("prod", "kubernetes", "aws"), known);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("platform:backups[1].copyTo: is already set for database main by platform:backups[0].copyTo");
    expect(message).toContain("platform:backups[2].copyTo: the native backups of main cover its logical databases: set copyTo on the backup set of database main");
    expect(message).toContain("platform:backups[3].database: is redis: AWS Backup does not cover ElastiCache");
    expect(message).not.toContain("- platform:backups[0]");
    expect(() => planBackups(parse([raw[0]]), sctx("dev", "docker", "none"), known))
      .toThrow(/backups\[0\]\.copyTo: copies a managed data store's native backups: needs target kubernetes with cloud aws or alicloud \(target is docker, cloud none\)/);
  });

  test("an unknown key inside copyTo is refused by the schema", () => {
    expect(() => parse([{ name: "main", database: "main", copyTo: { regoin: "us-west-2" } }])).toThrow(/platform:backups\[0\]\.copyTo/);
  });

  test("with aws:region unknown the difference cannot be proven, which is an error", () => {
    pulumi.runtime.setAllConfig({}, []);
    const saved = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(() => planBackups(parse([{ name: "main", database: "main", copyTo: { vaultArn: VAULT } }]), sctx("prod", "kubernetes", "aws"), known))
        .toThrow(/backups\[0\]\.copyTo\.vaultArn: cannot be checked against the stack's region: aws:region is not set/);
    } finally {
      if (saved[0] !== undefined) process.env.AWS_REGION = saved[0];
      if (saved[1] !== undefined) process.env.AWS_DEFAULT_REGION = saved[1];
    }
  });
});

describe("backups[].copyTo on Alibaba Cloud", () => {
  test("ApsaraDB RDS cross-region backup of the instance: region, retention, log backups with PITR", async () => {
    const ctx = sctx("prod", "kubernetes", "alicloud");
    const plan = planBackups(parse([{ name: "main", database: "main", copyTo: { region: "cn-shanghai" }, destination: { type: "oss", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com" } }]), ctx, known);
    expect(plan[0].args.nativePlan).toEqual({ copyToRegion: "cn-shanghai" });
    buildBackups(plan, ctx, deps("alicloud"));
    await settle();
    const policy = rec.one("alicloud:rds/rdsInstanceCrossBackupPolicy:RdsInstanceCrossBackupPolicy", "main-cross-region-backup");
    expect(policy.inputs).toEqual({ instanceId: "pgm-bp1main", crossBackupRegion: "cn-shanghai", retention: 30, logBackupEnabled: "Enable" });
    expect(rec.byType("aws:backup/plan:Plan")).toHaveLength(0);
  });

  test("staging keeps 7 days (the RDS minimum); without copyTo there is no policy", async () => {
    const ctx = sctx("staging", "kubernetes", "alicloud");
    const oss = { type: "oss", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com" };
    buildBackups(planBackups(parse([{ name: "main", database: "main", copyTo: { region: "cn-beijing" }, destination: oss }]), ctx, known), ctx, deps("alicloud"));
    await settle();
    expect(rec.one("alicloud:rds/rdsInstanceCrossBackupPolicy:RdsInstanceCrossBackupPolicy").inputs).toMatchObject({ crossBackupRegion: "cn-beijing", retention: 7 });
    rec.clear();
    buildBackups(planBackups(parse([{ name: "main", database: "main", destination: oss }]), ctx, known), ctx, deps("alicloud"));
    await settle();
    expect(rec.byType("alicloud:rds/rdsInstanceCrossBackupPolicy:RdsInstanceCrossBackupPolicy")).toHaveLength(0);
  });

  test("bad input: same region, a vault ARN, no region, a non-RDS engine and a retention RDS cannot keep, in one report", () => {
    const oss = { type: "oss", endpointUrl: "https://oss-cn-hangzhou-internal.aliyuncs.com" };
    const raw = [
      { name: "main", database: "main", copyTo: { region: "cn-hangzhou" }, destination: oss },
      { name: "docs", database: "docs", copyTo: { region: "cn-shanghai", vaultArn: VAULT }, destination: oss },
      { name: "other", database: "main/orders", destination: oss },
    ];
    let message = "";
    try {
      planBackups(parse(raw), sctx("prod", "kubernetes", "alicloud"), known);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("platform:backups[0].copyTo.region: must differ from the stack's region (alicloud:region is cn-hangzhou)");
    expect(message).toContain("platform:backups[1].database: is mongodb: ApsaraDB cross-region backup is set up for RDS PostgreSQL only; remove copyTo");
    expect(message).toContain(`platform:backups[1].copyTo.vaultArn: is for AWS Backup; on Alibaba Cloud set copyTo.region only (got "${VAULT}")`);
    expect(() => planBackups(parse([{ name: "main", database: "main", copyTo: {}, destination: oss }]), sctx("prod", "kubernetes", "alicloud"), known))
      .toThrow(/backups\[0\]\.copyTo\.region: is required on Alibaba Cloud/);
    expect(() => planBackups(parse([{ name: "main", database: "main", retentionDays: 2000, copyTo: { region: "cn-shanghai" }, destination: oss }]), sctx("prod", "kubernetes", "alicloud"), known))
      .toThrow(/backups\[0\]\.retentionDays: must be at most 1825 with a cross-region backup .* \(got 2000\)/);
  });
});
