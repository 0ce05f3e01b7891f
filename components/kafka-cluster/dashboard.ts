import { dashboard, prometheus, stat, timeseries } from "../lib/grafana";
import type { Dashboard } from "../lib/monitoring";
import { boundedId } from "../lib/naming";
import { DASHBOARD_FOLDER } from "../monitored-database/dashboard";

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

interface PanelSpec {
  kind: "stat" | "timeseries";
  title: string;
  unit: string;
  queries: Array<{ expr: string; legend: string }>;
}

/** Panels over the series kafka_exporter emits, scoped to one cluster's exporter job. */
export function kafkaPanels(job: string): PanelSpec[] {
  const sel = `job="${job}"`;
  return [
    { kind: "stat", title: "Brokers", unit: "short", queries: [{ expr: `max(kafka_brokers{${sel}})`, legend: "brokers" }] },
    {
      kind: "stat",
      title: "Under-replicated partitions",
      unit: "short",
      queries: [{ expr: `sum(kafka_topic_partition_under_replicated_partition{${sel}})`, legend: "under-replicated" }],
    },
    {
      kind: "stat",
      title: "Partitions without a leader",
      unit: "short",
      queries: [{ expr: `count(kafka_topic_partition_replicas{${sel}} unless on (topic, partition) kafka_topic_partition_leader{${sel}}) or vector(0)`, legend: "offline" }],
    },
    {
      kind: "timeseries",
      title: "Consumer lag by group and topic",
      unit: "short",
      queries: [{ expr: `sum by (consumergroup, topic) (kafka_consumergroup_lag{${sel}} >= 0)`, legend: "{{consumergroup}} / {{topic}}" }],
    },
    {
      kind: "timeseries",
      title: "Messages in per topic",
      unit: "ops",
      queries: [{ expr: `sum by (topic) (rate(kafka_topic_partition_current_offset{${sel}, topic!~"__.*"}[5m]))`, legend: "{{topic}}" }],
    },
    {
      kind: "timeseries",
      title: "Consumed per group",
      unit: "ops",
      queries: [{ expr: `sum by (consumergroup) (rate(kafka_consumergroup_current_offset{${sel}}[5m]))`, legend: "{{consumergroup}}" }],
    },
    {
      kind: "timeseries",
      title: "In-sync replicas (lowest per topic)",
      unit: "short",
      queries: [{ expr: `min by (topic) (kafka_topic_partition_in_sync_replica{${sel}, topic!~"__.*"})`, legend: "{{topic}}" }],
    },
    {
      kind: "timeseries",
      title: "Consumer group members",
      unit: "short",
      queries: [{ expr: `max by (consumergroup) (kafka_consumergroup_members{${sel}})`, legend: "{{consumergroup}}" }],
    },
  ];
}

/** Grafana uid (at most 40 characters) of a cluster's dashboard. */
export function kafkaDashboardUid(name: string): string {
  return boundedId(["kafka", name], 40);
}

/** Per-cluster Grafana dashboard, built with the Grafana Foundation SDK and returned as plain JSON data. */
export function kafkaDashboard(input: { kafka: string; job: string }): Dashboard {
  const uid = kafkaDashboardUid(input.kafka);
  const title = `Kafka ${input.kafka}`;
  const builder = new dashboard.DashboardBuilder(title)
    .uid(uid)
    .tags(["kafka", input.kafka])
    .refresh("1m")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(new dashboard.DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"))
    .withRow(new dashboard.RowBuilder("Overview"));
  for (const spec of kafkaPanels(input.job)) {
    const panel = spec.kind === "stat" ? new stat.PanelBuilder() : new timeseries.PanelBuilder();
    panel.title(spec.title).unit(spec.unit).datasource(DATASOURCE).height(8).span(spec.kind === "stat" ? 8 : 12);
    spec.queries.forEach((q, i) =>
      panel.withTarget(new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(q.expr).legendFormat(q.legend).refId(String.fromCharCode(65 + i))),
    );
    builder.withPanel(panel);
  }
  const model = JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown>;
  return { uid, title, folder: DASHBOARD_FOLDER, model };
}
