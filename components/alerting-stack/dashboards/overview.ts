import { dashboard } from "../../lib/grafana";
import type { Dashboard } from "../../lib/monitoring";
import type { AlertThresholds } from "../thresholds";
import { timeseriesPanel } from "./panels";

/** Platform overview: traffic, latency and errors of every service, then node CPU and memory. */
export function overviewDashboard(t: AlertThresholds): Dashboard {
  const builder = new dashboard.DashboardBuilder("Platform overview")
    .uid("platform-overview")
    .tags(["platform", "overview"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .withPanel(
      timeseriesPanel({
        title: "Request rate",
        unit: "reqps",
        queries: [{ expr: "sum by (service) (rate(http_requests_total[5m]))", legend: "{{service}}" }],
        grid: { x: 0, y: 0, w: 12, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "P95 latency",
        unit: "s",
        description: `Warning at ${t.latencyP95Seconds.warning}s, critical at ${t.latencyP95Seconds.critical}s.`,
        queries: [
          {
            expr: "histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))",
            legend: "{{service}}",
          },
        ],
        grid: { x: 12, y: 0, w: 12, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "5xx error rate",
        unit: "percent",
        description: `Warning at ${t.errorRatePercent.warning}%, critical at ${t.errorRatePercent.critical}%.`,
        queries: [
          {
            expr: '100 * sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m]))',
            legend: "{{service}}",
          },
        ],
        grid: { x: 0, y: 8, w: 12, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Node CPU usage",
        unit: "percent",
        queries: [
          { expr: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))', legend: "{{instance}}" },
        ],
        grid: { x: 12, y: 8, w: 6, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Node memory usage",
        unit: "percent",
        queries: [
          { expr: "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", legend: "{{instance}}" },
        ],
        grid: { x: 18, y: 8, w: 6, h: 8 },
      }),
    );
  return { uid: "platform-overview", title: "Platform overview", folder: "Platform", model: builder.build() as unknown as Record<string, unknown> };
}
