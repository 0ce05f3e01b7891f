import { instanceClassProblem, versionProblem } from "../../../components/monitored-database/catalog";

describe("version catalog: what each target offers", () => {
  const offered: Array<["postgres" | "redis", "aws" | "alicloud" | "docker", string]> = [
    ["postgres", "aws", "16"],
    ["postgres", "aws", "16.4"],
    ["postgres", "aws", "13"],
    ["postgres", "alicloud", "16"],
    ["postgres", "alicloud", "16.0"],
    ["postgres", "alicloud", "10"],
    ["postgres", "docker", "17.2"],
    ["redis", "aws", "7.1"],
    ["redis", "aws", "6.2"],
    ["redis", "alicloud", "7.0"],
    ["redis", "alicloud", "5.0"],
    ["redis", "docker", "7.4.1"],
    ["redis", "docker", "8.0.2"],
  ];
  test.each(offered)("%s on %s offers %s", (engine, target, version) => {
    expect(versionProblem(engine, target, version, false)).toBeUndefined();
  });

  const refused: Array<["postgres" | "redis", "aws" | "alicloud" | "docker", string, string]> = [
    ["postgres", "aws", "12", "is not offered for postgres on aws; use a major 13, 14, 15, 16, 17"],
    ["postgres", "aws", "18", "is not offered for postgres on aws"],
    ["postgres", "alicloud", "16.4", 'major only, e.g. "16" or "16.0"'],
    ["postgres", "docker", "16", "must be a full PostgreSQL version like 16.4 on docker"],
    ["redis", "aws", "7.2", "is not offered for redis on aws; use one of 6.0, 6.2, 7.0, 7.1"],
    ["redis", "aws", "7", "use one of 6.0, 6.2, 7.0, 7.1"],
    ["redis", "alicloud", "7.1", "use one of 4.0, 5.0, 6.0, 7.0"],
    ["redis", "docker", "7.4", "must be a full Redis version like 7.4.1 on docker"],
    ["redis", "docker", "5.0.14", "is not offered for redis on docker"],
  ];
  test.each(refused)("%s on %s refuses %s", (engine, target, version, message) => {
    expect(versionProblem(engine, target, version, false)).toContain(message);
  });

  test("a custom Docker image names its own version", () => {
    expect(versionProblem("postgres", "docker", "16", true)).toBeUndefined();
    expect(versionProblem("postgres", "aws", "12", true)).toContain("is not offered");
  });
});

describe("instance classes", () => {
  test.each([
    ["postgres", "aws", "db.r7g.2xlarge"],
    ["postgres", "aws", "db.t4g.medium"],
    ["postgres", "aws", "db.m6i.large"],
    ["postgres", "alicloud", "pg.x4.xlarge.2c"],
    ["redis", "aws", "cache.r7g.large"],
    ["redis", "aws", "cache.t4g.small"],
    ["redis", "alicloud", "redis.master.mid.default"],
  ] as const)("%s on %s accepts %s", (engine, target, cls) => {
    expect(instanceClassProblem(engine, target, cls, true)).toBeUndefined();
  });

  test.each([
    ["postgres", "aws", "cache.r7g.large", "must be an RDS class db.<family>.<size>"],
    ["postgres", "aws", "db.q9.large", "must be an RDS class"],
    ["postgres", "aws", "db.t4g.4xlarge", "is not a t4g size (burstable RDS classes go up to 2xlarge)"],
    ["redis", "aws", "cache.t4g.large", "is not a t4g size (burstable node types are micro, small or medium)"],
    ["redis", "aws", "db.r7g.large", "must be an ElastiCache node type"],
    ["postgres", "alicloud", "db.r7g.large", "must be an ApsaraDB RDS PostgreSQL class"],
    ["redis", "alicloud", "pg.n2.2c.2m", "must be an ApsaraDB for Redis class"],
  ] as const)("%s on %s refuses %s", (engine, target, cls, message) => {
    expect(instanceClassProblem(engine, target, cls, false)).toContain(message);
  });

  test("Performance Insights needs db.t4g.medium or larger", () => {
    expect(instanceClassProblem("postgres", "aws", "db.t4g.small", true)).toContain("cannot run Performance Insights");
    expect(instanceClassProblem("postgres", "aws", "db.t4g.small", false)).toBeUndefined();
  });
});
