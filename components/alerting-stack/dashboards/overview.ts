import type { MonitoredService } from "../../lib/contracts";
import { dashboard } from "../../lib/grafana";
import { quantileLabel, resolveHttpMetrics, type HttpMetrics } from "../../lib/http-metrics";
import type { Dashboard } from "../../lib/monitoring";
import { HTTP_KINDS } from "../rules/http";
import type { AlertThresholds } from "../thresholds";
import { timeseriesPanel } from "./panels";

/**
 * Services that export the same HTTP series (one "metric family"), and the selector that scopes a query to them.
 *
 * Why a query per family and not recording rules that copy every service's series under one name: the dashboard is
 * the only reader, so recording rules would make Prometheus evaluate and store a second copy of every service's
 * request and histogram series around the clock just to draw three panels (and ship one more rule file to test).
 * A stack has few families (the client libraries' default names and one prefix per team, e.g. seed 002's
 * `paimon_`), so a panel has few queries; each is scoped to its services' job and service labels, so a service
 * exporting both names is never counted twice.
 */
interface MetricFamily {
  metrics: HttpMetrics;
  /** `{job=~"a|b",service=~"x|y"}`, or empty for the unscoped default family of a stack that declares no services. */
  scope: string;
}

/**
 * Alternation of literal values (job and service names) for a `=~` matcher (Prometheus anchors it): regex
 * metacharacters escaped, then backslashes doubled for the PromQL string literal.
 */
function alternation(values: ReadonlyArray<string>): string {
  return [...new Set(values)].map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\/g, "\\\\")).join("|");
}

/**
 * The distinct families of `services` (web/api only: other kinds serve no HTTP) under `key`, each with its scope.
 * Without HTTP services the overview still reads the default names, unscoped: a stack that uses the component
 * without declaring services keeps seeing whatever exports them.
 */
function familiesOf(services: ReadonlyArray<MonitoredService>, key: (m: HttpMetrics) => string): MetricFamily[] {
  const http = services.filter((s) => HTTP_KINDS.has(s.kind));
  if (http.length === 0) return [{ metrics: resolveHttpMetrics(undefined), scope: "" }];
  const byKey = new Map<string, { metrics: HttpMetrics; services: MonitoredService[] }>();
  for (const svc of http) {
    const metrics = resolveHttpMetrics(svc.http);
    const k = key(metrics);
    byKey.set(k, { metrics: byKey.get(k)?.metrics ?? metrics, services: [...(byKey.get(k)?.services ?? []), svc] });
  }
  return [...byKey.values()].map(({ metrics, services: members }) => ({
    metrics,
    scope: `job=~"${alternation(members.map((s) => s.job))}",service=~"${alternation(members.map((s) => s.name))}"`,
  }));
}

/** Selector braces with the family's scope and `extra` matchers; nothing when there are none. */
function sel(scope: string, extra = ""): string {
  const matchers = [scope, extra].filter((x) => x !== "");
  return matchers.length > 0 ? `{${matchers.join(",")}}` : "";
}

/** Every PromQL query of the overview's HTTP panels for these services (exported for tests and checks). */
export function overviewHttpQueries(services: ReadonlyArray<MonitoredService>) {
  const requests = familiesOf(services, (m) => m.requestsTotal).map(({ metrics: m, scope }) => ({
    expr: `sum by (service) (rate(${m.requestsTotal}${sel(scope)}[5m]))`,
    legend: "{{service}}",
  }));
  // A service's latency is drawn at the quantile its HttpLatency alerts use, so the thresholds in the description hold.
  const latencyFamilies = familiesOf(services, (m) => `${m.durationHistogram} ${m.latencyQuantile}`);
  const latency = latencyFamilies.map(({ metrics: m, scope }) => ({
    expr: `histogram_quantile(${m.latencyQuantile}, sum by (service, le) (rate(${m.durationHistogram}_bucket${sel(scope)}[5m])))`,
    legend: `{{service}} ${quantileLabel(m.latencyQuantile)}`,
  }));
  const errors = familiesOf(services, (m) => `${m.requestsTotal} ${m.statusLabel}`).map(({ metrics: m, scope }) => ({
    expr:
      `100 * sum by (service) (rate(${m.requestsTotal}${sel(scope, `${m.statusLabel}=~"5.."`)}[5m]))` +
      ` / sum by (service) (rate(${m.requestsTotal}${sel(scope)}[5m]))`,
    legend: "{{service}}",
  }));
  const quantiles = [...new Set(latencyFamilies.map((f) => quantileLabel(f.metrics.latencyQuantile)))];
  const latencyTitle = quantiles.length === 1 ? `${quantiles[0]} latency` : `Latency (${quantiles.join(", ")}: each service's alert quantile)`;
  return { requests, latency, errors, latencyTitle };
}

/**
 * Platform overview: traffic, latency and errors of every service on the series each one exports (its `http`
 * metric names, status label and alert quantile), then node CPU and memory.
 */
export function overviewDashboard(t: AlertThresholds, services: ReadonlyArray<MonitoredService> = []): Dashboard {
  const q = overviewHttpQueries(services);
  const builder = new dashboard.DashboardBuilder("Platform overview")
    .uid("platform-overview")
    .tags(["platform", "overview"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .withPanel(
      timeseriesPanel({
        title: "Request rate",
        unit: "reqps",
        queries: q.requests,
        grid: { x: 0, y: 0, w: 12, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: q.latencyTitle,
        unit: "s",
        description: `Warning at ${t.latencyP95Seconds.warning}s, critical at ${t.latencyP95Seconds.critical}s.`,
        queries: q.latency,
        grid: { x: 12, y: 0, w: 12, h: 8 },
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "5xx error rate",
        unit: "percent",
        description: `Warning at ${t.errorRatePercent.warning}%, critical at ${t.errorRatePercent.critical}%.`,
        queries: q.errors,
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
