import { alertFamily, alertRules, SEVERITY_PRIORITY, toPrometheusRuleFile, type AlertRule, type RuleGroup } from "../../../components/lib/alerts";
import {
  DEFAULT_MONGODB_THRESHOLDS,
  DEFAULT_POSTGRES_THRESHOLDS,
  DEFAULT_REDIS_THRESHOLDS,
  MONGODB_ALERTS,
  POSTGRES_ALERTS,
  REDIS_ALERTS,
  mongodbAlertRules,
  postgresAlertRules,
  redisAlertRules,
  replicaExporterJob,
  replicaJobPattern,
} from "../../../components/monitored-database";
import { promtoolCheckRules, promtoolTestRules, type PromtoolTestGroup } from "../../helpers/tools";

/**
 * The generated rules are checked by promtool, and every alert is proven with `promtool test rules`: it
 * fires (with the right severity, labels and rendered annotations) on a series that should trigger it, and
 * stays silent on one that should not.
 */

const BASE_URL = "https://runbooks.example.org/";
const PG_JOB = "main-postgres-exporter";
const REDIS_JOB = "cache-redis-exporter";
const MONGO_JOB = "docs-mongodb-exporter";
const GB = 1024 ** 3;
const STORAGE = 20 * GB;

const groups: RuleGroup[] = [
  ...postgresAlertRules({ database: "main", job: PG_JOB, thresholds: DEFAULT_POSTGRES_THRESHOLDS, storageBytes: STORAGE, replicaJobPattern: replicaJobPattern("main") }),
  ...redisAlertRules({ database: "cache", job: REDIS_JOB, thresholds: DEFAULT_REDIS_THRESHOLDS, persistence: true, expectedReplicas: 1 }),
  ...mongodbAlertRules({ database: "docs", job: MONGO_JOB, thresholds: DEFAULT_MONGODB_THRESHOLDS, replicaSet: true }),
];
const ruleFile = toPrometheusRuleFile(groups, BASE_URL);
const rules = alertRules(groups);

interface Expected {
  severity: "warning" | "critical";
  /** Labels the expression yields (job, instance, ...). */
  labels: Record<string, string>;
  /** The alert's value, for the rendered description. */
  value: number;
}

interface Case {
  alert: string;
  title: string;
  series: Array<{ series: string; values: string }>;
  evalTime: string;
  /** Empty = must stay silent. */
  expect: Expected[];
}

const pg = (metric: string, extra = "") => `${metric}{job="${PG_JOB}",instance="main-db:5432"${extra}}`;
const rd = (metric: string, extra = "") => `${metric}{job="${REDIS_JOB}",instance="cache-db:6379"${extra}}`;
const PG_LABELS = { job: PG_JOB, instance: "main-db:5432" };
/** A read replica's exporter: its own job, the replica as instance. */
const rep = (i: number, metric: string) => `${metric}{job="${replicaExporterJob("main", i)}",instance="main-replica-${i}:5432"}`;
const REPLICA_LABELS = (i: number) => ({ job: replicaExporterJob("main", i), instance: `main-replica-${i}:5432` });
const replica = (i: number, lagSeconds: number) => [
  { series: rep(i, "pg_up"), values: "1x15" },
  { series: rep(i, "pg_replication_is_replica"), values: "1x15" },
  { series: rep(i, "pg_replication_lag_seconds"), values: `${lagSeconds}x15` },
];
const RD_LABELS = { job: REDIS_JOB, instance: "cache-db:6379" };
const both = (labels: Record<string, string>, value: number): Expected[] => [
  { severity: "warning", labels, value },
  { severity: "critical", labels, value },
];

const connections = (backends: number) => [
  { series: pg("pg_stat_database_numbackends", ',datname="app"'), values: `${backends}x20` },
  { series: pg("pg_settings_max_connections"), values: "100x20" },
  { series: pg("pg_settings_superuser_reserved_connections"), values: "3x20" },
];
const cache = (hitPerMin: number, readPerMin: number) => [
  { series: pg("pg_stat_database_blks_hit", ',datname="app"'), values: `0+${hitPerMin}x40` },
  { series: pg("pg_stat_database_blks_read", ',datname="app"'), values: `0+${readPerMin}x40` },
];
const redisMemory = (used: number, max: number) => [
  { series: rd("redis_memory_used_bytes"), values: `${used}x20` },
  { series: rd("redis_memory_max_bytes"), values: `${max}x20` },
];
const redisClients = (clients: number) => [
  { series: rd("redis_connected_clients"), values: `${clients}x20` },
  { series: rd("redis_config_maxclients"), values: "100x20" },
];

/**
 * MongoDB series as percona/mongodb_exporter 0.47 emits them (--collector.diagnosticdata --compatible-mode): the
 * exporter adds its topology labels (cl_role, rs_nm, rs_state) to every series; members carry member_idx/member_state,
 * the compatible lag series name/state/set/self.
 */
const MG_TOPOLOGY = ',cl_role="shardsvr",rs_nm="rs0",rs_state="1"';
const mg = (metric: string, extra = "") => `${metric}{job="${MONGO_JOB}",instance="docs-db:27017"${MG_TOPOLOGY}${extra}}`;
const MG_LABELS = { job: MONGO_JOB, instance: "docs-db:27017" };
/** mongodb_up carries only the exporter's cluster_role label. */
const mgUp = `mongodb_up{job="${MONGO_JOB}",instance="docs-db:27017",cluster_role="mongod"}`;
const mongoConnections = (current: number, available: number) => [
  { series: mg("mongodb_ss_connections", ',conn_type="current"'), values: `${current}x20` },
  { series: mg("mongodb_ss_connections", ',conn_type="available"'), values: `${available}x20` },
  { series: mg("mongodb_ss_connections", ',conn_type="totalCreated"'), values: "0+5x20" },
];
const member = (host: string, state: number, stateStr: string, health = 1) => [
  { series: mg("mongodb_rs_members_state", `,member_idx="${host}",member_state="${stateStr}"`), values: `${state}x20` },
  { series: mg("mongodb_rs_members_health", `,member_idx="${host}",member_state="${stateStr}"`), values: `${health}x20` },
];
const lag = (host: string, seconds: number) => ({
  series: mg("mongodb_mongod_replset_member_replication_lag", `,name="${host}",set="rs0",state="SECONDARY",self="0"`),
  values: `${seconds}x20`,
});

const CASES: Case[] = [
  // ---- MongoDB --------------------------------------------------------------------------------------
  { alert: "MongodbDown", title: "mongodb_up 0", series: [{ series: mgUp, values: "0x10" }], evalTime: "5m", expect: [{ severity: "critical", labels: MG_LABELS, value: 0 }] },
  { alert: "MongodbDown", title: "mongodb_up 1", series: [{ series: mgUp, values: "1x10" }], evalTime: "5m", expect: [] },
  { alert: "MongodbExporterError", title: "exporter target down", series: [{ series: mg("up"), values: "0x15" }], evalTime: "10m", expect: [{ severity: "warning", labels: MG_LABELS, value: 0 }] },
  { alert: "MongodbExporterError", title: "scrapes succeed", series: [{ series: mg("up"), values: "1x15" }], evalTime: "10m", expect: [] },
  { alert: "MongodbTooManyConnections", title: "850 of 1000 is a warning", series: mongoConnections(850, 150), evalTime: "10m", expect: [{ severity: "warning", labels: MG_LABELS, value: 85 }] },
  { alert: "MongodbTooManyConnections", title: "960 of 1000 is critical", series: mongoConnections(960, 40), evalTime: "10m", expect: both(MG_LABELS, 96) },
  { alert: "MongodbTooManyConnections", title: "100 of 1000 is fine", series: mongoConnections(100, 900), evalTime: "10m", expect: [] },
  {
    alert: "MongodbReplicaSetMemberUnhealthy",
    title: "a member in RECOVERING",
    series: [...member("docs-1:27017", 1, "PRIMARY"), ...member("docs-2:27017", 2, "SECONDARY"), ...member("docs-3:27017", 3, "RECOVERING")],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: { ...MG_LABELS, member_idx: "docs-3:27017" }, value: 3 }],
  },
  {
    alert: "MongodbReplicaSetMemberUnhealthy",
    title: "an unreachable member (health 0, state 8 DOWN)",
    series: [...member("docs-1:27017", 1, "PRIMARY"), ...member("docs-2:27017", 8, "(not reachable/healthy)", 0)],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: { ...MG_LABELS, member_idx: "docs-2:27017" }, value: 8 }],
  },
  {
    alert: "MongodbReplicaSetMemberUnhealthy",
    title: "primary, secondary and arbiter are healthy",
    series: [...member("docs-1:27017", 1, "PRIMARY"), ...member("docs-2:27017", 2, "SECONDARY"), ...member("docs-3:27017", 7, "ARBITER")],
    evalTime: "5m",
    expect: [],
  },
  {
    alert: "MongodbNoPrimary",
    title: "two secondaries, no primary",
    series: [...member("docs-1:27017", 2, "SECONDARY"), ...member("docs-2:27017", 2, "SECONDARY")],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: MG_LABELS, value: 0 }],
  },
  { alert: "MongodbNoPrimary", title: "a primary is elected", series: [...member("docs-1:27017", 1, "PRIMARY"), ...member("docs-2:27017", 2, "SECONDARY")], evalTime: "5m", expect: [] },
  { alert: "MongodbReplicationLag", title: "60 s behind is a warning", series: [lag("docs-2:27017", 60)], evalTime: "10m", expect: [{ severity: "warning", labels: { ...MG_LABELS, name: "docs-2:27017" }, value: 60 }] },
  { alert: "MongodbReplicationLag", title: "10 min behind is critical", series: [lag("docs-2:27017", 600)], evalTime: "10m", expect: both({ ...MG_LABELS, name: "docs-2:27017" }, 600) },
  { alert: "MongodbReplicationLag", title: "2 s behind is fine", series: [lag("docs-2:27017", 2)], evalTime: "10m", expect: [] },

  // ---- PostgreSQL -----------------------------------------------------------------------------------
  { alert: "PostgresDown", title: "pg_up 0", series: [{ series: pg("pg_up"), values: "0x10" }], evalTime: "5m", expect: [{ severity: "critical", labels: PG_LABELS, value: 0 }] },
  { alert: "PostgresDown", title: "pg_up 1", series: [{ series: pg("pg_up"), values: "1x10" }], evalTime: "5m", expect: [] },
  {
    alert: "PostgresExporterError",
    title: "last scrape failed",
    series: [{ series: pg("pg_exporter_last_scrape_error"), values: "1x15" }, { series: pg("up"), values: "1x15" }],
    evalTime: "10m",
    expect: [{ severity: "warning", labels: PG_LABELS, value: 1 }],
  },
  {
    alert: "PostgresExporterError",
    title: "exporter target down",
    series: [{ series: pg("up"), values: "0x15" }],
    evalTime: "10m",
    expect: [{ severity: "warning", labels: PG_LABELS, value: 0 }],
  },
  {
    alert: "PostgresExporterError",
    title: "healthy scrapes",
    series: [{ series: pg("pg_exporter_last_scrape_error"), values: "0x15" }, { series: pg("up"), values: "1x15" }],
    evalTime: "10m",
    expect: [],
  },
  { alert: "PostgresTooManyConnections", title: "85% is a warning", series: connections(85), evalTime: "10m", expect: [{ severity: "warning", labels: PG_LABELS, value: 85 }] },
  { alert: "PostgresTooManyConnections", title: "96% is critical", series: connections(96), evalTime: "10m", expect: both(PG_LABELS, 96) },
  { alert: "PostgresTooManyConnections", title: "50% is fine", series: connections(50), evalTime: "10m", expect: [] },
  { alert: "PostgresMaxConnectionsReached", title: "all non-reserved slots used", series: connections(97), evalTime: "5m", expect: [{ severity: "critical", labels: PG_LABELS, value: 97 }] },
  { alert: "PostgresMaxConnectionsReached", title: "slots left", series: connections(96), evalTime: "5m", expect: [] },
  {
    alert: "PostgresDeadlocks",
    title: "3 deadlocks in an hour is a warning",
    series: [{ series: pg("pg_stat_database_deadlocks", ',datname="app"'), values: "0x30 3x40" }],
    evalTime: "70m",
    expect: [{ severity: "warning", labels: { ...PG_LABELS, datname: "app" }, value: 3 }],
  },
  {
    alert: "PostgresDeadlocks",
    title: "one a minute is critical",
    series: [{ series: pg("pg_stat_database_deadlocks", ',datname="app"'), values: "0+1x90" }],
    evalTime: "70m",
    expect: both({ ...PG_LABELS, datname: "app" }, 60),
  },
  {
    alert: "PostgresDeadlocks",
    title: "no deadlocks",
    series: [{ series: pg("pg_stat_database_deadlocks", ',datname="app"'), values: "7x90" }],
    evalTime: "70m",
    expect: [],
  },
  // Replica lag is read from the replica's own exporter, with the series postgres_exporter emits there.
  { alert: "PostgresReplicationLag", title: "replica 60 s behind warns", series: replica(1, 60), evalTime: "10m", expect: [{ severity: "warning", labels: REPLICA_LABELS(1), value: 60 }] },
  { alert: "PostgresReplicationLag", title: "replica 10 min behind is critical", series: [...replica(1, 5), ...replica(2, 600)], evalTime: "10m", expect: both(REPLICA_LABELS(2), 600) },
  { alert: "PostgresReplicationLag", title: "replica 5 s behind is fine", series: replica(1, 5), evalTime: "10m", expect: [] },
  {
    alert: "PostgresReplicationLag",
    title: "the primary's exporter is not read (it reports 0, and even a bogus value there is ignored)",
    series: [{ series: pg("pg_replication_lag_seconds"), values: "900x15" }, { series: pg("pg_replication_is_replica"), values: "0x15" }, ...replica(1, 0)],
    evalTime: "10m",
    expect: [],
  },
  {
    alert: "PostgresReplicaDown",
    title: "replica exporter cannot connect",
    series: [{ series: rep(2, "pg_up"), values: "0x10" }, { series: rep(1, "pg_up"), values: "1x10" }],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: REPLICA_LABELS(2), value: 0 }],
  },
  {
    alert: "PostgresReplicaDown",
    title: "replica was promoted",
    series: [{ series: rep(1, "pg_up"), values: "1x10" }, { series: rep(1, "pg_replication_is_replica"), values: "0x10" }],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: REPLICA_LABELS(1), value: 0 }],
  },
  {
    alert: "PostgresReplicaDown",
    title: "replicas up and replicating; primary down is another alert",
    series: [...replica(1, 0), ...replica(2, 3), { series: pg("pg_up"), values: "0x10" }],
    evalTime: "5m",
    expect: [],
  },
  {
    alert: "PostgresLongRunningTransaction",
    title: "10 min active transaction warns",
    series: [{ series: pg("pg_stat_activity_max_tx_duration", ',datname="app",state="active"'), values: "600x10" }],
    evalTime: "5m",
    expect: [{ severity: "warning", labels: PG_LABELS, value: 600 }],
  },
  {
    alert: "PostgresLongRunningTransaction",
    title: "a transaction open for over an hour is critical",
    series: [{ series: pg("pg_stat_activity_max_tx_duration", ',datname="app",state="idle in transaction"'), values: "4000x10" }],
    evalTime: "5m",
    expect: both(PG_LABELS, 4000),
  },
  {
    alert: "PostgresLongRunningTransaction",
    title: "idle sessions do not count",
    series: [
      { series: pg("pg_stat_activity_max_tx_duration", ',datname="app",state="idle"'), values: "99999x10" },
      { series: pg("pg_stat_activity_max_tx_duration", ',datname="app",state="active"'), values: "2x10" },
    ],
    evalTime: "5m",
    expect: [],
  },
  { alert: "PostgresLowCacheHitRate", title: "93% hit rate warns", series: cache(93, 7), evalTime: "35m", expect: [{ severity: "warning", labels: PG_LABELS, value: 93 }] },
  { alert: "PostgresLowCacheHitRate", title: "80% hit rate is critical", series: cache(80, 20), evalTime: "35m", expect: both(PG_LABELS, 80) },
  { alert: "PostgresLowCacheHitRate", title: "99% hit rate is fine", series: cache(99, 1), evalTime: "35m", expect: [] },
  {
    alert: "PostgresStorageNearlyFull",
    title: "80% used warns",
    series: [{ series: pg("pg_database_size_bytes", ',datname="app"'), values: `${0.8 * STORAGE}x20` }],
    evalTime: "15m",
    expect: [{ severity: "warning", labels: PG_LABELS, value: 80 }],
  },
  {
    alert: "PostgresStorageNearlyFull",
    title: "95% used is critical",
    series: [{ series: pg("pg_database_size_bytes", ',datname="app"'), values: `${0.95 * STORAGE}x20` }],
    evalTime: "15m",
    expect: both(PG_LABELS, 95),
  },
  {
    alert: "PostgresStorageNearlyFull",
    title: "25% used is fine",
    series: [{ series: pg("pg_database_size_bytes", ',datname="app"'), values: `${0.25 * STORAGE}x20` }],
    evalTime: "15m",
    expect: [],
  },
  // ---- Redis ----------------------------------------------------------------------------------------
  { alert: "RedisDown", title: "redis_up 0", series: [{ series: rd("redis_up"), values: "0x10" }], evalTime: "5m", expect: [{ severity: "critical", labels: RD_LABELS, value: 0 }] },
  { alert: "RedisDown", title: "redis_up 1", series: [{ series: rd("redis_up"), values: "1x10" }], evalTime: "5m", expect: [] },
  {
    alert: "RedisExporterError",
    title: "last scrape failed",
    series: [{ series: rd("redis_exporter_last_scrape_error"), values: "1x15" }, { series: rd("up"), values: "1x15" }],
    evalTime: "10m",
    expect: [{ severity: "warning", labels: RD_LABELS, value: 1 }],
  },
  {
    alert: "RedisExporterError",
    title: "healthy scrapes",
    series: [{ series: rd("redis_exporter_last_scrape_error"), values: "0x15" }, { series: rd("up"), values: "1x15" }],
    evalTime: "10m",
    expect: [],
  },
  { alert: "RedisMemoryNearMax", title: "85% warns", series: redisMemory(850, 1000), evalTime: "10m", expect: [{ severity: "warning", labels: RD_LABELS, value: 85 }] },
  { alert: "RedisMemoryNearMax", title: "97% is critical", series: redisMemory(970, 1000), evalTime: "10m", expect: both(RD_LABELS, 97) },
  { alert: "RedisMemoryNearMax", title: "no maxmemory set", series: redisMemory(5000, 0), evalTime: "10m", expect: [] },
  { alert: "RedisMemoryNearMax", title: "10% is fine", series: redisMemory(100, 1000), evalTime: "10m", expect: [] },
  {
    alert: "RedisRejectedConnections",
    title: "rejections growing",
    series: [{ series: rd("redis_rejected_connections_total"), values: "0+2x20" }],
    evalTime: "10m",
    expect: [{ severity: "critical", labels: RD_LABELS, value: 10 }],
  },
  { alert: "RedisRejectedConnections", title: "old rejections only", series: [{ series: rd("redis_rejected_connections_total"), values: "5x20" }], evalTime: "10m", expect: [] },
  { alert: "RedisTooManyConnections", title: "85% warns", series: redisClients(85), evalTime: "10m", expect: [{ severity: "warning", labels: RD_LABELS, value: 85 }] },
  { alert: "RedisTooManyConnections", title: "99% is critical", series: redisClients(99), evalTime: "10m", expect: both(RD_LABELS, 99) },
  { alert: "RedisTooManyConnections", title: "20% is fine", series: redisClients(20), evalTime: "10m", expect: [] },
  {
    alert: "RedisReplicationBroken",
    title: "replica lost its primary",
    series: [{ series: rd("redis_master_link_up"), values: "0x10" }],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: RD_LABELS, value: 0 }],
  },
  {
    alert: "RedisReplicationBroken",
    title: "primary without its replica",
    series: [
      { series: rd("redis_instance_info", ',role="master"'), values: "1x10" },
      { series: rd("redis_connected_slaves"), values: "0x10" },
    ],
    evalTime: "5m",
    expect: [{ severity: "critical", labels: RD_LABELS, value: 0 }],
  },
  {
    alert: "RedisReplicationBroken",
    title: "primary with its replica, link up",
    series: [
      { series: rd("redis_instance_info", ',role="master"'), values: "1x10" },
      { series: rd("redis_connected_slaves"), values: "1x10" },
      { series: rd("redis_master_link_up"), values: "1x10" },
    ],
    evalTime: "5m",
    expect: [],
  },
  {
    alert: "RedisBackupMissing",
    title: "last save 3 h ago warns",
    series: [{ series: rd("redis_rdb_last_save_timestamp_seconds"), values: "0x200" }, { series: rd("redis_rdb_last_bgsave_status"), values: "1x200" }],
    evalTime: "180m",
    expect: [{ severity: "warning", labels: RD_LABELS, value: 10800 }],
  },
  {
    alert: "RedisBackupMissing",
    title: "last save 7 h ago is critical",
    series: [{ series: rd("redis_rdb_last_save_timestamp_seconds"), values: "0x450" }, { series: rd("redis_rdb_last_bgsave_status"), values: "1x450" }],
    evalTime: "420m",
    expect: both(RD_LABELS, 25200),
  },
  {
    alert: "RedisBackupMissing",
    title: "failed BGSAVE warns even with a recent save",
    series: [{ series: rd("redis_rdb_last_save_timestamp_seconds"), values: "0+60x30" }, { series: rd("redis_rdb_last_bgsave_status"), values: "0x30" }],
    evalTime: "20m",
    expect: [{ severity: "warning", labels: RD_LABELS, value: 0 }],
  },
  {
    alert: "RedisBackupMissing",
    title: "saving every minute",
    series: [{ series: rd("redis_rdb_last_save_timestamp_seconds"), values: "0+60x200" }, { series: rd("redis_rdb_last_bgsave_status"), values: "1x200" }],
    evalTime: "180m",
    expect: [],
  },
];

function rule(alert: string, severity: string): AlertRule {
  const found = rules.find((r) => r.alert === alert && r.severity === severity);
  if (!found) throw new Error(`no ${severity} rule ${alert}`);
  return found;
}

/** Renders the few template forms the builders use, as Prometheus would. */
function render(text: string, labels: Record<string, string>, value: number): string {
  return text
    .replace(/\{\{ \$value \| printf "%\.(\d)f" \}\}/g, (_m, digits: string) => value.toFixed(Number(digits)))
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, key: string) => labels[key] ?? "");
}

function testGroup(c: Case): PromtoolTestGroup {
  return {
    name: `${c.alert}: ${c.title}`,
    interval: "1m",
    input_series: c.series,
    alert_rule_test: [
      {
        eval_time: c.evalTime,
        alertname: c.alert,
        exp_alerts: c.expect.map((e) => {
          const r = rule(c.alert, e.severity);
          return {
            exp_labels: { ...e.labels, ...r.labels, severity: e.severity, priority: SEVERITY_PRIORITY[e.severity], alert_family: alertFamily(r) },
            exp_annotations: {
              summary: r.summary,
              description: render(r.description, e.labels, e.value),
              runbook_url: `${BASE_URL}${c.alert}.md`,
            },
          };
        }),
      },
    ],
  };
}

describe("database alert rules under promtool", () => {
  test("promtool check rules accepts the generated rule file", () => {
    const out = promtoolCheckRules(ruleFile);
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  test("every alert has a firing case and a silent case", () => {
    for (const alert of [...POSTGRES_ALERTS, ...REDIS_ALERTS, ...MONGODB_ALERTS]) {
      const cases = CASES.filter((c) => c.alert === alert);
      expect({ alert, fires: cases.some((c) => c.expect.length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, silent: cases.some((c) => c.expect.length === 0) }).toEqual({ alert, silent: true });
    }
    // Two-level alerts are exercised at both levels.
    for (const alert of new Set(rules.filter((r) => r.severity === "warning").map((r) => r.alert))) {
      if (rules.some((r) => r.alert === alert && r.severity === "critical")) {
        expect({ alert, critical: CASES.some((c) => c.alert === alert && c.expect.some((e) => e.severity === "critical")) }).toEqual({ alert, critical: true });
      }
    }
  });

  test("promtool test rules: each alert fires on a triggering series and stays silent otherwise", () => {
    const out = promtoolTestRules(ruleFile, CASES.map(testGroup));
    expect(out).toMatch(/SUCCESS/);
  });

  test("a broken expectation is reported by promtool (the harness can fail)", () => {
    const wrong: Case = { ...CASES[0], expect: [] };
    expect(() => promtoolTestRules(ruleFile, [testGroup(wrong)])).toThrow(/FAILED/);
  });
});
