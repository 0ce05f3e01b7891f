import { type ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";
import * as zlib from "zlib";
import { nginxConfig, type NginxConfigInput } from "../../../components/edge-proxy/nginx-conf";
import { DEFAULT_SECURITY_HEADERS } from "../../../components/app-service";
import { requireTool, run, tempDir } from "../../helpers/tools";

/**
 * The generated nginx.conf checked by the real nginx (Debian nginx-light): `nginx -t`, then a live nginx on
 * 127.0.0.1 high ports in front of two tiny upstreams, checking redirect, TLS, headers, gzip, body limit and the
 * per-client rate limit with bounded request loops.
 */

let dir: string;
let cleanup: () => void;
let nginx: ChildProcess | undefined;
const upstreams: http.Server[] = [];
let ports: { http: number; https: number; health: number; web: number; api: number; down: number };
let certificate: string;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function upstream(name: string): Promise<number> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("X-Powered-By", "Express");
      res.setHeader("X-Frame-Options", "SAMEORIGIN");
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ upstream: name, path: req.url, forwardedFor: req.headers["x-forwarded-for"], proto: req.headers["x-forwarded-proto"], pad: "x".repeat(4096) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstreams.push(server);
  return (server.address() as net.AddressInfo).port;
}

function configInput(): NginxConfigInput {
  const site = (host: string) => ({ host, certificateFile: path.join(dir, "tls.crt"), keyFile: path.join(dir, "tls.key") });
  return {
    listen: { http: ports.http, https: ports.https, health: ports.health },
    publicHttpsPort: ports.https,
    resolver: "127.0.0.1",
    maxBodySize: "1k",
    accessLog: path.join(dir, "access.log"),
    tempDir: path.join(dir, "tmp"),
    sites: [
      {
        ...site("app.test"),
        locations: [
          { service: "web", path: "/", upstream: `127.0.0.1:${ports.web}`, rateLimit: { rps: 10, burst: 20 }, headers: { ...DEFAULT_SECURITY_HEADERS } },
          {
            service: "api",
            path: "/api",
            upstream: `127.0.0.1:${ports.api}`,
            headers: { ...DEFAULT_SECURITY_HEADERS, "Content-Security-Policy": `default-src 'self'; report-uri /csp?v=$1&q="x"` },
          },
          { service: "down", path: "/down/", upstream: `127.0.0.1:${ports.down}`, headers: { ...DEFAULT_SECURITY_HEADERS } },
        ],
      },
    ],
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(options: https.RequestOptions & { body?: string; secure?: boolean }): Promise<Reply> {
  const client = options.secure === false ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(
      { hostname: "127.0.0.1", agent: false, ca: certificate, servername: "app.test", ...options, headers: { Host: "app.test", ...(options.headers ?? {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.end(options.body);
  });
}

const get = (p: string, extra: https.RequestOptions = {}) => request({ port: ports.https, path: p, ...extra });

beforeAll(async () => {
  requireTool("nginx", "nginx-light");
  requireTool("openssl", "openssl");
  ({ dir, cleanup } = tempDir("edge-nginx"));
  fs.mkdirSync(path.join(dir, "tmp"));
  // A throwaway self-signed certificate for the test hosts, made now (never committed).
  run("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=app.test",
    "-addext", "subjectAltName=DNS:app.test", "-keyout", path.join(dir, "tls.key"), "-out", path.join(dir, "tls.crt"),
  ]);
  certificate = fs.readFileSync(path.join(dir, "tls.crt"), "utf8");
  ports = { http: await freePort(), https: await freePort(), health: await freePort(), web: await upstream("web"), api: await upstream("api"), down: await freePort() };
  fs.writeFileSync(path.join(dir, "nginx.conf"), nginxConfig(configInput()));
});

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx!.once("exit", resolve));
    nginx.kill("SIGTERM");
    await exited;
  }
  await Promise.all(upstreams.map((s) => new Promise((resolve) => s.close(resolve))));
  cleanup?.();
});

test("nginx -t accepts the generated configuration", () => {
  const out = run("nginx", ["-t", "-c", path.join(dir, "nginx.conf"), "-p", dir, "-e", path.join(dir, "error.log")], { input: "" });
  expect(out).toBe("");
});

test("nginx -t rejects a configuration with a broken directive (the check is real)", () => {
  const broken = path.join(dir, "broken.conf");
  fs.writeFileSync(broken, nginxConfig(configInput()).replace("server_tokens off;", "server_tokens sometimes;"));
  expect(() => run("nginx", ["-t", "-c", broken, "-p", dir, "-e", path.join(dir, "error.log")])).toThrow(/invalid value "sometimes"/);
});

describe("a live edge on 127.0.0.1", () => {
  beforeAll(async () => {
    nginx = spawn("nginx", ["-c", path.join(dir, "nginx.conf"), "-p", dir, "-e", path.join(dir, "error.log")], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const up = await request({ port: ports.health, path: "/healthz", secure: false }).then((r) => r.status === 200, () => false);
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`nginx did not become healthy: ${fs.existsSync(path.join(dir, "error.log")) ? fs.readFileSync(path.join(dir, "error.log"), "utf8") : ""}`);
  });

  test("plain HTTP to a known host is redirected to HTTPS with the method kept; an unknown host is dropped", async () => {
    const r = await request({ port: ports.http, path: "/orders?id=1", secure: false });
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://app.test:${ports.https}/orders?id=1`);
    await expect(request({ port: ports.http, path: "/", secure: false, headers: { Host: "evil.test" } })).rejects.toThrow();
  });

  test("TLS 1.2 and 1.3 only; an unknown server name gets no certificate", async () => {
    const handshake = (options: tls.ConnectionOptions) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port: ports.https, servername: "app.test", ca: certificate, ...options }, () => {
          const protocol = socket.getProtocol()!;
          socket.end();
          resolve(protocol);
        });
        socket.on("error", reject);
      });
    expect(await handshake({})).toBe("TLSv1.3");
    expect(await handshake({ maxVersion: "TLSv1.2" })).toBe("TLSv1.2");
    await expect(handshake({ servername: "other.test", rejectUnauthorized: false })).rejects.toThrow();
  });

  test("security headers replace the upstream's own, server version and X-Powered-By are hidden, client XFF is not trusted", async () => {
    const r = await get("/", { headers: { "X-Forwarded-For": "6.6.6.6" } });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body.toString());
    expect(body).toMatchObject({ upstream: "web", path: "/", forwardedFor: "127.0.0.1", proto: "https" });
    for (const [name, value] of Object.entries(DEFAULT_SECURITY_HEADERS)) expect(r.headers[name.toLowerCase()]).toBe(value);
    expect(r.headers["x-powered-by"]).toBeUndefined();
    expect(r.headers.server).toBe("nginx");
  });

  test("path prefixes route like a Kubernetes Prefix path, and header values with $ and quotes arrive literally", async () => {
    expect(JSON.parse((await get("/api")).body.toString()).upstream).toBe("api");
    expect(JSON.parse((await get("/api/orders")).body.toString())).toMatchObject({ upstream: "api", path: "/api/orders" });
    expect(JSON.parse((await get("/apix")).body.toString()).upstream).toBe("web");
    expect((await get("/api/x")).headers["content-security-policy"]).toBe(`default-src 'self'; report-uri /csp?v=$1&q="x"`);
  });

  test("responses are gzipped for clients that accept it", async () => {
    const r = await get("/api/big", { headers: { "Accept-Encoding": "gzip" } });
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(zlib.gunzipSync(r.body).toString()).upstream).toBe("api");
  });

  test("a request body over the limit is refused with 413", async () => {
    const r = await request({ port: ports.https, path: "/api/upload", method: "POST", body: "x".repeat(2048), headers: { "Content-Type": "text/plain" } });
    expect(r.status).toBe(413);
    expect((await request({ port: ports.https, path: "/api/upload", method: "POST", body: "x".repeat(512) })).status).toBe(200);
  });

  test("an upstream that is down answers 502 promptly instead of hanging", async () => {
    expect((await get("/down/x")).status).toBe(502);
  });

  test("the per-client rate limit (10 r/s, burst 20) answers 429 once the burst is spent; unlimited paths are not limited", async () => {
    // 60 requests at once over a few kept-alive connections: far faster than 10 r/s, and a bounded loop.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 6 });
    try {
      const burst = (p: string) => Promise.all(Array.from({ length: 60 }, (_, i) => get(`${p}${i}`, { agent }).then((r) => r.status)));
      const statuses = await burst("/?n=");
      const ok = statuses.filter((s) => s === 200).length;
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(ok).toBeGreaterThanOrEqual(21);
      expect(ok).toBeLessThan(40);
      expect((await burst("/api/n")).every((s) => s === 200)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
