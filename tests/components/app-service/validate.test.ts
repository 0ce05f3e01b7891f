import { AppService, type AppServiceArgs, validateAppServiceArgs } from "../../../components/app-service";
import type { PlatformContext } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { installMocks, settle } from "../../helpers/mocks";
import { dockerCtx, KIND_ARGS, kubernetesCtx } from "./fixtures";

interface BadCase {
  what: string;
  args: AppServiceArgs;
  ctx?: PlatformContext;
  /** Fragments the message must contain: the key path and the rendered bad value. */
  expect: string[];
}

const api = KIND_ARGS.api;
const cases: BadCase[] = [
  { what: "untagged image", args: { ...api, image: "registry.example.com/paimon/api" }, expect: ["image: must be pinned by tag or digest", '(got "registry.example.com/paimon/api")'] },
  { what: "latest image", args: { ...api, image: "paimon/api:latest" }, expect: ["image: must be pinned", "'latest'", '(got "paimon/api:latest")'] },
  { what: "replicas < 1", args: { ...api, replicas: 0 }, expect: ["replicas: must be an integer of at least 1", "(got 0)"] },
  { what: "autoscaling min > max", args: { ...api, autoscaling: { min: 5, max: 3 } }, expect: ["autoscaling.min: must be at most autoscaling.max (3)", "(got 5)"] },
  { what: "invalid CPU quantity", args: { ...api, resources: { requests: { cpu: "500mm", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } }, expect: ["resources.requests.cpu: must be a CPU quantity", '(got "500mm")'] },
  { what: "invalid memory quantity", args: { ...api, resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gb" } } }, expect: ["resources.limits.memory: must be a memory quantity", '(got "1Gb")'] },
  { what: "requests above limits", args: { ...api, resources: { requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "1", memory: "1Gi" } } }, expect: ["resources.requests.cpu: must not exceed limits.cpu (1)", '(got "2")', "resources.requests.memory: must not exceed limits.memory (1Gi)"] },
  { what: "port out of range", args: { ...api, port: 70000 }, expect: ["port: must be a port between 1 and 65535", "(got 70000)"] },
  { what: "invalid hostname", args: { ...api, ingress: { host: "App_Example" } }, expect: ["ingress.host: must be a lowercase DNS hostname", '(got "App_Example")'] },
  { what: "singleton with autoscaling", args: { ...KIND_ARGS.singleton, autoscaling: { min: 2, max: 4 } }, expect: ["autoscaling: is not allowed for kind singleton", '(got {"min":2,"max":4})'] },
  { what: "singleton with 2 replicas", args: { ...KIND_ARGS.singleton, replicas: 2 }, expect: ["replicas: must be 1 for kind singleton", "(got 2)"] },
  { what: "replicas and autoscaling together", args: { ...api, replicas: 3, autoscaling: { min: 3, max: 6 } }, expect: ["autoscaling: cannot be combined with replicas"] },
  { what: "web without ingress", args: { kind: "web", image: api.image, port: 3000 }, expect: ["ingress: is required for kind web", "(got undefined)"] },
  { what: "api without port", args: { kind: "api", image: api.image }, expect: ["port: is required for kind api", "(got undefined)"] },
  { what: "worker with ingress", args: { ...KIND_ARGS.worker, ingress: { host: "w.example.com" } }, expect: ["ingress: is only allowed for kinds web and api, not worker"] },
  { what: "PDB with one replica", args: { ...api, podDisruptionBudget: true }, expect: ["podDisruptionBudget: needs at least 2 replicas (minimum is 1)", "(got true)"] },
  { what: "negative burst", args: { ...api, ingress: { host: "api.example.com", rateLimit: { rps: 10, burst: -1 } } }, expect: ["ingress.rateLimit.burst: must be an integer of at least 0", "(got -1)"] },
  { what: "header value with a newline", args: { ...api, ingress: { host: "api.example.com", headers: { "Content-Security-Policy": "a\nb" } } }, expect: ["ingress.headers.Content-Security-Policy: must be 1 to 4096 printable ASCII characters", '(got "a\\nb")'] },
  { what: "header name outside the RFC 7230 token grammar", args: { ...api, ingress: { host: "api.example.com", headers: { "X Powered": "x" } } }, expect: ["ingress.headers.X Powered: must be an HTTP header name (RFC 7230 token", '(got "X Powered")'] },
  { what: "framing header", args: { ...api, ingress: { host: "api.example.com", headers: { "content-length": "1" } } }, expect: ["ingress.headers.content-length: must not be a hop-by-hop or framing header", '(got "content-length")'] },
  { what: "more headers than a route filter holds", args: { ...api, ingress: { host: "api.example.com", headers: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`X-Extra-${i}`, "1"])) } }, expect: ["ingress.headers: together with the security headers makes 17 response headers; a route sets at most 16"] },
  { what: "unknown visibility", args: { ...api, ingress: { host: "api.example.com", visibility: "private" as never } }, expect: ['ingress.visibility: must be one of public, internal', '(got "private")'] },
  { what: "body size with a fraction", args: { ...api, ingress: { host: "api.example.com", maxRequestBodySize: "1.5Mi" } }, expect: ["ingress.maxRequestBodySize: must be a size like 512Ki, 1Mi or 10M", '(got "1.5Mi")'] },
  { what: "invalid env name", args: { ...api, env: { "1BAD": "x" } }, expect: ["env.1BAD: must be an environment variable name", '(got "1BAD")'] },
  { what: "env defined twice", args: { ...api, env: { API_KEY: "x" }, secretEnv: { API_KEY: "y" } }, expect: ["secretEnv.API_KEY: is already defined in env", "not shown because the key looks secret"] },
  { what: "objectives without metrics", args: { kind: "api", image: api.image, port: 8000, objectives: { availabilityPercent: 99.9 } }, expect: ["objectives: need metrics"] },
  { what: "100% availability", args: { ...api, objectives: { availabilityPercent: 100 } }, expect: ["objectives.availabilityPercent: must be below 100", "(got 100)"] },
  { what: "startup probe with liveness turned off", args: { ...api, health: { livenessPath: false, startup: { periodSeconds: 10 } } }, expect: ["health.startup: runs on the liveness path, which health.livenessPath: false turns off", '(got {"periodSeconds":10})'] },
  { what: "probe path true instead of a path or false", args: { ...api, health: { readinessPath: true as never } }, expect: ["health.readinessPath: must be a URL path starting with '/' or false", "(got true)"] },
  { what: "extra port on the main port", args: { ...api, extraPorts: [{ name: "grpc", port: 8000 }] }, expect: ["extraPorts[0].port: is already used by port; each port number once", "(got 8000)"] },
  { what: "extra port on the metrics port, and twice the same name", args: { ...api, extraPorts: [{ name: "grpc", port: 9100 }, { name: "grpc", port: 9090 }] }, expect: ["extraPorts[0].port: is already used by metrics.port; each port number once (to scrape this port, set metrics.port to its name: grpc)", "(got 9100)", "extraPorts[1].name: is already the name of another extra port", '(got "grpc")'] },
  { what: "extra port named like the service's own", args: { ...api, extraPorts: [{ name: "metrics", port: 9090 }] }, expect: ["extraPorts[0].name: must not be http or metrics", '(got "metrics")'] },
  { what: "extra port name longer than 15 characters", args: { ...api, extraPorts: [{ name: "grpc-internal-api", port: 9090 }] }, expect: ["extraPorts[0].name: must be an IANA service name", '(got "grpc-internal-api")'] },
  { what: "extra port on a worker", args: { ...KIND_ARGS.worker, extraPorts: [{ name: "grpc", port: 9090 }] }, expect: ["extraPorts: are only allowed for kinds with a Service (web, api), not worker", '(got ["grpc"])'] },
  { what: "metrics.port naming no extra port", args: { ...api, metrics: { port: "admn" }, extraPorts: [{ name: "admin", port: 8081 }] }, expect: ["metrics.port: must be a port number or the name of one of the service's extraPorts (known: admin)", '(got "admn")'] },
  { what: "metrics.port naming a gRPC port", args: { ...api, metrics: { port: "grpc" }, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" }] }, expect: ["metrics.port: names extra port grpc, which speaks kubernetes.io/h2c; Prometheus scrapes over HTTP/1.1", '(got "grpc")'] },
  { what: "metrics.port neither a number nor a port name", args: { ...api, metrics: { port: "Admin Port" as never } }, expect: ["metrics.port: must be a port number (1-65535) or the name of an extra port", '(got "Admin Port")'] },
  { what: "gRPC route on a port that does not speak HTTP/2", args: { ...api, extraPorts: [{ name: "admin", port: 8081, route: { host: "admin.example.com" } }] }, expect: ["extraPorts[0].route: needs appProtocol grpc or kubernetes.io/h2c on this port (the Gateway speaks HTTP/2 to it); got appProtocol none", '(got {"host":"admin.example.com"})'] },
  { what: "gRPC route without a host on a service without ingress", args: { kind: "api", image: api.image, port: 8000, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: {} }] }, expect: ["extraPorts[0].route.host: is required when the service has no ingress", "(got undefined)"] },
  { what: "gRPC route sharing the ingress host without naming its services", args: { ...api, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: {} }] }, expect: ["extraPorts[0].route.services: must name the gRPC services routed (e.g. [payments.v1.PaymentService]) because the route shares host api.example.com with ingress"] },
  { what: "gRPC route on the ingress host with another visibility", args: { ...api, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: { visibility: "internal", services: ["a.v1.A"] } }] }, expect: ["extraPorts[0].route.visibility: must match ingress.visibility (public): the route shares host api.example.com", '(got "internal")'] },
  {
    what: "two gRPC routes on one host: one without services, then the same service twice",
    args: {
      ...api,
      extraPorts: [
        { name: "grpc", port: 9090, appProtocol: "grpc", route: { host: "rpc.example.com", services: ["a.v1.A"] } },
        { name: "grpc-admin", port: 9091, appProtocol: "grpc", route: { host: "rpc.example.com" } },
        { name: "grpc-b", port: 9092, appProtocol: "grpc", route: { host: "rpc.example.com", services: ["a.v1.A", "b.v1.B"] } },
      ],
    },
    expect: [
      "extraPorts[1].route.services: must name the gRPC services routed: extra port grpc is routed on the same host rpc.example.com",
      'extraPorts[2].route.services: are already routed to extra port grpc on host rpc.example.com; route each service to one port (got ["a.v1.A"])',
    ],
  },
  { what: "gRPC service name with a slash", args: { ...api, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: { host: "rpc.example.com", services: ["payments/v1"] } }] }, expect: ["extraPorts[0].route.services[0]: must be a fully-qualified gRPC service name like payments.v1.PaymentService", '(got "payments/v1")'] },
  { what: "unknown key (typo)", args: { ...api, replica: 2 } as unknown as AppServiceArgs, expect: ['replica: unknown key; did you mean "replicas"? (allowed: kind, image, port'] },
  { what: "invalid service name", args: api, expect: ['name: must be a DNS label', '(got "Api_Service")'] },
  { what: "docker: secretRefs", args: { ...api, secretRefs: { DB_PASSWORD: { name: "db", key: "password" } } }, ctx: dockerCtx(), expect: ["secretRefs: reference Kubernetes Secrets", '(got ["DB_PASSWORD"])'] },
  { what: "docker: replicas 2", args: { ...api, replicas: 2 }, ctx: dockerCtx(), expect: ["replicas: must be 1 on the docker target", "(got 2)"] },
  { what: "docker: world-bound non-LB port", args: { ...api, docker: { hostIp: "0.0.0.0" } }, ctx: dockerCtx(), expect: ["docker.hostIp: must be 127.0.0.1 unless the published port is 80 or 443", '(got "0.0.0.0")'] },
  { what: "docker: gRPC route sharing the ingress host without services (nginx would get two / locations)", args: { ...api, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: {} }] }, ctx: dockerCtx(), expect: ["extraPorts[0].route.services: must name the gRPC services routed"] },
  { what: "docker: no networks in the context", args: api, ctx: dockerCtx({ dockerNetworks: undefined }), expect: ["platform context.dockerNetworks: is required on the docker target"] },
];

describe("AppService rejects bad args before registering anything", () => {
  test.each(cases.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const rec = installMocks();
    const name = c.what === "invalid service name" ? "Api_Service" : "api";
    let error: unknown;
    try {
      new AppService(name, c.args, c.ctx ?? kubernetesCtx());
    } catch (e) {
      error = e;
    }
    await settle();
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as ValidationError).message;
    expect(message).toContain(`Invalid AppService "${name}" args`);
    for (const fragment of c.expect) expect(message).toContain(fragment);
    expect(rec.resources).toEqual([]);
  });
});

describe("validateAppServiceArgs", () => {
  test("reports every problem at once, under a config key prefix", () => {
    expect(() =>
      validateAppServiceArgs("api", { ...api, image: "api:latest", port: 0, replicas: 0 }, kubernetesCtx(), { source: "stack config", prefix: "platform:services[1]" }),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/Invalid stack config:[\s\S]*platform:services\[1\]\.image: [\s\S]*platform:services\[1\]\.port: [\s\S]*platform:services\[1\]\.replicas: /),
      }),
    );
  });

  test("compliant args resolve with defaults: api keeps 1 replica, startup probe, TLS secret from the host, public, rate limit 10/20, body 1Mi", () => {
    const r = validateAppServiceArgs("api", api, kubernetesCtx());
    expect(r.replicas).toBe(1);
    expect(r.autoscaling).toBeUndefined();
    expect(r.probes).toEqual({ port: 8000, livenessPath: "/health", readinessPath: "/health/ready", startup: { periodSeconds: 5, failureThreshold: 30 }, dockerTest: undefined });
    expect(r.ingress).toMatchObject({
      host: "api.example.com", path: "/", visibility: "public", clusterIssuer: "letsencrypt-prod", tlsSecretName: "api-example-com-tls",
      rateLimit: { rps: 10, burst: 20 }, maxRequestBodySize: "1Mi",
    });
    expect(r.metrics).toEqual({ port: 9100, path: "/metrics", portName: "metrics" });
  });

  test("probe opt-outs: false paths resolve to no probe and need no port (a worker may say livenessPath: false)", () => {
    const r = validateAppServiceArgs("api", { ...api, health: { livenessPath: false, readinessPath: false } }, kubernetesCtx());
    expect(r.probes).toEqual({ port: 8000, livenessPath: undefined, readinessPath: undefined, startup: undefined, dockerTest: undefined });
    const w = validateAppServiceArgs("rebalance", { ...KIND_ARGS.worker, health: { livenessPath: false, readinessPath: false } }, kubernetesCtx());
    expect(w.probes).toEqual({ dockerTest: undefined, livenessCommand: undefined });
  });

  test("autoscaling without targets defaults to CPU 70 %; a digest-pinned image is accepted", () => {
    const r = validateAppServiceArgs("api", { ...api, image: `paimon/api@sha256:${"a".repeat(64)}`, autoscaling: { min: 3, max: 10 } }, kubernetesCtx());
    expect(r.autoscaling).toEqual({ min: 3, max: 10, cpuPercent: 70, memoryPercent: undefined });
    expect(r.replicas).toBeUndefined();
  });
});
