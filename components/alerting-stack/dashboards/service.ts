import { dashboard } from "../../lib/grafana";
import type { MonitoredService } from "../../lib/contracts";
import { quantileLabel, resolveHttpMetrics } from "../../lib/http-metrics";
import type { Dashboard } from "../../lib/monitoring";
import { boundedId } from "../../lib/naming";
import { timeseriesPanel } from "./panels";

/**
 * uid doubles as the ConfigMap / file name: a DNS label, and Grafana caps uids at 40 characters. Long namespace
 * and service names end in a hash instead of being cut, so services never share a uid.
 */
export function serviceDashboardUid(svc: Pick<MonitoredService, "namespace" | "name">): string {
  return boundedId(["svc", svc.namespace, svc.name], 40);
}

/** RED dashboard (rate, errors, duration) of one service on the series it exports, selected by its job and service labels. */
export function serviceDashboard(svc: MonitoredService): Dashboard {
  const sel = `job="${svc.job}",service="${svc.name}"`;
  const m = resolveHttpMetrics(svc.http);
  // The quantile the service's latency alerts use is always drawn, beside the median.
  const quantiles = [...new Set([0.5, 0.95, 0.99, m.latencyQuantile])].sort((a, b) => a - b);
  const uid = serviceDashboardUid(svc);
  const title = `Service ${svc.namespace}/${svc.name}`;
  const builder = new dashboard.DashboardBuilder(title)
    .uid(uid)
    .tags(["platform", "service", svc.kind])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .withPanel(
      timeseriesPanel({
        title: "Rate",
        unit: "reqps",
        queries: [{ expr: `sum by (${m.statusLabel}) (rate(${m.requestsTotal}{${sel}}[5m]))`, legend: `{{${m.statusLabel}}}` }],
        grid: { x: 0, y: 0, w: 8, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Errors",
        unit: "percent",
        queries: [
          {
            expr: `100 * sum(rate(${m.requestsTotal}{${sel},${m.statusLabel}=~"5.."}[5m])) / sum(rate(${m.requestsTotal}{${sel}}[5m]))`,
            legend: "5xx %",
          },
        ],
        grid: { x: 8, y: 0, w: 8, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Duration",
        unit: "s",
        queries: quantiles.map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(${m.durationHistogram}_bucket{${sel}}[5m])))`,
          legend: quantileLabel(q),
        })),
        grid: { x: 16, y: 0, w: 8, h: 8 },
      }),
    );
  return { uid, title, folder: "Services", model: builder.build() as unknown as Record<string, unknown> };
}
