import { thresholdOrderProblem, type ThresholdPair } from "../lib/alerts";
import { Problems } from "../lib/validation";
import type { Engine } from "./index";

/**
 * Alert thresholds, each a warning/critical pair. Defaults come from the seed playbooks:
 * connections 80 % (Potato Chat) / 95 % (payment platform), deadlocks 1–5 per hour warning and more than 5
 * critical (GreenLink), memory 80/95 and disk 75/90 (payment platform threshold table), hourly Redis RDB
 * snapshots (Paimon) so a save older than 2 h warns and 6 h pages.
 */
export interface PostgresThresholds {
  /** Client connections as % of max_connections. Higher is worse. */
  connectionsPercent: ThresholdPair;
  /** Deadlocks per hour. Higher is worse; the warning fires above the warning value (0 = any deadlock). */
  deadlocksPerHour: ThresholdPair;
  /** Streaming replication lag in seconds. Higher is worse. */
  replicationLagSeconds: ThresholdPair;
  /** Age of the oldest open transaction in seconds. Higher is worse. */
  longTransactionSeconds: ThresholdPair;
  /** Buffer cache hit ratio in %. Lower is worse. */
  cacheHitPercent: ThresholdPair;
  /** Database size as % of allocated storage. Higher is worse. */
  storageUsedPercent: ThresholdPair;
}

export interface RedisThresholds {
  /** used_memory as % of maxmemory. Higher is worse. */
  memoryPercent: ThresholdPair;
  /** Connected clients as % of maxclients. Higher is worse. */
  connectionsPercent: ThresholdPair;
  /** Seconds since the last successful RDB save (persistence on). Higher is worse. */
  backupAgeSeconds: ThresholdPair;
}

export interface MongodbThresholds {
  /** Current connections as % of current + available (mongod's connection limit). Higher is worse. */
  connectionsPercent: ThresholdPair;
  /** Replica-set member lag behind the primary in seconds. Higher is worse. */
  replicationLagSeconds: ThresholdPair;
}

export type EngineThresholds = PostgresThresholds | RedisThresholds | MongodbThresholds;

export type ThresholdsFor<E extends Engine> = E extends "postgres" ? PostgresThresholds : E extends "redis" ? RedisThresholds : MongodbThresholds;

/** Partial overrides: any pair, or one side of a pair. */
export type ThresholdOverrides = Record<string, Partial<ThresholdPair>>;

export const DEFAULT_POSTGRES_THRESHOLDS: PostgresThresholds = {
  connectionsPercent: { warning: 80, critical: 95 },
  deadlocksPerHour: { warning: 0, critical: 5 },
  replicationLagSeconds: { warning: 30, critical: 300 },
  longTransactionSeconds: { warning: 300, critical: 3600 },
  cacheHitPercent: { warning: 95, critical: 90 },
  storageUsedPercent: { warning: 75, critical: 90 },
};

export const DEFAULT_REDIS_THRESHOLDS: RedisThresholds = {
  memoryPercent: { warning: 80, critical: 95 },
  connectionsPercent: { warning: 80, critical: 95 },
  backupAgeSeconds: { warning: 7200, critical: 21600 },
};

/** Whether a higher value is worse, per threshold key (drives the order check). */
/** Same connection and lag levels as PostgreSQL (Potato Chat 80 %, payment platform 95 %; 30 s / 5 min lag). */
export const DEFAULT_MONGODB_THRESHOLDS: MongodbThresholds = {
  connectionsPercent: { warning: 80, critical: 95 },
  replicationLagSeconds: { warning: 30, critical: 300 },
};

const HIGHER_IS_WORSE: Record<string, boolean> = {
  connectionsPercent: true,
  deadlocksPerHour: true,
  replicationLagSeconds: true,
  longTransactionSeconds: true,
  cacheHitPercent: false,
  storageUsedPercent: true,
  memoryPercent: true,
  backupAgeSeconds: true,
};

const PERCENT_KEYS = new Set(["connectionsPercent", "cacheHitPercent", "storageUsedPercent", "memoryPercent"]);

export function defaultThresholds(engine: Engine): EngineThresholds {
  return { postgres: { ...DEFAULT_POSTGRES_THRESHOLDS }, redis: { ...DEFAULT_REDIS_THRESHOLDS }, mongodb: { ...DEFAULT_MONGODB_THRESHOLDS } }[engine];
}

/**
 * Merges overrides onto the engine defaults and records a problem for unknown keys, non-numbers,
 * percentages outside 0–100 and any pair whose warning level is worse than its critical level.
 */
export function resolveThresholds(
  engine: Engine,
  overrides: ThresholdOverrides | undefined,
  problems: Problems,
): EngineThresholds {
  const merged: Record<string, ThresholdPair> = { ...(defaultThresholds(engine) as unknown as Record<string, ThresholdPair>) };
  const allowed = Object.keys(merged);
  for (const [key, pair] of Object.entries(overrides ?? {})) {
    if (!(key in merged)) {
      problems.add(["thresholds", key], pair, `unknown ${engine} threshold (allowed: ${allowed.join(", ")})`);
      continue;
    }
    if (pair === null || typeof pair !== "object") {
      problems.add(["thresholds", key], pair, "must be an object {warning, critical}");
      continue;
    }
    const next = { ...merged[key] };
    let ok = true;
    for (const level of ["warning", "critical"] as const) {
      const value = pair[level];
      if (value === undefined) continue;
      const outOfRange = typeof value !== "number" || !Number.isFinite(value) || value < 0 || (PERCENT_KEYS.has(key) && value > 100);
      if (outOfRange) {
        problems.add(["thresholds", key, level], value, PERCENT_KEYS.has(key) ? "must be a number between 0 and 100" : "must be a non-negative number");
        ok = false;
      } else {
        next[level] = value;
      }
    }
    if (!ok) continue;
    const order = thresholdOrderProblem(next, HIGHER_IS_WORSE[key]);
    if (order) problems.add(["thresholds", key], next, order);
    merged[key] = next;
  }
  return merged as unknown as EngineThresholds;
}
