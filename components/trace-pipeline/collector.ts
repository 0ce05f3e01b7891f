import type { SamplingMode } from "./args";

/**
 * OpenTelemetry Collector configuration (pure): OTLP in (gRPC 4317, HTTP 4318), memory limiter first (it refuses
 * data before the process runs out of memory), then sampling, then batching, out to Jaeger over OTLP gRPC.
 * Component names are those of the pinned collector release (0.161: `otlp_grpc`); the integration tier validates
 * every config with a collector built at that release (tools/otelcol).
 */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
export const COLLECTOR_HEALTH_PORT = 13133;
export const COLLECTOR_METRICS_PORT = 8888;
export const COLLECTOR_HOST = "otel-collector";
export const COLLECTOR_CONFIG_FILE = "/etc/otelcol/config.yaml";

export interface CollectorConfigInput {
  sampling: { mode: SamplingMode; percent: number; latencyThresholdMs: number };
  /** host:port of Jaeger's OTLP gRPC receiver. */
  jaegerEndpoint: string;
}

export function collectorConfig(input: CollectorConfigInput): Record<string, unknown> {
  const { sampling } = input;
  const samplerName = sampling.mode === "tail" ? "tail_sampling" : "probabilistic_sampler";
  const sampler =
    sampling.mode === "tail"
      ? {
          decision_wait: "10s",
          num_traces: 50000,
          expected_new_traces_per_sec: 100,
          policies: [
            { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
            { name: "slow", type: "latency", latency: { threshold_ms: sampling.latencyThresholdMs } },
            { name: "baseline", type: "probabilistic", probabilistic: { sampling_percentage: sampling.percent } },
          ],
        }
      : { sampling_percentage: sampling.percent };
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
      [samplerName]: sampler,
      batch: { send_batch_size: 1024, send_batch_max_size: 2048, timeout: "5s" },
    },
    exporters: {
      "otlp_grpc/jaeger": {
        endpoint: input.jaegerEndpoint,
        // In-cluster (or Docker network) hop to Jaeger; NetworkPolicies admit only the collector.
        tls: { insecure: true },
        sending_queue: { enabled: true, queue_size: 5000 },
        retry_on_failure: { enabled: true, max_elapsed_time: "300s" },
      },
    },
    extensions: { health_check: { endpoint: `0.0.0.0:${COLLECTOR_HEALTH_PORT}` } },
    service: {
      extensions: ["health_check"],
      telemetry: {
        logs: { level: "info" },
        metrics: { level: "normal", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: COLLECTOR_METRICS_PORT } } } }] },
      },
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["memory_limiter", samplerName, "batch"], exporters: ["otlp_grpc/jaeger"] },
      },
    },
  };
}

/** The environment a service needs to send spans (OpenTelemetry SDK variables, OTLP over HTTP). */
export function otelEnv(service: string, collectorHost: string, environment: string, namespace: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collectorHost}:${OTLP_HTTP_PORT}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_SERVICE_NAME: service,
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${environment},service.namespace=${namespace}`,
    OTEL_TRACES_EXPORTER: "otlp",
  };
}
