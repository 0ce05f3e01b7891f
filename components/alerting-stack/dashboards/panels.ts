import { prometheus, timeseries, type DataSourceRef, type TimeseriesPanelBuilder } from "../../lib/grafana";

/**
 * The Prometheus datasource every provisioned dashboard points at. The chart's Grafana and the Docker
 * provisioning file both create it with this uid, so dashboards work without a datasource variable.
 */
export const PROMETHEUS_DATASOURCE: DataSourceRef = { type: "prometheus", uid: "prometheus" };

/** A time-series panel of one or more PromQL queries on a 24-column grid. */
export function timeseriesPanel(opts: {
  title: string;
  unit: string;
  queries: Array<{ expr: string; legend: string }>;
  grid: { x: number; y: number; w: number; h: number };
  description?: string;
}): TimeseriesPanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(opts.title)
    .unit(opts.unit)
    .datasource(PROMETHEUS_DATASOURCE)
    .gridPos(opts.grid);
  if (opts.description) panel.description(opts.description);
  opts.queries.forEach((q, i) =>
    panel.withTarget(
      new prometheus.DataqueryBuilder()
        .expr(q.expr)
        .legendFormat(q.legend)
        // A..Z, then Q26, Q27...: the overview has a query per metric family, which may be more than 26.
        .refId(i < 26 ? String.fromCharCode(65 + i) : `Q${i}`),
    ),
  );
  return panel;
}
