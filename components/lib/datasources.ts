/**
 * Grafana datasources that modules other than the AlertingStack contribute (Loki from the log pipeline, Jaeger
 * from the trace pipeline). The AlertingStack provisions them next to its Prometheus: through the chart's
 * `grafana.additionalDataSources` on Kubernetes and a provisioning file on Docker.
 */
export interface GrafanaDatasource {
  name: string;
  type: "loki" | "jaeger";
  /** Stable uid dashboards and links refer to. */
  uid: string;
  /** Where Grafana's backend reaches the datasource (in-cluster / in-network URL). */
  url: string;
  /** Datasource-specific settings (e.g. Loki's derived fields linking trace ids to the Jaeger datasource). */
  jsonData?: Record<string, unknown>;
}

/** Grafana provisioning entries (the format of both the chart value and the provisioning file). */
export function provisionedDatasources(list: ReadonlyArray<GrafanaDatasource>): Array<Record<string, unknown>> {
  return list.map((d) => ({
    name: d.name,
    type: d.type,
    uid: d.uid,
    access: "proxy",
    url: d.url,
    isDefault: false,
    editable: false,
    ...(d.jsonData ? { jsonData: d.jsonData } : {}),
  }));
}
