import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_SECURITY_HEADERS } from "../../../components/app-service";
import { certificateCovers, EDGE_PROXY_TYPE, EdgeProxy, type EdgeProxyArgs, nginxConfig, validateEdgeProxyArgs } from "../../../components/edge-proxy";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, isSecretValue, plaintextStrings, type Recorder, settle } from "../../helpers/mocks";
import { dockerCtx } from "../app-service/fixtures";

const CERT = "-----BEGIN CERTIFICATE-----\nedge-cert-value\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nedge-key-value\n-----END PRIVATE KEY-----\n";

function args(overrides: Partial<EdgeProxyArgs> = {}): EdgeProxyArgs {
  return {
    routes: [
      { service: "web", host: "app.example.com", path: "/", port: 3000, rateLimit: { rps: 10, burst: 20 }, headers: { ...DEFAULT_SECURITY_HEADERS } },
      { service: "api", host: "app.example.com", path: "/api", port: 8000, rateLimit: { rps: 10, burst: 20 }, headers: { ...DEFAULT_SECURITY_HEADERS } },
      { service: "admin", host: "admin.example.com", port: 8080, headers: { ...DEFAULT_SECURITY_HEADERS } },
    ],
    certificates: [{ hosts: ["*.example.com"], certificate: pulumi.secret(CERT), privateKey: pulumi.secret(KEY) }],
    ...overrides,
  };
}

function problemsOf(a: EdgeProxyArgs): string {
  try {
    validateEdgeProxyArgs("edge", a);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("nginx.conf builder", () => {
  const conf = nginxConfig({
    listen: { http: 8080, https: 8443, health: 8081 },
    publicHttpsPort: 8443,
    maxBodySize: "10m",
    tempDir: "/tmp",
    sites: validateEdgeProxyArgs("edge", args()).sites,
  });

  test("hardening from the seeds: TLS 1.2/1.3 only, no version banner, gzip, body limit, per-client rate limit", () => {
    expect(conf).toContain("ssl_protocols TLSv1.2 TLSv1.3;");
    expect(conf).toContain("server_tokens off;");
    expect(conf).toContain("gzip on;");
    expect(conf).toContain("client_max_body_size 10m;");
    expect(conf).toContain("limit_req_zone $binary_remote_addr zone=rl_web:10m rate=10r/s;");
    expect(conf).toContain("limit_req zone=rl_web burst=20 nodelay;");
    expect(conf).not.toContain("zone=rl_admin");
    expect(conf).toContain("proxy_next_upstream error timeout http_502 http_503 http_504;");
  });

  test("redirects known hosts to HTTPS on the public port; one server per host; headers on every location", () => {
    expect(conf).toContain("return 308 https://$host:8443$request_uri;");
    expect(conf).toContain("server_name admin.example.com app.example.com;");
    expect(conf.match(/listen 8443 ssl http2;/g)).toHaveLength(2);
    expect(conf).toContain("location = /api {");
    expect(conf).toContain("location ^~ /api/ {");
    expect(conf.match(/add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;/g)).toHaveLength(4);
  });

  test("gRPC routes: grpc_pass per named service (or every call on their own host), own rate-limit zone, gRPC status for nginx's errors", () => {
    const grpcConf = nginxConfig({
      listen: { http: 8080, https: 8443, health: 8081 },
      publicHttpsPort: 443,
      maxBodySize: "10m",
      tempDir: "/tmp",
      sites: validateEdgeProxyArgs("edge", args({
        routes: [
          ...args().routes,
          { service: "api", host: "app.example.com", port: 9090, rateLimit: { rps: 50, burst: 100 }, headers: {}, grpc: { portName: "grpc", services: ["payments.v1.PaymentService"] } },
          { service: "ledger", host: "rpc.example.com", port: 9091, headers: {}, grpc: { portName: "grpc-api", services: [] } },
        ],
      })).sites,
    });
    expect(grpcConf).toContain("limit_req_zone $binary_remote_addr zone=rl_api__grpc:10m rate=50r/s;");
    // The HTTP zone of the same service keeps its own rate.
    expect(grpcConf).toContain("limit_req_zone $binary_remote_addr zone=rl_api:10m rate=10r/s;");
    const service = grpcConf.slice(grpcConf.indexOf("location ^~ /payments.v1.PaymentService/ {"));
    const serviceBlock = service.slice(0, service.indexOf("}")).split("\n").map((l) => l.trim());
    expect(serviceBlock.slice(1, 4)).toEqual(["limit_req zone=rl_api__grpc burst=100 nodelay;", 'set $grpc_api__grpc "api:9090";', "grpc_pass grpc://$grpc_api__grpc;"]);
    const rpc = grpcConf.slice(grpcConf.indexOf("server_name rpc.example.com;"));
    expect(rpc).toContain("grpc_pass grpc://$grpc_ledger__grpc_api;");
    expect(rpc.slice(0, rpc.indexOf("location @grpc"))).not.toContain("limit_req ");
    expect(grpcConf).toContain("error_page 429 = @grpc_resource_exhausted;");
    // Streams are bounded by idle time, not by a whole-call limit.
    expect(serviceBlock).toEqual(expect.arrayContaining(["grpc_read_timeout 300s;", "grpc_send_timeout 300s;", "client_body_timeout 300s;"]));
    expect(grpcConf).toContain("add_header grpc-status 14 always;");
    // No security headers or proxy_* directives inside gRPC locations.
    expect(service.slice(0, service.indexOf("}"))).not.toMatch(/add_header|proxy_pass/);
  });

  test("a rate limit without burst is written without burst= (nginx refuses burst=0)", () => {
    const noBurst = nginxConfig({
      listen: { http: 8080, https: 8443, health: 8081 },
      publicHttpsPort: 443,
      maxBodySize: "10m",
      tempDir: "/tmp",
      sites: validateEdgeProxyArgs("edge", args({ routes: [{ service: "web", host: "app.example.com", port: 3000, rateLimit: { rps: 5, burst: 0 }, headers: {} }] })).sites,
    });
    expect(noBurst).toContain("limit_req zone=rl_web;");
    expect(noBurst).not.toContain("burst=0");
  });

  test("a certificate covers its exact hosts and one label under a wildcard", () => {
    expect(certificateCovers("*.example.com", "app.example.com")).toBe(true);
    expect(certificateCovers("*.example.com", "a.b.example.com")).toBe(false);
    expect(certificateCovers("*.example.com", "example.com")).toBe(false);
    expect(certificateCovers("app.example.com", "app.example.com")).toBe(true);
  });
});

describe("bad input fails before anything is registered", () => {
  test.each<[string, Partial<EdgeProxyArgs>, RegExp]>([
    ["a host no certificate covers", { certificates: [{ hosts: ["app.example.com"], certificate: CERT, privateKey: KEY }] }, /routes\[2\]\.host: is covered by no certificate; add it .* \(got "admin\.example\.com"\)/],
    [
      "the same host and path routed to two services",
      { routes: [...args().routes, { service: "web2", host: "app.example.com", path: "/api/", port: 3001, headers: {} }] },
      /routes\[3\]: is already routed to service api; each host and path may go to one service \(got "app\.example\.com\/api\/"\)/,
    ],
    [
      "a gRPC route routing every call on a host an HTTP route serves",
      { routes: [...args().routes, { service: "api", host: "app.example.com", port: 9090, headers: {}, grpc: { portName: "grpc", services: [] } }] },
      /routes\[3\]: is already routed to service web; each host and path may go to one service \(got "app\.example\.com\/"\)/,
    ],
    [
      "one gRPC service routed by two ports",
      {
        routes: [
          ...args().routes,
          { service: "api", host: "app.example.com", port: 9090, headers: {}, grpc: { portName: "grpc", services: ["a.v1.A"] } },
          { service: "ledger", host: "app.example.com", port: 9091, headers: {}, grpc: { portName: "grpc", services: ["a.v1.A"] } },
        ],
      },
      /routes\[4\]: is already routed to service api \(gRPC port grpc\); each host and path may go to one service \(got "app\.example\.com\/a\.v1\.A\/"\)/,
    ],
    ["one port for HTTP and HTTPS", { httpPort: 8443, httpsPort: 8443 }, /httpsPort: must differ from httpPort \(8443\)/],
    ["an unpinned image", { image: "nginx:latest" }, /image: .*\(got "nginx:latest"\)/],
    ["a body size nginx cannot read", { maxBodySize: "10MB" }, /maxBodySize: must be an nginx size/],
  ])("%s", (_label, change, message) => {
    expect(problemsOf(args(change))).toMatch(message);
  });
});

describe("EdgeProxy on Docker", () => {
  let rec: Recorder;
  beforeAll(async () => {
    rec = installMocks();
    new EdgeProxy("edge", args({ httpPort: 8080, httpsPort: 8443 }), dockerCtx());
    await settle();
  });

  test("one hardened, non-root nginx container on the frontend network with a config volume", () => {
    expect(rec.inventory()).toEqual([`${EDGE_PROXY_TYPE} edge`, "docker:index/container:Container edge-container", "docker:index/volume:Volume edge-config"].sort());
    const c = rec.one("docker:index/container:Container", "edge-container").inputs;
    expect(c.image).toBe("nginx:1.28.0-alpine");
    expect(c.user).toBe("101:101");
    expect(c.readOnly).toBe(true);
    expect(c.capabilities).toEqual({ drops: ["ALL"] });
    expect(c.securityOpts).toEqual(["no-new-privileges:true"]);
    expect(c.entrypoints).toEqual(["nginx"]);
    expect(c.networksAdvanced).toEqual([{ name: "net-frontend", aliases: ["edge"] }]);
    expect(c.ports).toEqual([
      { internal: 8080, external: 8080, ip: "0.0.0.0", protocol: "tcp" },
      { internal: 8443, external: 8443, ip: "0.0.0.0", protocol: "tcp" },
    ]);
    expect(c.healthcheck.tests).toEqual(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8081/healthz"]);
  });

  test("certificate and key reach nginx only as secret files (key 0400, owned by nginx); never in plaintext", () => {
    const c = rec.one("docker:index/container:Container", "edge-container").inputs;
    const files = Object.fromEntries(c.uploads.map((u: any) => [u.file, u]));
    expect(Object.keys(files).sort()).toEqual(["/etc/nginx/platform/nginx.conf", "/etc/nginx/platform/tls/0.crt", "/etc/nginx/platform/tls/0.key"]);
    const key = files["/etc/nginx/platform/tls/0.key"];
    expect(isSecretValue(key.content)).toBe(true);
    expect(key).toMatchObject({ permissions: "0400", owner: "101", group: "101" });
    expect(isSecretValue(files["/etc/nginx/platform/tls/0.crt"].content)).toBe(true);
    expect(files["/etc/nginx/platform/nginx.conf"].content).toContain("ssl_certificate_key /etc/nginx/platform/tls/0.key;");
    expect(c.envs).toBeUndefined();
    const leaks = rec.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes("edge-key-value") || s.value.includes("edge-cert-value")));
    expect(leaks).toEqual([]);
  });
});
