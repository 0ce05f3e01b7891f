import { parse } from "yaml";
import { grafanaProvisioning } from "../../../components/alerting-stack/docker";
import { chartValues } from "../../../components/alerting-stack/kubernetes";
import type { GrafanaDatasource } from "../../../components/lib/datasources";
import { ctxFor } from "./fixtures";

const LOKI: GrafanaDatasource = { name: "Loki", type: "loki", uid: "loki", url: "http://loki.logging.svc:3100" };
const JAEGER: GrafanaDatasource = { name: "Jaeger", type: "jaeger", uid: "jaeger", url: "http://jaeger.tracing.svc:16686" };

const values = (datasources?: GrafanaDatasource[]) =>
  chartValues({ ctx: ctxFor("prod", "kubernetes"), retention: "30d", storageSize: "100Gi", replicas: 2, managedControlPlane: true, alertmanagerConfig: {}, receiverSecret: "r", grafanaSecret: "g", datasources }) as any;

test("Kubernetes: other modules' datasources become the chart's additionalDataSources, read-only; none without them", () => {
  expect(values([LOKI, JAEGER]).grafana.additionalDataSources).toEqual([
    { name: "Loki", type: "loki", uid: "loki", access: "proxy", url: "http://loki.logging.svc:3100", isDefault: false, editable: false },
    { name: "Jaeger", type: "jaeger", uid: "jaeger", access: "proxy", url: "http://jaeger.tracing.svc:16686", isDefault: false, editable: false },
  ]);
  expect(values().grafana.additionalDataSources).toBeUndefined();
});

test("Docker: they join Prometheus (still the default) in the provisioning file", () => {
  const file = grafanaProvisioning([], [LOKI])["/etc/grafana/provisioning/datasources/prometheus.yml"];
  const list = parse(file).datasources;
  expect(list.map((d: any) => [d.uid, d.isDefault])).toEqual([["prometheus", true], ["loki", false]]);
  expect(parse(grafanaProvisioning([])["/etc/grafana/provisioning/datasources/prometheus.yml"]).datasources).toHaveLength(1);
});
