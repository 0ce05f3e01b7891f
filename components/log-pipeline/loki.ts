import { LOKI_PORT } from "./sink";

/**
 * Configuration of the Loki this module installs (pure): one process (`-target=all`), TSDB index and chunks on
 * the local filesystem (a volume), and retention enforced by the compactor, which deletes chunks older than
 * `retention` (Loki keeps everything forever unless retention is enabled).
 */
export const LOKI_DATA_DIR = "/loki";
export const LOKI_CONFIG_FILE = "/etc/loki/loki.yaml";

export function lokiConfig(input: { retentionHours: number }): Record<string, unknown> {
  return {
    auth_enabled: false,
    server: { http_listen_port: LOKI_PORT, grpc_listen_port: 9095, log_level: "info" },
    common: {
      path_prefix: LOKI_DATA_DIR,
      replication_factor: 1,
      ring: { instance_addr: "127.0.0.1", kvstore: { store: "inmemory" } },
      storage: { filesystem: { chunks_directory: `${LOKI_DATA_DIR}/chunks`, rules_directory: `${LOKI_DATA_DIR}/rules` } },
    },
    schema_config: {
      configs: [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }],
    },
    compactor: {
      working_directory: `${LOKI_DATA_DIR}/compactor`,
      retention_enabled: true,
      delete_request_store: "filesystem",
      retention_delete_delay: "2h",
    },
    limits_config: {
      retention_period: `${input.retentionHours}h`,
      reject_old_samples: true,
      reject_old_samples_max_age: "168h",
      ingestion_rate_mb: 8,
      ingestion_burst_size_mb: 16,
    },
    analytics: { reporting_enabled: false },
  };
}
