/**
 * Where the log pipeline ships to (pure). Loki is the default and, without a URL, is installed by this module
 * (single binary, filesystem storage, retention enforced by its compactor); Elasticsearch and OpenSearch are
 * external clusters (the ELK/EFK playbooks), reached over TLS with a user and a password from a secret.
 */
export type SinkType = "loki" | "elasticsearch" | "opensearch";
export const SINK_TYPES: readonly SinkType[] = ["loki", "elasticsearch", "opensearch"];

export interface LogSink {
  type: SinkType;
  /**
   * Base URL of an external sink (`https://es.example.com:9200`, `https://loki.example.com`).
   * Required for elasticsearch and opensearch; without it a Loki is installed.
   */
  url?: string;
  /** Basic-auth user of an external sink. */
  user?: string;
  /** Index prefix (elasticsearch/opensearch): indices are `<prefix>-YYYY.MM.DD`. @default the project name */
  indexPrefix?: string;
  /** Loki tenant (X-Scope-OrgID) of an external multi-tenant Loki. */
  tenant?: string;
}

/** The sink as Fluent Bit reaches it. */
export interface ResolvedSink {
  type: SinkType;
  host: string;
  port: number;
  tls: boolean;
  /** Path prefix of the API (a Loki behind a reverse proxy path); empty for none. */
  path: string;
  user?: string;
  indexPrefix: string;
  tenant?: string;
  /** True when this module runs the sink (Loki). */
  installed: boolean;
}

/** Port of the installed Loki's HTTP API. */
export const LOKI_PORT = 3100;
/** Name of the installed Loki's Service (Kubernetes) and network alias (Docker). */
export const LOKI_HOST = "loki";

/** Resolves the sink; `lokiHost` is where the installed Loki answers (`loki.logging.svc` or `loki`). */
export function resolveSink(sink: LogSink, lokiHost: string, project: string): ResolvedSink {
  if (sink.url === undefined) {
    return { type: "loki", host: lokiHost, port: LOKI_PORT, tls: false, path: "", indexPrefix: project, installed: true };
  }
  const u = new URL(sink.url);
  const tls = u.protocol === "https:";
  return {
    type: sink.type,
    host: u.hostname,
    port: u.port !== "" ? Number(u.port) : tls ? 443 : 80,
    tls,
    path: u.pathname.replace(/\/+$/, ""),
    ...(sink.user !== undefined ? { user: sink.user } : {}),
    indexPrefix: sink.indexPrefix ?? project,
    ...(sink.tenant !== undefined ? { tenant: sink.tenant } : {}),
    installed: false,
  };
}

/** Environment variable the sink password reaches Fluent Bit in (referenced as `${...}` in its config). */
export const SINK_PASSWORD_ENV = "LOG_SINK_PASSWORD";
