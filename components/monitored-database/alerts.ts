import type { AlertRule, RuleGroup, Severity, ThresholdPair } from "../lib/alerts";
import {
  DEFAULT_MONGODB_THRESHOLDS,
  DEFAULT_POSTGRES_THRESHOLDS,
  DEFAULT_REDIS_THRESHOLDS,
  type MongodbThresholds,
  type PostgresThresholds,
  type RedisThresholds,
} from "./thresholds";

/**
 * Pure alert-rule builders: thresholds in, rule groups out. Metric names are those of
 * prometheus-community/postgres_exporter, oliver006/redis_exporter and percona/mongodb_exporter. Every rule is scoped to one
 * database by the exporter's scrape job, so several databases can share a Prometheus.
 *
 * Two-level alerts are emitted as two rules with the same name (one per severity); the AlertingStack's
 * inhibit rule silences the warning while the critical one fires.
 */

export interface PostgresAlertInput {
  /** Database (component) name, added as the `database` label. */
  database: string;
  /** Prometheus `job` of the exporter scrape. */
  job: string;
  thresholds: PostgresThresholds;
  /** Allocated storage in bytes (for the storage alert); omit where the size is unbounded (Docker volume). */
  storageBytes?: number;
  /**
   * PromQL regex of the read replicas' exporter jobs. Replication lag only exists on a replica (postgres_exporter
   * reports 0 on a primary), so the lag and replica-down alerts read these jobs; without replicas they are not
   * emitted.
   */
  replicaJobPattern?: string;
}

export interface RedisAlertInput {
  database: string;
  job: string;
  thresholds: RedisThresholds;
  /** RDB/AOF persistence the exporter can observe (self-managed Redis). Adds the backup alert. */
  persistence: boolean;
  /** Replicas the primary should have (HA); adds a "too few replicas" condition to the replication alert. */
  expectedReplicas: number;
  /**
   * Cluster mode with every node scraped (`shard` and `node` labels): the rules keep the shard, so one shard's
   * memory pressure or lost replica is its own alert, naming the shard.
   */
  sharded?: boolean;
}

export interface MongodbAlertInput {
  database: string;
  job: string;
  thresholds: MongodbThresholds;
  /**
   * Whether the exporter can read the replica set's status (replSetGetStatus: ApsaraDB replica sets). A single
   * mongod has no replica set, and DocumentDB does not implement the command (its lag is a CloudWatch metric).
   */
  replicaSet: boolean;
}

/** Every alert name a database of this engine can emit (for runbook inventories). */
export const POSTGRES_ALERTS = [
  "PostgresDown",
  "PostgresExporterError",
  "PostgresTooManyConnections",
  "PostgresMaxConnectionsReached",
  "PostgresDeadlocks",
  "PostgresReplicationLag",
  "PostgresReplicaDown",
  "PostgresLongRunningTransaction",
  "PostgresLowCacheHitRate",
  "PostgresStorageNearlyFull",
] as const;

export const REDIS_ALERTS = [
  "RedisDown",
  "RedisExporterError",
  "RedisMemoryNearMax",
  "RedisRejectedConnections",
  "RedisTooManyConnections",
  "RedisReplicationBroken",
  "RedisBackupMissing",
] as const;

export const MONGODB_ALERTS = [
  "MongodbDown",
  "MongodbExporterError",
  "MongodbTooManyConnections",
  "MongodbReplicaSetMemberUnhealthy",
  "MongodbNoPrimary",
  "MongodbReplicationLag",
] as const;

/** Replica-set member states that are healthy: PRIMARY (1), SECONDARY (2), ARBITER (7). */
const MONGODB_HEALTHY_STATES = [1, 2, 7];

type Base = Omit<AlertRule, "severity" | "expr" | "labels">;

/** One rule per severity; `severity` is also set as a label so the two rules stay distinct. */
function leveled(
  base: Base,
  database: string,
  pair: ThresholdPair,
  expr: (threshold: number, severity: "warning" | "critical") => string,
): AlertRule[] {
  return (["warning", "critical"] as const).map((severity) => ({
    ...base,
    severity,
    expr: expr(pair[severity], severity),
    labels: { database, severity },
  }));
}

function single(base: Base, database: string, severity: Severity, expr: string): AlertRule {
  return { ...base, severity, expr, labels: { database } };
}

export function postgresAlertRules(input: PostgresAlertInput): RuleGroup[] {
  const { database, job, thresholds: t } = input;
  const sel = `job="${job}"`;
  const by = "by (job, instance)";
  const rules: AlertRule[] = [
    single(
      {
        alert: "PostgresDown",
        for: "1m",
        summary: `PostgreSQL ${database} is down`,
        description: `The exporter cannot connect to PostgreSQL ${database} ({{ $labels.instance }}): pg_up is 0.`,
      },
      database,
      "critical",
      `pg_up{${sel}} == 0`,
    ),
    single(
      {
        alert: "PostgresExporterError",
        for: "5m",
        summary: `Metrics of PostgreSQL ${database} are missing`,
        description: `postgres_exporter for ${database} is down or its last scrape failed; the other PostgreSQL alerts are blind.`,
      },
      database,
      "warning",
      `max ${by} (pg_exporter_last_scrape_error{${sel}}) > 0 or max ${by} (up{${sel}}) == 0`,
    ),
    ...leveled(
      {
        alert: "PostgresTooManyConnections",
        for: "5m",
        summary: `PostgreSQL ${database} connections are high`,
        description: `{{ $value | printf "%.0f" }}% of max_connections are in use on ${database}.`,
      },
      database,
      t.connectionsPercent,
      (x) =>
        `sum ${by} (pg_stat_database_numbackends{${sel}}) / max ${by} (pg_settings_max_connections{${sel}}) * 100 > ${x}`,
    ),
    single(
      {
        alert: "PostgresMaxConnectionsReached",
        for: "1m",
        summary: `PostgreSQL ${database} refuses new connections`,
        description: `All non-reserved connection slots of ${database} are in use; new clients get "too many clients already".`,
      },
      database,
      "critical",
      `sum ${by} (pg_stat_database_numbackends{${sel}}) >= max ${by} (pg_settings_max_connections{${sel}}) - max ${by} (pg_settings_superuser_reserved_connections{${sel}})`,
    ),
    ...leveled(
      {
        alert: "PostgresDeadlocks",
        for: "1m",
        summary: `PostgreSQL ${database} has deadlocks`,
        description: `{{ $value | printf "%.0f" }} deadlocks in the last hour in database {{ $labels.datname }} of ${database}.`,
      },
      database,
      t.deadlocksPerHour,
      (x) => `sum by (job, instance, datname) (increase(pg_stat_database_deadlocks{${sel}}[1h])) > ${x}`,
    ),
    ...leveled(
      {
        alert: "PostgresLongRunningTransaction",
        for: "2m",
        summary: `PostgreSQL ${database} has a long-running transaction`,
        description: `A transaction on ${database} has been open for {{ $value | printf "%.0f" }}s; it holds locks and blocks vacuum.`,
      },
      database,
      t.longTransactionSeconds,
      (x) => `max ${by} (pg_stat_activity_max_tx_duration{${sel}, state!="idle"}) > ${x}`,
    ),
    ...leveled(
      {
        alert: "PostgresLowCacheHitRate",
        for: "15m",
        summary: `PostgreSQL ${database} cache hit rate is low`,
        description: `Only {{ $value | printf "%.1f" }}% of block reads on ${database} are served from shared buffers.`,
      },
      database,
      t.cacheHitPercent,
      (x) =>
        `sum ${by} (rate(pg_stat_database_blks_hit{${sel}}[10m])) / (sum ${by} (rate(pg_stat_database_blks_hit{${sel}}[10m])) + sum ${by} (rate(pg_stat_database_blks_read{${sel}}[10m]))) * 100 < ${x}`,
    ),
  ];
  if (input.replicaJobPattern !== undefined) {
    const replicas = `job=~"${input.replicaJobPattern}"`;
    rules.push(
      ...leveled(
        {
          alert: "PostgresReplicationLag",
          for: "5m",
          summary: `PostgreSQL ${database} replica is lagging`,
          description: `Read replica {{ $labels.instance }} of ${database} is {{ $value | printf "%.0f" }}s behind the primary; reads there return stale data.`,
        },
        database,
        t.replicationLagSeconds,
        (x) => `max ${by} (pg_replication_lag_seconds{${replicas}} and on (job, instance) pg_replication_is_replica{${replicas}} == 1) > ${x}`,
      ),
      single(
        {
          alert: "PostgresReplicaDown",
          for: "2m",
          summary: `A read replica of PostgreSQL ${database} is down`,
          description: `The exporter of {{ $labels.job }} cannot connect to its replica of ${database}, or it is no longer in recovery (promoted): read traffic sent there fails or writes diverge.`,
        },
        database,
        "critical",
        `max ${by} (pg_up{${replicas}}) == 0 or max ${by} (pg_replication_is_replica{${replicas}}) == 0`,
      ),
    );
  }
  if (input.storageBytes !== undefined) {
    rules.push(
      ...leveled(
        {
          alert: "PostgresStorageNearlyFull",
          for: "10m",
          summary: `PostgreSQL ${database} storage is filling up`,
          description: `Databases of ${database} use {{ $value | printf "%.0f" }}% of the allocated storage.`,
        },
        database,
        t.storageUsedPercent,
        (x) => `sum ${by} (pg_database_size_bytes{${sel}}) / ${input.storageBytes} * 100 > ${x}`,
      ),
    );
  }
  return [{ name: `${database}-postgres`, rules }];
}

export function redisAlertRules(input: RedisAlertInput): RuleGroup[] {
  const { database, job, thresholds: t } = input;
  const sel = `job="${job}"`;
  const by = input.sharded ? "by (job, instance, shard)" : "by (job, instance)";
  const where = input.sharded ? " shard {{ $labels.shard }} ({{ $labels.instance }})" : "";
  const replication =
    `max ${by} (redis_master_link_up{${sel}}) == 0` +
    (input.expectedReplicas > 0
      ? ` or max ${by} (redis_connected_slaves{${sel}} and on (job, instance) redis_instance_info{${sel}, role="master"}) < ${input.expectedReplicas}`
      : "");
  const rules: AlertRule[] = [
    single(
      {
        alert: "RedisDown",
        for: "1m",
        summary: `Redis ${database} is down`,
        description: `The exporter cannot reach Redis ${database} ({{ $labels.instance }}): redis_up is 0.`,
      },
      database,
      "critical",
      `redis_up{${sel}} == 0`,
    ),
    single(
      {
        alert: "RedisExporterError",
        for: "5m",
        summary: `Metrics of Redis ${database} are missing`,
        description: `redis_exporter for ${database} is down or its last scrape failed; the other Redis alerts are blind.`,
      },
      database,
      "warning",
      `max ${by} (redis_exporter_last_scrape_error{${sel}}) > 0 or max ${by} (up{${sel}}) == 0`,
    ),
    ...leveled(
      {
        alert: "RedisMemoryNearMax",
        for: "5m",
        summary: `Redis ${database}${input.sharded ? " shard {{ $labels.shard }}" : ""} memory is near maxmemory`,
        description: `Redis ${database}${where} uses {{ $value | printf "%.0f" }}% of maxmemory; at 100% it evicts keys or rejects writes${input.sharded ? " for the slots of that shard" : ""}.`,
      },
      database,
      t.memoryPercent,
      (x) => `max ${by} (redis_memory_used_bytes{${sel}}) / max ${by} (redis_memory_max_bytes{${sel}} > 0) * 100 > ${x}`,
    ),
    single(
      {
        alert: "RedisRejectedConnections",
        for: "1m",
        summary: `Redis ${database} rejects connections`,
        description: `Redis ${database} rejected {{ $value | printf "%.0f" }} connections in 5 minutes (maxclients reached).`,
      },
      database,
      "critical",
      `sum ${by} (increase(redis_rejected_connections_total{${sel}}[5m])) > 0`,
    ),
    ...leveled(
      {
        alert: "RedisTooManyConnections",
        for: "5m",
        summary: `Redis ${database} connections are high`,
        description: `{{ $value | printf "%.0f" }}% of maxclients are connected to Redis ${database}.`,
      },
      database,
      t.connectionsPercent,
      (x) => `max ${by} (redis_connected_clients{${sel}}) / max ${by} (redis_config_maxclients{${sel}} > 0) * 100 > ${x}`,
    ),
    single(
      {
        alert: "RedisReplicationBroken",
        for: "2m",
        summary: `Redis ${database} replication is broken`,
        description: `A replica of Redis ${database} lost its link to the primary, or the primary has fewer replicas than expected; failover is at risk.`,
      },
      database,
      "critical",
      replication,
    ),
  ];
  if (input.persistence) {
    rules.push(
      ...leveled(
        {
          alert: "RedisBackupMissing",
          for: "5m",
          summary: `Redis ${database} has no recent RDB snapshot`,
          description: `The last successful RDB save of Redis ${database} is {{ $value | printf "%.0f" }}s old, or the last BGSAVE failed.`,
        },
        database,
        t.backupAgeSeconds,
        (x, severity) =>
          `(time() - max ${by} (redis_rdb_last_save_timestamp_seconds{${sel}})) > ${x}` +
          // A failed BGSAVE is already a warning: the next snapshot is likely to fail the same way.
          (severity === "warning" ? ` or max ${by} (redis_rdb_last_bgsave_status{${sel}}) == 0` : ""),
      ),
    );
  }
  return [{ name: `${database}-redis`, rules }];
}

/**
 * MongoDB rules over percona/mongodb_exporter run with `--collector.diagnosticdata --compatible-mode`:
 * `mongodb_up`, `mongodb_ss_connections{conn_type}` (serverStatus.connections), `mongodb_rs_members_state` /
 * `mongodb_rs_members_health` (replSetGetStatus through getDiagnosticData, one series per `member_idx`) and
 * `mongodb_mongod_replset_member_replication_lag` (seconds behind the primary, per member `name`).
 */
export function mongodbAlertRules(input: MongodbAlertInput): RuleGroup[] {
  const { database, job, thresholds: t } = input;
  const sel = `job="${job}"`;
  const by = "by (job, instance)";
  const conn = (type: string) => `max ${by} (mongodb_ss_connections{${sel}, conn_type="${type}"})`;
  const rules: AlertRule[] = [
    single(
      {
        alert: "MongodbDown",
        for: "1m",
        summary: `MongoDB ${database} is down`,
        description: `The exporter cannot connect to MongoDB ${database} ({{ $labels.instance }}): mongodb_up is 0.`,
      },
      database,
      "critical",
      // mongodb_up carries the exporter's cluster_role label; the alert is about the job's target.
      `max ${by} (mongodb_up{${sel}}) == 0`,
    ),
    single(
      {
        alert: "MongodbExporterError",
        for: "5m",
        summary: `Metrics of MongoDB ${database} are missing`,
        description: `mongodb_exporter for ${database} is down or cannot be scraped; the other MongoDB alerts are blind.`,
      },
      database,
      "warning",
      `max ${by} (up{${sel}}) == 0`,
    ),
    ...leveled(
      {
        alert: "MongodbTooManyConnections",
        for: "5m",
        summary: `MongoDB ${database} connections are high`,
        description: `{{ $value | printf "%.0f" }}% of the connections MongoDB ${database} accepts are in use; at 100% new clients are refused.`,
      },
      database,
      t.connectionsPercent,
      (x) => `${conn("current")} / (${conn("current")} + ${conn("available")}) * 100 > ${x}`,
    ),
  ];
  if (input.replicaSet) {
    const healthy = MONGODB_HEALTHY_STATES.map((s) => ` != ${s}`).join("");
    rules.push(
      single(
        {
          alert: "MongodbReplicaSetMemberUnhealthy",
          for: "2m",
          summary: `A replica-set member of MongoDB ${database} is unhealthy`,
          description: `Member {{ $labels.member_idx }} of ${database} is unreachable or in a state other than PRIMARY, SECONDARY or ARBITER (recovering, rolling back, down); the replica set has less redundancy than it should.`,
        },
        database,
        "critical",
        `max by (job, instance, member_idx) (mongodb_rs_members_state{${sel}})${healthy} or max by (job, instance, member_idx) (mongodb_rs_members_health{${sel}}) == 0`,
      ),
      single(
        {
          alert: "MongodbNoPrimary",
          for: "1m",
          summary: `MongoDB ${database} has no primary`,
          description: `No member of the ${database} replica set is PRIMARY: writes fail until an election succeeds.`,
        },
        database,
        "critical",
        `sum ${by} (mongodb_rs_members_state{${sel}} == bool 1) == 0`,
      ),
      ...leveled(
        {
          alert: "MongodbReplicationLag",
          for: "5m",
          summary: `MongoDB ${database} replica is lagging`,
          description: `Member {{ $labels.name }} of ${database} is {{ $value | printf "%.0f" }}s behind the primary; reads from it are stale and a failover to it loses writes.`,
        },
        database,
        t.replicationLagSeconds,
        (x) => `max by (job, instance, name) (mongodb_mongod_replset_member_replication_lag{${sel}}) > ${x}`,
      ),
    );
  }
  return [{ name: `${database}-mongodb`, rules }];
}

/**
 * Every rule a database of any engine can emit, each optional alert included (read replicas, storage, Redis
 * persistence and replicas, MongoDB replica sets), for a sample database. The stacks read the alert families and
 * their levels from it: the database keys `platform:alerting.durations` accepts before any database is built.
 */
export function databaseAlertCatalog(): RuleGroup[] {
  const sample = { database: "catalog", job: "catalog-exporter" };
  return [
    ...postgresAlertRules({ ...sample, thresholds: DEFAULT_POSTGRES_THRESHOLDS, storageBytes: 1, replicaJobPattern: "catalog-replica-.+" }),
    ...redisAlertRules({ ...sample, thresholds: DEFAULT_REDIS_THRESHOLDS, persistence: true, expectedReplicas: 1 }),
    ...mongodbAlertRules({ ...sample, thresholds: DEFAULT_MONGODB_THRESHOLDS, replicaSet: true }),
  ];
}
