import type { RuleGroup } from "./alerts";
import type { MonitoringBundle, ScrapeTarget } from "./monitoring";

/**
 * Alerts of the log and trace pipelines (pure), handed to the AlertingStack like any component's bundle. The
 * series are the ones Fluent Bit (`/api/v2/metrics/prometheus`) and the OpenTelemetry Collector (its own
 * telemetry on :8888) export; each alert has docs/runbooks/<alert>.md.
 */
export const LOG_PIPELINE_ALERTS = ["LogShipperDroppingLogs"] as const;
export const TRACE_PIPELINE_ALERTS = ["TraceExportFailing"] as const;

/** Fluent Bit's Prometheus metrics path (the v1 path lacks the output counters' HELP/TYPE lines). */
export const FLUENT_BIT_METRICS_PATH = "/api/v2/metrics/prometheus";

export function logPipelineRules(): RuleGroup[] {
  return [
    {
      name: "log-pipeline",
      rules: [
        {
          alert: "LogShipperDroppingLogs",
          // Records Fluent Bit gave up on (retries exhausted) or dropped: those log lines never reach the sink.
          expr:
            "sum by (namespace, pod, instance, name) (increase(fluentbit_output_retries_failed_total[10m])) > 0" +
            " or sum by (namespace, pod, instance, name) (increase(fluentbit_output_dropped_records_total[10m])) > 0",
          for: "5m",
          severity: "warning",
          summary: "Fluent Bit is losing log records",
          description: "Fluent Bit output {{ $labels.name }} on {{ $labels.instance }} gave up on or dropped {{ $value }} records in 10 minutes: those logs are lost. Check the sink.",
        },
      ],
    },
  ];
}

export function tracePipelineRules(): RuleGroup[] {
  return [
    {
      name: "trace-pipeline",
      rules: [
        {
          alert: "TraceExportFailing",
          expr: "sum by (namespace, pod, instance, exporter) (rate(otelcol_exporter_send_failed_spans_total[5m])) > 0",
          for: "10m",
          severity: "warning",
          summary: "The trace collector cannot deliver spans to Jaeger",
          description: "Exporter {{ $labels.exporter }} on {{ $labels.instance }} fails to send {{ $value | humanize }} spans/s: traces are being lost.",
        },
      ],
    },
  ];
}

/** Bundles: rules on both targets; on Docker the static scrape targets too (Kubernetes uses PodMonitors). */
export function logPipelineMonitoring(target: "kubernetes" | "docker"): MonitoringBundle {
  const scrapeTargets: ScrapeTarget[] = target === "docker" ? [{ job: "fluent-bit", targets: ["fluent-bit:2020"], metricsPath: FLUENT_BIT_METRICS_PATH }] : [];
  return { ruleGroups: logPipelineRules(), dashboards: [], scrapeTargets };
}

export function tracePipelineMonitoring(target: "kubernetes" | "docker"): MonitoringBundle {
  const scrapeTargets: ScrapeTarget[] = target === "docker" ? [{ job: "otel-collector", targets: ["otel-collector:8888"] }] : [];
  return { ruleGroups: tracePipelineRules(), dashboards: [], scrapeTargets };
}
