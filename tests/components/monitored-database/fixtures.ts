import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { MonitoredDatabaseArgs } from "../../../components/monitored-database";
import type { DataPlacement } from "../../../components/lib/contracts";
import type { Environment, PlatformContext } from "../../../components/lib/platform";
import { PROFILES } from "../../../stacks/profiles";

export const PLACEMENT: DataPlacement = {
  vpcId: "vpc-123",
  subnetIds: ["subnet-a", "subnet-b"],
  allowedSecurityGroupIds: ["sg-app"],
  allowedCidrBlocks: ["10.0.0.0/16"],
  zoneIds: ["zone-a", "zone-b"],
};

export const MONITORING_LABELS = { "prometheus.example.org/scrape": "platform" };

/** A hand-made platform context: Kubernetes workloads on a cloud, or the local Docker target. */
export function platformContext(environment: Environment, cloud: "aws" | "alicloud" | "none", overrides: Partial<PlatformContext> = {}): PlatformContext {
  const docker = cloud === "none";
  return {
    project: "platform",
    environment,
    target: docker ? "docker" : "kubernetes",
    cloud,
    namespace: "apps",
    providers: {},
    monitoringLabels: MONITORING_LABELS,
    tags: { Owner: "platform-team" },
    runbookBaseUrl: "https://runbooks.example.org/",
    ...(docker ? { dockerNetworks: { frontend: "net-frontend", backend: "net-backend" } } : {}),
    ...overrides,
  };
}

/** Component args as the stack would derive them from the environment profile. */
export function profileArgs(environment: Environment, engine: "postgres" | "redis" | "mongodb", target: "aws" | "alicloud" | "docker"): MonitoredDatabaseArgs {
  if (engine === "mongodb") return mongodbProfileArgs(environment, target);
  const p = PROFILES[environment].database;
  const redisRetention = target === "alicloud" ? 7 : PROFILES[environment].backup.redisRetentionDays;
  return {
    engine,
    target,
    version: engine === "postgres" ? (target === "docker" ? "16.4" : "16") : target === "docker" ? "7.4.1" : target === "aws" ? "7.1" : "7.0",
    size: p.size,
    ...(engine === "postgres" ? { storageGb: p.storageGb } : {}),
    highAvailability: target === "docker" ? false : p.highAvailability,
    // ApsaraDB keeps backups at least 7 days; the stack section raises a profile default to that minimum.
    backupRetentionDays: engine === "postgres" ? (target === "alicloud" ? Math.max(7, p.backupRetentionDays) : p.backupRetentionDays) : redisRetention,
    pointInTimeRecovery: target === "docker" ? false : p.pointInTimeRecovery,
    backupWindow: p.backupWindow,
    maintenanceWindow: p.maintenanceWindow,
    ...(target === "docker" ? {} : { placement: PLACEMENT }),
  };
}

/** MongoDB args as the stack derives them: the PostgreSQL retention and HA figures, storage on alicloud only. */
function mongodbProfileArgs(environment: Environment, target: "aws" | "alicloud" | "docker"): MonitoredDatabaseArgs {
  const p = PROFILES[environment].database;
  return {
    engine: "mongodb",
    target,
    version: target === "docker" ? "7.0.14" : target === "aws" ? "5.0" : "7.0",
    size: p.size,
    ...(target === "alicloud" ? { storageGb: p.storageGb } : {}),
    highAvailability: target === "docker" ? false : p.highAvailability,
    backupRetentionDays: target === "docker" ? 0 : Math.max(target === "alicloud" ? 7 : 1, p.backupRetentionDays),
    pointInTimeRecovery: target === "docker" ? false : p.pointInTimeRecovery,
    backupWindow: p.backupWindow,
    maintenanceWindow: p.maintenanceWindow,
    ...(target === "docker" ? {} : { placement: PLACEMENT }),
  };
}

/** Computed outputs the real providers would return, with a per-name random suffix so uniqueness is observable. */
export function providerOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> | undefined {
  switch (args.type) {
    case "random:index/randomId:RandomId":
      return { hex: createHash("sha256").update(args.name).digest("hex").slice(0, 8) };
    case "aws:rds/instance:Instance":
      return { identifier: args.name };
    case "alicloud:rds/readOnlyInstance:ReadOnlyInstance":
      return { connectionString: `${args.name}.pg.rds.aliyuncs.com`, port: "5432" };
    case "alicloud:rds/instance:Instance":
      return { connectionString: `${args.name}.pg.rds.aliyuncs.com`, port: "5432" };
    case "alicloud:kvstore/instance:Instance":
      return { connectionDomain: `${args.name}.redis.rds.aliyuncs.com`, port: 6379 };
    case "docker:index/remoteImage:RemoteImage":
      return { imageId: `sha256:${args.name}` };
    case "docker:index/volume:Volume":
      return { name: `${args.name}-vol` };
    default:
      return undefined;
  }
}
