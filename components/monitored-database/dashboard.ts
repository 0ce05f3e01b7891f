import { boundedId } from "../lib/naming";
import type { Dashboard } from "../lib/monitoring";
import { dashboard, prometheus, stat, timeseries } from "../lib/grafana";
import type { Engine } from "./index";

/** Grafana folder database dashboards are provisioned into. */
export const DASHBOARD_FOLDER = "Databases";

export interface DatabaseDashboardInput {
  database: string;
  engine: Engine;
  /** Prometheus `job` of the exporter scrape. */
  job: string;
  /** Allocated storage in bytes, for the storage-used panel (PostgreSQL on managed targets). */
  storageBytes?: number;
  /** PromQL regex of the read replicas' exporter jobs; the replication-lag panel reads them. */
  replicaJobPattern?: string;
  /** MongoDB: the exporter can read the replica set's status (member state and lag panels). */
  replicaSet?: boolean;
  /** Redis cluster mode with every node scraped: memory per shard and node. */
  sharded?: boolean;
}

interface PanelSpec {
  kind: "stat" | "timeseries";
  title: string;
  unit: string;
  queries: Array<{ expr: string; legend: string }>;
  description?: string;
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

function postgresPanels(sel: string, storageBytes?: number, replicaJobPattern?: string): PanelSpec[] {
  const panels: PanelSpec[] = [
    { kind: "stat", title: "Up", unit: "bool_yes_no", queries: [{ expr: `max(pg_up{${sel}})`, legend: "up" }] },
    {
      kind: "stat",
      title: "Connections used",
      unit: "percent",
      queries: [{ expr: `sum(pg_stat_database_numbackends{${sel}}) / max(pg_settings_max_connections{${sel}}) * 100`, legend: "used" }],
    },
    {
      kind: "timeseries",
      title: "Connections by database",
      unit: "short",
      queries: [{ expr: `sum by (datname) (pg_stat_database_numbackends{${sel}})`, legend: "{{datname}}" }],
    },
    {
      kind: "timeseries",
      title: "Transactions per second",
      unit: "ops",
      queries: [
        { expr: `sum(rate(pg_stat_database_xact_commit{${sel}}[5m]))`, legend: "commits" },
        { expr: `sum(rate(pg_stat_database_xact_rollback{${sel}}[5m]))`, legend: "rollbacks" },
      ],
    },
    {
      kind: "timeseries",
      title: "Cache hit rate",
      unit: "percent",
      queries: [
        {
          expr: `sum(rate(pg_stat_database_blks_hit{${sel}}[5m])) / (sum(rate(pg_stat_database_blks_hit{${sel}}[5m])) + sum(rate(pg_stat_database_blks_read{${sel}}[5m]))) * 100`,
          legend: "hit rate",
        },
      ],
    },
    {
      kind: "timeseries",
      title: "Deadlocks per hour",
      unit: "short",
      queries: [{ expr: `sum by (datname) (increase(pg_stat_database_deadlocks{${sel}}[1h]))`, legend: "{{datname}}" }],
    },
    // Lag exists only on read replicas (the primary's exporter always reports 0): the panel reads their exporters.
    ...(replicaJobPattern
      ? [
          {
            kind: "timeseries" as const,
            title: "Replica lag",
            unit: "s",
            queries: [{ expr: `max by (job) (pg_replication_lag_seconds{job=~"${replicaJobPattern}"})`, legend: "{{job}}" }],
          },
        ]
      : []),
    {
      kind: "timeseries",
      title: "Longest open transaction",
      unit: "s",
      queries: [{ expr: `max by (state) (pg_stat_activity_max_tx_duration{${sel}})`, legend: "{{state}}" }],
    },
    {
      kind: "timeseries",
      title: "Database size",
      unit: "bytes",
      queries: [{ expr: `sum by (datname) (pg_database_size_bytes{${sel}})`, legend: "{{datname}}" }],
    },
  ];
  if (storageBytes !== undefined) {
    panels.push({
      kind: "stat",
      title: "Storage used",
      unit: "percent",
      queries: [{ expr: `sum(pg_database_size_bytes{${sel}}) / ${storageBytes} * 100`, legend: "used" }],
    });
  }
  return panels;
}

function redisPanels(sel: string): PanelSpec[] {
  return [
    { kind: "stat", title: "Up", unit: "bool_yes_no", queries: [{ expr: `max(redis_up{${sel}})`, legend: "up" }] },
    {
      kind: "stat",
      title: "Memory used of maxmemory",
      unit: "percent",
      queries: [{ expr: `max(redis_memory_used_bytes{${sel}}) / max(redis_memory_max_bytes{${sel}} > 0) * 100`, legend: "used" }],
    },
    {
      kind: "timeseries",
      title: "Memory",
      unit: "bytes",
      queries: [
        { expr: `max(redis_memory_used_bytes{${sel}})`, legend: "used" },
        { expr: `max(redis_memory_max_bytes{${sel}})`, legend: "maxmemory" },
      ],
    },
    {
      kind: "timeseries",
      title: "Connected clients",
      unit: "short",
      queries: [
        { expr: `max(redis_connected_clients{${sel}})`, legend: "clients" },
        { expr: `sum(increase(redis_rejected_connections_total{${sel}}[5m]))`, legend: "rejected / 5m" },
      ],
    },
    {
      kind: "timeseries",
      title: "Commands per second",
      unit: "ops",
      queries: [{ expr: `sum(rate(redis_commands_processed_total{${sel}}[5m]))`, legend: "commands" }],
    },
    {
      kind: "timeseries",
      title: "Keyspace hit rate",
      unit: "percent",
      queries: [
        {
          expr: `sum(rate(redis_keyspace_hits_total{${sel}}[5m])) / (sum(rate(redis_keyspace_hits_total{${sel}}[5m])) + sum(rate(redis_keyspace_misses_total{${sel}}[5m]))) * 100`,
          legend: "hit rate",
        },
      ],
    },
    {
      kind: "timeseries",
      title: "Replicas",
      unit: "short",
      queries: [{ expr: `max by (instance) (redis_connected_slaves{${sel}})`, legend: "{{instance}}" }],
    },
    {
      kind: "timeseries",
      title: "Seconds since last RDB save",
      unit: "s",
      queries: [{ expr: `time() - max(redis_rdb_last_save_timestamp_seconds{${sel}})`, legend: "age" }],
    },
  ];
}

function mongodbPanels(sel: string, replicaSet: boolean): PanelSpec[] {
  const conn = (type: string) => `max(mongodb_ss_connections{${sel}, conn_type="${type}"})`;
  const panels: PanelSpec[] = [
    { kind: "stat", title: "Up", unit: "bool_yes_no", queries: [{ expr: `max(mongodb_up{${sel}})`, legend: "up" }] },
    {
      kind: "stat",
      title: "Connections used",
      unit: "percent",
      queries: [{ expr: `${conn("current")} / (${conn("current")} + ${conn("available")}) * 100`, legend: "used" }],
    },
    {
      kind: "timeseries",
      title: "Connections",
      unit: "short",
      queries: [
        { expr: conn("current"), legend: "current" },
        { expr: conn("available"), legend: "available" },
      ],
    },
    {
      kind: "timeseries",
      title: "Operations per second",
      unit: "ops",
      queries: [{ expr: `sum by (legacy_op_type) (rate(mongodb_ss_opcounters{${sel}}[5m]))`, legend: "{{legacy_op_type}}" }],
    },
    {
      kind: "timeseries",
      title: "Resident memory",
      unit: "decmbytes",
      queries: [{ expr: `max(mongodb_ss_mem_resident{${sel}})`, legend: "resident" }],
    },
  ];
  if (replicaSet) {
    panels.push(
      {
        kind: "timeseries",
        title: "Replica-set member state (1 primary, 2 secondary)",
        unit: "short",
        queries: [{ expr: `max by (member_idx) (mongodb_rs_members_state{${sel}})`, legend: "{{member_idx}}" }],
      },
      {
        kind: "timeseries",
        title: "Replication lag",
        unit: "s",
        queries: [{ expr: `max by (name) (mongodb_mongod_replset_member_replication_lag{${sel}})`, legend: "{{name}}" }],
      },
    );
  }
  return panels;
}

const ENGINE_TITLES: Record<Engine, string> = { postgres: "PostgreSQL", redis: "Redis", mongodb: "MongoDB" };

function buildPanel(spec: PanelSpec) {
  const panel = spec.kind === "stat" ? new stat.PanelBuilder() : new timeseries.PanelBuilder();
  panel.title(spec.title).unit(spec.unit).datasource(DATASOURCE).height(8).span(spec.kind === "stat" ? 6 : 12);
  spec.queries.forEach((q, i) => {
    panel.withTarget(
      new prometheus.DataqueryBuilder()
        .datasource(DATASOURCE)
        .expr(q.expr)
        .legendFormat(q.legend)
        .refId(String.fromCharCode(65 + i)),
    );
  });
  return panel;
}

/**
 * Per-database Grafana dashboard, built with the Grafana Foundation SDK and returned as plain JSON data
 * for the AlertingStack to provision.
 */
/** Grafana uid (at most 40 characters) of a database's dashboard; long names end in a hash rather than colliding. */
export function databaseDashboardUid(input: Pick<DatabaseDashboardInput, "database" | "engine">): string {
  return boundedId(["db", input.database, input.engine], 40);
}

export function databaseDashboard(input: DatabaseDashboardInput): Dashboard {
  const sel = `job="${input.job}"`;
  const engineTitle = ENGINE_TITLES[input.engine];
  const uid = databaseDashboardUid(input);
  const builder = new dashboard.DashboardBuilder(`${engineTitle} ${input.database}`)
    .uid(uid)
    .tags(["database", input.engine, input.database])
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(new dashboard.DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"))
    .withRow(new dashboard.RowBuilder("Overview"));
  const panels = {
    postgres: () => postgresPanels(sel, input.storageBytes, input.replicaJobPattern),
    redis: () => [
      ...redisPanels(sel),
      ...(input.sharded
        ? [
            {
              kind: "timeseries" as const,
              title: "Memory used of maxmemory by shard",
              unit: "percent",
              queries: [
                {
                  expr: `max by (shard, node) (redis_memory_used_bytes{${sel}}) / max by (shard, node) (redis_memory_max_bytes{${sel}} > 0) * 100`,
                  legend: "shard {{shard}} node {{node}}",
                },
              ],
            },
          ]
        : []),
    ],
    mongodb: () => mongodbPanels(sel, input.replicaSet ?? false),
  }[input.engine]();
  for (const spec of panels) builder.withPanel(buildPanel(spec));
  // Round-trip through JSON: the model is data, free of builder class instances and undefined fields.
  const model = JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown>;
  return { uid, title: `${engineTitle} ${input.database}`, folder: DASHBOARD_FOLDER, model };
}
