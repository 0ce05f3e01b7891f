import { z } from "zod";

/**
 * Which series a service's HTTP (RED) and SLO alerts read. Services instrumented with a client library's
 * defaults export `http_requests_total{status}` and `http_request_duration_seconds`; others prefix or rename
 * them (seed 002: `paimon_http_request_duration_seconds`, paged on at P99; Go's promhttp labels the status
 * `code`). Each service states its own names, so its alerts never read another service's series.
 */
export interface HttpMetrics {
  /** Request counter with a status-code label. */
  requestsTotal: string;
  /** Duration histogram's base name (the `_bucket`, `_count` and `_sum` series are derived from it). */
  durationHistogram: string;
  /** Label of `requestsTotal` holding the HTTP status code (5xx counts as an error). */
  statusLabel: string;
  /** Quantile the latency alerts compare with the latency thresholds, e.g. 0.99 for P99. */
  latencyQuantile: number;
}

export const DEFAULT_HTTP_METRICS: HttpMetrics = {
  requestsTotal: "http_requests_total",
  durationHistogram: "http_request_duration_seconds",
  statusLabel: "status",
  latencyQuantile: 0.95,
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the rules group or select by themselves: a status label with one of these names would clash. */
const RESERVED_LABELS = ["job", "service", "le", "instance", "namespace", "quantile"];

const metricName = z.string().regex(METRIC_NAME, { message: "must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)" });

export const httpMetricsSchema = z
  .strictObject({
    requestsTotal: metricName
      .optional()
      .describe("Request counter the error-rate and availability alerts read; it must carry the status label. Default: `http_requests_total`. Example: `paimon_http_requests_total`"),
    durationHistogram: metricName
      .refine((n) => !/_(bucket|count|sum)$/.test(n), {
        message: "must be the histogram's base name, without the _bucket, _count or _sum suffix",
      })
      .optional()
      .describe("Base name of the request duration histogram (its `_bucket` and `_count` series are read) for the latency and latency-SLO alerts. Default: `http_request_duration_seconds`. Example: `paimon_http_request_duration_seconds`"),
    statusLabel: z
      .string()
      .regex(LABEL_NAME, { message: "must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)" })
      .refine((n) => !n.startsWith("__"), { message: "must not start with __ (reserved for Prometheus internals)" })
      .refine((n) => !RESERVED_LABELS.includes(n), { message: `must not be one of ${RESERVED_LABELS.join(", ")} (the rules use them themselves)` })
      .optional()
      .describe("Label of the request counter holding the HTTP status code; values matching 5.. count as errors. Default: `status`. Example: `code`"),
    latencyQuantile: z
      .number()
      .gt(0, { message: "must be a quantile greater than 0 and less than 1, e.g. 0.99" })
      .lt(1, { message: "must be a quantile greater than 0 and less than 1, e.g. 0.99" })
      .optional()
      .describe("Quantile of the request duration the HttpLatency alerts compare with `platform:alerting.thresholds.latencyP95Seconds`. Default: `0.95` (P95). Example: `0.99`"),
  })
  .describe(
    "Names of the HTTP metrics the service exports, read by its HttpErrorRate/HttpLatency alerts, SLO burn-rate alerts, RED dashboard and the platform overview dashboard (web and api; other kinds have no HTTP alerts, so a value inherited from serviceDefaults is ignored there). Settings left out keep the defaults. Default: `{requestsTotal: http_requests_total, durationHistogram: http_request_duration_seconds, statusLabel: status, latencyQuantile: 0.95}`. Example: `{requestsTotal: paimon_http_requests_total, durationHistogram: paimon_http_request_duration_seconds, latencyQuantile: 0.99}`",
  );

export type HttpMetricsSettings = z.input<typeof httpMetricsSchema>;

/** The settings merged over the defaults. */
export function resolveHttpMetrics(settings: Partial<HttpMetrics> | undefined): HttpMetrics {
  return { ...DEFAULT_HTTP_METRICS, ...Object.fromEntries(Object.entries(settings ?? {}).filter(([, v]) => v !== undefined)) };
}

/** "P99", "P99.9": how the quantile reads in alert text. */
export function quantileLabel(q: number): string {
  return `P${Number((q * 100).toPrecision(12))}`;
}
