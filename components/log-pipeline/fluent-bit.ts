import { MASK_FUNCTION } from "./masking";
import { SINK_PASSWORD_ENV, type ResolvedSink } from "./sink";

/**
 * Fluent Bit configuration (pure), in Fluent Bit's YAML format. Kubernetes: tail the container logs of the node
 * (CRI or Docker format), add pod metadata from the API server and merge a JSON log line into the record's
 * fields. Docker: tail the json-file logs of the engine's containers and parse a JSON log line the same way.
 * Then both mask secrets (./masking.ts) and ship to the sink.
 */

/** Where the config, the masking script and the tail position database live inside the container. */
export const FLUENT_BIT_CONFIG_DIR = "/fluent-bit/etc";
export const FLUENT_BIT_CONFIG_FILE = `${FLUENT_BIT_CONFIG_DIR}/fluent-bit.yaml`;
export const MASKING_SCRIPT_FILE = `${FLUENT_BIT_CONFIG_DIR}/mask.lua`;
export const FLUENT_BIT_STATE_DIR = "/var/lib/fluent-bit";
/** Fluent Bit's HTTP server: health (`/api/v1/health`) and Prometheus metrics (`/api/v2/metrics/prometheus`). */
export const FLUENT_BIT_HTTP_PORT = 2020;

export interface FluentBitInput {
  target: "kubernetes" | "docker";
  environment: string;
  sink: ResolvedSink;
  /** Kubernetes: the namespace Fluent Bit runs in (its own logs are not shipped, to avoid a feedback loop). */
  namespace?: string;
  /** Memory a tail input may buffer before it pauses reading (back-pressure instead of OOM). */
  memBufLimit?: string;
}

export function fluentBitConfig(input: FluentBitInput): Record<string, unknown> {
  const kubernetes = input.target === "kubernetes";
  const tag = kubernetes ? "kube.*" : "docker.*";
  const tail = kubernetes
    ? {
        name: "tail",
        tag,
        path: "/var/log/containers/*.log",
        ...(input.namespace ? { exclude_path: `/var/log/containers/*_${input.namespace}_*.log` } : {}),
        "multiline.parser": "cri, docker",
      }
    : {
        name: "tail",
        tag,
        path: "/var/lib/docker/containers/*/*-json.log",
        path_key: "source_file",
        "multiline.parser": "docker",
      };
  const filters: Array<Record<string, unknown>> = kubernetes
    ? [
        {
          name: "kubernetes",
          match: tag,
          kube_tag_prefix: "kube.var.log.containers.",
          merge_log: "on",
          keep_log: "off",
          "k8s-logging.parser": "on",
          "k8s-logging.exclude": "on",
          labels: "on",
          annotations: "off",
        },
      ]
    : [{ name: "parser", match: tag, key_name: "log", parser: "json", reserve_data: "on" }];
  filters.push(
    { name: "lua", match: "*", script: MASKING_SCRIPT_FILE, call: MASK_FUNCTION },
    { name: "modify", match: "*", add: `environment ${input.environment}` },
  );
  return {
    service: {
      flush: 1,
      log_level: "info",
      http_server: "on",
      http_listen: "0.0.0.0",
      http_port: FLUENT_BIT_HTTP_PORT,
      health_check: "on",
    },
    parsers: [{ name: "json", format: "json", time_key: "ts", time_format: "%Y-%m-%dT%H:%M:%S.%LZ", time_keep: "on" }],
    pipeline: {
      inputs: [
        {
          ...tail,
          db: `${FLUENT_BIT_STATE_DIR}/tail.db`,
          "db.locking": "true",
          mem_buf_limit: input.memBufLimit ?? "32MB",
          skip_long_lines: "on",
          refresh_interval: 10,
        },
      ],
      filters,
      outputs: [sinkOutput(input.sink, tag, kubernetes, input.environment)],
    },
  };
}

function sinkOutput(sink: ResolvedSink, match: string, kubernetes: boolean, environment: string): Record<string, unknown> {
  const common = {
    match,
    host: sink.host,
    port: sink.port,
    tls: sink.tls ? "on" : "off",
    ...(sink.tls ? { "tls.verify": "on" } : {}),
    retry_limit: 10,
    ...(sink.user !== undefined ? { http_user: sink.user, http_passwd: `\${${SINK_PASSWORD_ENV}}` } : {}),
  };
  if (sink.type === "loki") {
    const labels = [
      "job=fluent-bit",
      `environment=${environment}`,
      ...(kubernetes
        ? ["namespace=$kubernetes['namespace_name']", "pod=$kubernetes['pod_name']", "container=$kubernetes['container_name']"]
        : []),
    ];
    return {
      name: "loki",
      ...common,
      uri: `${sink.path}/loki/api/v1/push`,
      labels: labels.join(", "),
      line_format: "json",
      ...(sink.tenant !== undefined ? { tenant_id: sink.tenant } : {}),
    };
  }
  return {
    name: sink.type === "opensearch" ? "opensearch" : "es",
    ...common,
    ...(sink.path !== "" ? { path: sink.path } : {}),
    logstash_format: "on",
    logstash_prefix: sink.indexPrefix,
    suppress_type_name: "on",
    replace_dots: "on",
    trace_error: "on",
  };
}
