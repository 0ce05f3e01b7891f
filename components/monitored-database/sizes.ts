import type { DatabaseTarget, Engine, SizeClass } from "./index";

/**
 * Size classes mapped to provider instance types. The classes are the library's vocabulary
 * (small = dev/staging, large = prod); the exact types are defaults a stack can override with
 * `instanceClass`. Burstable AWS classes stop at `medium` because Performance Insights needs one.
 */
export const INSTANCE_CLASSES: Record<Engine, Record<Exclude<DatabaseTarget, "docker">, Record<SizeClass, string>>> = {
  postgres: {
    aws: { small: "db.t4g.medium", medium: "db.m7g.large", large: "db.r7g.xlarge" },
    alicloud: { small: "pg.n2.2c.2m", medium: "pg.n2.4c.2m", large: "pg.x4.xlarge.2c" },
  },
  redis: {
    aws: { small: "cache.t4g.small", medium: "cache.m7g.large", large: "cache.r7g.large" },
    alicloud: { small: "redis.master.small.default", medium: "redis.master.mid.default", large: "redis.master.large.default" },
  },
  mongodb: {
    aws: { small: "db.t4g.medium", medium: "db.r6g.large", large: "db.r6g.xlarge" },
    alicloud: { small: "dds.mongo.mid", medium: "dds.mongo.standard", large: "dds.mongo.xlarge" },
  },
};

/** Docker memory limits in MiB per size class (dev laptops). */
export const DOCKER_MEMORY_MB: Record<Engine, Record<SizeClass, number>> = {
  postgres: { small: 512, medium: 1024, large: 2048 },
  redis: { small: 256, medium: 512, large: 1024 },
  mongodb: { small: 512, medium: 1024, large: 2048 },
};

/** Smallest storage each managed PostgreSQL target accepts, in GB (RDS gp3: 20; ApsaraDB cloud ESSD: 20). */
export const POSTGRES_MIN_STORAGE_GB: Record<DatabaseTarget, number> = { aws: 20, alicloud: 20, docker: 1 };
/** Largest storage, in GB (RDS: 65536; ApsaraDB PostgreSQL ESSD: 32000). */
export const POSTGRES_MAX_STORAGE_GB: Record<DatabaseTarget, number> = { aws: 65536, alicloud: 32000, docker: 65536 };

/** Native backup retention ranges in days per engine and managed target. */
export const RETENTION_RANGE: Record<Engine, Record<Exclude<DatabaseTarget, "docker">, { min: number; max: number }>> = {
  // RDS automated backups 0–35 days; ApsaraDB RDS backup policy 7–730 days.
  postgres: { aws: { min: 0, max: 35 }, alicloud: { min: 7, max: 730 } },
  // ElastiCache snapshot retention 0–35; ApsaraDB for Redis keeps backups for 7 days (not configurable).
  redis: { aws: { min: 0, max: 35 }, alicloud: { min: 7, max: 7 } },
  // DocumentDB keeps automated backups 1–35 days (they cannot be turned off); ApsaraDB for MongoDB 7–730 days.
  mongodb: { aws: { min: 1, max: 35 }, alicloud: { min: 7, max: 730 } },
};

/** ApsaraDB for MongoDB replica-set storage on cloud disks, in GB (DocumentDB grows its storage by itself). */
export const MONGODB_ALICLOUD_STORAGE_GB = { min: 20, max: 16000 };

export const DEFAULT_PORTS: Record<Engine, number> = { postgres: 5432, redis: 6379, mongodb: 27017 };
