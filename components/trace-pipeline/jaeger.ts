/**
 * Jaeger v2 configuration (pure). Jaeger v2 is itself an OpenTelemetry Collector distribution: OTLP in, the
 * `jaeger_storage` extension with a Badger backend on a volume (spans expire after `retentionHours`), the
 * `jaeger_query` extension serving the UI and API on 16686 (Grafana's Jaeger datasource reads it).
 */
export const JAEGER_HOST = "jaeger";
export const JAEGER_QUERY_PORT = 16686;
export const JAEGER_OTLP_PORT = 4317;
export const JAEGER_HEALTH_PORT = 13133;
export const JAEGER_DATA_DIR = "/badger";
export const JAEGER_CONFIG_FILE = "/etc/jaeger/config.yaml";

export function jaegerConfig(input: { retentionHours: number }): Record<string, unknown> {
  return {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: { traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } },
      telemetry: { logs: { level: "info" } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `0.0.0.0:${JAEGER_HEALTH_PORT}` } },
      jaeger_query: { storage: { traces: "main" }, http: { endpoint: `0.0.0.0:${JAEGER_QUERY_PORT}` } },
      jaeger_storage: {
        backends: {
          main: {
            badger: {
              directories: { keys: `${JAEGER_DATA_DIR}/keys`, values: `${JAEGER_DATA_DIR}/values` },
              ephemeral: false,
              ttl: { spans: `${input.retentionHours}h` },
            },
          },
        },
      },
    },
    receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${JAEGER_OTLP_PORT}` } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: "main" } },
  };
}
