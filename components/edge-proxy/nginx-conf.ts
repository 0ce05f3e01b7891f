/**
 * nginx.conf of the Docker edge proxy, as a pure function of the routes. The seeds' nginx hardening (GreenLink
 * playbook): TLS 1.2/1.3 only, HTTP -> HTTPS redirect, security headers, gzip, a per-client rate limit
 * (`limit_req_zone $binary_remote_addr`, 10 r/s burst 20), a request size limit and `server_tokens off`.
 *
 * The output is checked by the real `nginx -t` in the integration tier (tests/components/edge-proxy/).
 */

import { GRPC_STREAM_IDLE_SECONDS } from "../lib/gateway";

/** One path of one host, proxied to one service (or, with `grpcPort`, to one gRPC port of it). */
export interface EdgeLocation {
  /** Service name (names the rate-limit zone). */
  service: string;
  /** gRPC: the extra port's name; the location uses grpc_pass (HTTP/2 to the upstream) and its own rate-limit zone. */
  grpcPort?: string;
  /** Path prefix, `/` or `/api` (matches `/api` and `/api/...`, not `/apix`, like a Kubernetes Prefix path). */
  path: string;
  /** `host:port` of the upstream on the Docker network (the service's network alias). */
  upstream: string;
  /** Requests per second per client address and burst; absent = no limit. */
  rateLimit?: { rps: number; burst: number };
  /** Response headers (security headers merged with the service's own). */
  headers: Record<string, string>;
}

/** One virtual host: its TLS certificate files and its locations. */
export interface EdgeSite {
  host: string;
  certificateFile: string;
  keyFile: string;
  locations: EdgeLocation[];
}

export interface NginxConfigInput {
  /** Ports nginx listens on inside the container (unprivileged: the container is not root). */
  listen: { http: number; https: number; health: number };
  /** Address the health endpoint listens on. @default "127.0.0.1" */
  healthAddress?: string;
  /** HTTPS port clients see (the published host port); 443 is left out of redirect URLs. */
  publicHttpsPort: number;
  /** DNS resolver for upstream names; Docker's embedded DNS re-resolves a replaced container. @default "127.0.0.11" */
  resolver?: string;
  /** `client_max_body_size`. @example "10m" */
  maxBodySize: string;
  /** Writable directory for the pid file and temp files (the root filesystem is read-only). */
  tempDir: string;
  /** Access log target; the container's stdout goes to Docker's log driver. @default "/dev/stdout" */
  accessLog?: string;
  /** The mime.types file of the nginx build. @default "/etc/nginx/mime.types" */
  mimeTypes?: string;
  sites: EdgeSite[];
}

/** Mozilla "intermediate" TLS settings, minus the DHE suites (no dhparam file is shipped). */
export const TLS_PROTOCOLS = "TLSv1.2 TLSv1.3";
const TLS_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

const GZIP_TYPES = [
  "text/plain",
  "text/css",
  "text/xml",
  "text/javascript",
  "application/javascript",
  "application/json",
  "application/xml",
  "application/xml+rss",
  "image/svg+xml",
];

/**
 * Rate-limit zone name of a service, or of one gRPC port of it (service and port names are DNS labels without
 * `_`, so `__` cannot be produced by any service name).
 */
export function rateLimitZone(service: string, grpcPort?: string): string {
  return `rl_${zoneKey(service, grpcPort)}`;
}

function zoneKey(service: string, grpcPort?: string): string {
  return `${service}${grpcPort ? `__${grpcPort}` : ""}`.replace(/-/g, "_");
}

/**
 * A double-quoted nginx string. `\` and `"` are escaped; `$` would start a variable, so it is written as the
 * `$dollar` variable the config defines (a geo block with a literal "$").
 */
export function nginxString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "${dollar}")}"`;
}

function indent(lines: string[], depth: number): string[] {
  return lines.map((l) => (l === "" ? l : `${"  ".repeat(depth)}${l}`));
}

function block(head: string, body: string[]): string[] {
  return [`${head} {`, ...indent(body, 1), "}"];
}

/**
 * gRPC: grpc_pass speaks HTTP/2 (h2c) to the upstream; the client side is the HTTPS server's `http2` listener. Only
 * the rate limit and the forwarding headers apply: response headers are the gRPC server's own (trailers carry the
 * status), and nginx's own errors become gRPC status codes through the error_page below.
 */
const GRPC_STREAM_IDLE = `${GRPC_STREAM_IDLE_SECONDS}s`;

function grpcBody(loc: EdgeLocation): string[] {
  const variable = `$grpc_${zoneKey(loc.service, loc.grpcPort)}`;
  return [
    ...(loc.rateLimit ? [limitReq(rateLimitZone(loc.service, loc.grpcPort), loc.rateLimit.burst)] : []),
    `set ${variable} ${nginxString(loc.upstream)};`,
    `grpc_pass grpc://${variable};`,
    "grpc_set_header X-Real-IP $remote_addr;",
    "grpc_set_header X-Forwarded-For $remote_addr;",
    "grpc_set_header X-Forwarded-Proto https;",
    // No whole-call limit (streaming calls run long); a stream idle this long either way is reset, as on Kubernetes.
    `grpc_read_timeout ${GRPC_STREAM_IDLE};`,
    `grpc_send_timeout ${GRPC_STREAM_IDLE};`,
    `client_body_timeout ${GRPC_STREAM_IDLE};`,
    "grpc_next_upstream error timeout;",
    "grpc_next_upstream_tries 3;",
    // A rate-limited or failed call gets a gRPC status (RESOURCE_EXHAUSTED / UNAVAILABLE), not an HTML page.
    "error_page 429 = @grpc_resource_exhausted;",
    "error_page 502 503 504 = @grpc_unavailable;",
  ];
}

/** `limit_req` for a zone: nginx refuses `burst=0` (no burst is written by leaving burst out). */
function limitReq(zone: string, burst: number): string {
  return burst > 0 ? `limit_req zone=${zone} burst=${burst} nodelay;` : `limit_req zone=${zone};`;
}

/** Named locations answering nginx's own errors on gRPC routes with a gRPC status in the trailers-only form. */
function grpcErrorLocations(): string[] {
  const status = (name: string, code: number, message: string) =>
    block(`location ${name}`, [
      // 200 with an empty body: nginx ends the stream on the HEADERS frame, which is gRPC's trailers-only response
      // (a 204 would lose the content type, and gRPC clients treat any :status but 200 as a transport error).
      "default_type application/grpc;",
      `add_header grpc-status ${code} always;`,
      `add_header grpc-message ${nginxString(message)} always;`,
      "return 200;",
    ]);
  return [...status("@grpc_resource_exhausted", 8, "rate limited"), ...status("@grpc_unavailable", 14, "upstream unavailable")];
}

function proxyBody(loc: EdgeLocation): string[] {
  const variable = `$upstream_${loc.service.replace(/-/g, "_")}`;
  return [
    ...(loc.rateLimit ? [limitReq(rateLimitZone(loc.service), loc.rateLimit.burst)] : []),
    // A variable makes nginx resolve the name per request (valid=10s), so a replaced container's new address is used.
    `set ${variable} ${nginxString(loc.upstream)};`,
    `proxy_pass http://${variable};`,
    // The upstream's own copy of a header the edge sets would otherwise be sent twice. (A location's
    // proxy_hide_header replaces the http-level list, so X-Powered-By is repeated here.)
    ...["X-Powered-By", ...Object.keys(loc.headers)].map((name) => `proxy_hide_header ${name};`),
    ...Object.entries(loc.headers).map(([name, value]) => `add_header ${name} ${nginxString(value)} always;`),
  ];
}

function locationBlocks(loc: EdgeLocation): string[] {
  // A gRPC location's path is `/` or `/<package.Service>/` (every method of the service).
  if (loc.grpcPort !== undefined) return block(loc.path === "/" ? "location /" : `location ^~ ${loc.path}`, grpcBody(loc));
  const body = proxyBody(loc);
  if (loc.path === "/") return block("location /", body);
  const prefix = loc.path.replace(/\/+$/, "");
  // Exact path and everything below it; `^~` keeps regex locations (none today) from taking over.
  return [...block(`location = ${prefix}`, body), ...block(`location ^~ ${prefix}/`, body)];
}

/** The whole nginx.conf (pure). Sites and locations come out in a stable order so the file diffs cleanly. */
export function nginxConfig(input: NginxConfigInput): string {
  const t = input.tempDir.replace(/\/+$/, "");
  const sites = [...input.sites].sort((a, b) => a.host.localeCompare(b.host));
  const locations = sites.flatMap((s) => s.locations);
  const zones = new Map<string, { rps: number }>();
  for (const loc of locations) if (loc.rateLimit) zones.set(rateLimitZone(loc.service, loc.grpcPort), loc.rateLimit);
  const redirectPort = input.publicHttpsPort === 443 ? "" : `:${input.publicHttpsPort}`;
  const needsDollar = locations.some((l) => Object.values(l.headers).some((v) => v.includes("$")));

  const http: string[] = [
    `include ${input.mimeTypes ?? "/etc/nginx/mime.types"};`,
    "default_type application/octet-stream;",
    "server_tokens off;",
    `log_format edge escape=json '{"time":"$time_iso8601","client":"$remote_addr","host":"$host","request":"$request",'`,
    `  '"status":$status,"bytes":$body_bytes_sent,"duration":$request_time,"upstream":"$upstream_addr",'`,
    `  '"upstream_status":"$upstream_status","upstream_duration":"$upstream_response_time"}';`,
    `access_log ${input.accessLog ?? "/dev/stdout"} edge;`,
    `client_body_temp_path ${t}/client_body;`,
    `proxy_temp_path ${t}/proxy;`,
    `fastcgi_temp_path ${t}/fastcgi;`,
    `uwsgi_temp_path ${t}/uwsgi;`,
    `scgi_temp_path ${t}/scgi;`,
    "sendfile on;",
    "tcp_nopush on;",
    "tcp_nodelay on;",
    "keepalive_timeout 60s;",
    "client_header_timeout 15s;",
    "client_body_timeout 15s;",
    "send_timeout 25s;",
    `client_max_body_size ${input.maxBodySize};`,
    "",
    "gzip on;",
    "gzip_vary on;",
    "gzip_proxied any;",
    "gzip_comp_level 6;",
    "gzip_min_length 1024;",
    `gzip_types ${GZIP_TYPES.join(" ")};`,
    "",
    `resolver ${input.resolver ?? "127.0.0.11"} valid=10s ipv6=off;`,
    "resolver_timeout 5s;",
    "limit_req_status 429;",
    ...[...zones.entries()].map(([zone, rl]) => `limit_req_zone $binary_remote_addr zone=${zone}:10m rate=${rl.rps}r/s;`),
    ...block("map $http_upgrade $connection_upgrade", ["default upgrade;", `"" close;`]),
    ...(needsDollar ? block("geo $dollar", [`default "$";`]) : []),
    "",
    `ssl_protocols ${TLS_PROTOCOLS};`,
    `ssl_ciphers ${TLS_CIPHERS};`,
    "ssl_prefer_server_ciphers off;",
    "ssl_session_timeout 1d;",
    "ssl_session_cache shared:TLS:10m;",
    "ssl_session_tickets off;",
    "",
    "proxy_http_version 1.1;",
    "proxy_set_header Host $host;",
    // The edge is the first hop: a client-supplied X-Forwarded-For is replaced, never trusted.
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header X-Forwarded-Proto https;",
    "proxy_set_header X-Forwarded-Host $host;",
    "proxy_set_header Upgrade $http_upgrade;",
    "proxy_set_header Connection $connection_upgrade;",
    "proxy_connect_timeout 5s;",
    "proxy_send_timeout 60s;",
    "proxy_read_timeout 60s;",
    // Upstream health: a failed connect, a timeout or a 502/503/504 moves the request to the next address the
    // service's name resolves to (several containers may share an alias), within bounded tries and time.
    "proxy_next_upstream error timeout http_502 http_503 http_504;",
    "proxy_next_upstream_tries 3;",
    "proxy_next_upstream_timeout 15s;",
    "",
    // Plain HTTP: known hosts are redirected to HTTPS (308 keeps the method and body); anything else is dropped.
    ...block("server", [`listen ${input.listen.http} default_server;`, "server_name _;", "return 444;"]),
    ...(sites.length > 0
      ? block("server", [
          `listen ${input.listen.http};`,
          `server_name ${sites.map((s) => s.host).join(" ")};`,
          ...block("location /", [`return 308 https://$host${redirectPort}$request_uri;`]),
        ])
      : []),
    // HTTPS for an unknown name: refuse the handshake instead of presenting some site's certificate.
    ...block("server", [`listen ${input.listen.https} ssl default_server;`, "server_name _;", "ssl_reject_handshake on;"]),
    ...sites.flatMap((site) =>
      block("server", [
        `listen ${input.listen.https} ssl http2;`,
        `server_name ${site.host};`,
        `ssl_certificate ${site.certificateFile};`,
        `ssl_certificate_key ${site.keyFile};`,
        ...[...site.locations].sort((a, b) => b.path.length - a.path.length).flatMap(locationBlocks),
        ...(site.locations.some((l) => l.grpcPort !== undefined) ? grpcErrorLocations() : []),
      ]),
    ),
    // Container healthcheck endpoint, reachable only from inside the container.
    ...block("server", [
      `listen ${input.healthAddress ?? "127.0.0.1"}:${input.listen.health};`,
      "access_log off;",
      ...block("location = /healthz", ["return 200 \"ok\\n\";"]),
      ...block("location /", ["return 404;"]),
    ]),
  ];

  return [
    "# Generated by platform-stacks (components/edge-proxy/nginx-conf.ts). Do not edit: change the ingress settings.",
    "worker_processes auto;",
    `pid ${t}/nginx.pid;`,
    "error_log stderr warn;",
    "daemon off;",
    ...block("events", ["worker_connections 4096;"]),
    ...block("http", http),
    "",
  ].join("\n");
}
