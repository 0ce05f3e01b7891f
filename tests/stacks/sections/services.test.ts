import * as pulumi from "@pulumi/pulumi";
import { SHARED_ENV_CHECKSUM_ANNOTATION, sharedEnvChecksum } from "../../../components/app-service";
import type { DatabaseConnection } from "../../../components/lib/contracts";
import type { PlatformContext } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { parseRoot } from "../../../stacks/config";
import { profileFor } from "../../../stacks/profiles";
import { SecretConfig } from "../../../stacks/secrets";
import {
  buildServices,
  parseServices,
  parseSharedEnv,
  planEdgeHosts,
  planServices,
  schema,
  servicesRequiredSecrets,
} from "../../../stacks/sections/services";
import type { SectionContext } from "../../../stacks/sections/types";
import { installMocks, isSecretValue, MOCK_SECRET_PREFIX, plaintextStrings, settle, unwrapSecrets } from "../../helpers/mocks";
import { dockerCtx, kubernetesCtx } from "../../components/app-service/fixtures";

function sectionCtx(environment: "dev" | "staging" | "prod", platform: PlatformContext): SectionContext {
  return {
    root: parseRoot({ environment, target: platform.target, runbookBaseUrl: "https://example.com/runbooks/" }),
    platform: { ...platform, environment },
    profile: profileFor(environment),
    secrets: new SecretConfig("platform"),
  };
}
const prod = () => sectionCtx("prod", kubernetesCtx());
const staging = () => sectionCtx("staging", kubernetesCtx({ environment: "staging" }));

const SERVICES = [
  { name: "web", kind: "web", image: "registry.example.com/frontend:2.0.1", port: 3000, ingress: { host: "app.example.com" } },
  {
    name: "api",
    kind: "api",
    image: "registry.example.com/api:1.4.2",
    port: 8000,
    allowedCallers: ["web"],
    metrics: { port: 9100 },
    secretEnv: { API_KEY: "apiKey" },
    connections: [{ database: "orders" }],
  },
  { name: "rebalance", kind: "worker", image: "registry.example.com/worker:1.4.2" },
  { name: "listener", kind: "singleton", image: "registry.example.com/listener:1.4.2", port: 8001 },
];

/** Runs plan and returns the message of the ValidationError it throws. */
function planError(raw: unknown, sctx = prod(), dbs = ["orders"]): string {
  try {
    planServices(parseServices(raw), sctx, dbs);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("services section: schema and profile defaults", () => {
  test("absent section means no services", () => {
    expect(schema.parse(undefined)).toEqual([]);
  });

  test("prod: web/api/worker autoscale 3-10 at CPU 70 % / memory 80 % with PDB and zone spread; singleton stays at 1 without them", () => {
    const plan = planServices(parseServices(SERVICES), prod(), ["orders"]);
    const byName = Object.fromEntries(plan.map((p) => [p.name, p.args]));
    for (const name of ["web", "api", "rebalance"]) {
      expect(byName[name].autoscaling).toEqual({ min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 });
      expect(byName[name].replicas).toBeUndefined();
      expect(byName[name].podDisruptionBudget).toBe(true);
      expect(byName[name].zoneSpread).toBe(true);
    }
    expect(byName.listener).toMatchObject({ replicas: 1, podDisruptionBudget: false, zoneSpread: false });
    expect(byName.listener.autoscaling).toBeUndefined();
    expect(byName.api.resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } });
    expect(plan.find((p) => p.name === "api")).toMatchObject({ secretEnvKeys: { API_KEY: "apiKey" }, connections: [{ database: "orders", envPrefix: "DATABASE" }] });
  });

  test("staging: one replica, no HPA, no PDB", () => {
    const plan = planServices(parseServices(SERVICES), staging(), ["orders"]);
    for (const p of plan) {
      expect(p.args.replicas).toBe(1);
      expect(p.args.autoscaling).toBeUndefined();
      expect(p.args.podDisruptionBudget).toBe(false);
    }
  });

  test("explicit settings win: fixed replicas switch off the prod HPA; autoscaling false too; one resource value overrides alone", () => {
    const plan = planServices(
      parseServices([
        { ...SERVICES[2], replicas: 2, resources: { limits: { memory: "2Gi" } } },
        { ...SERVICES[0], autoscaling: false, podDisruptionBudget: false },
      ]),
      prod(),
      [],
    );
    expect(plan[0].args).toMatchObject({ replicas: 2, podDisruptionBudget: true });
    expect(plan[0].args.autoscaling).toBeUndefined();
    expect(plan[0].args.resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "2Gi" } });
    expect(plan[1].args).toMatchObject({ replicas: 3, podDisruptionBudget: false });
    expect(plan[1].args.autoscaling).toBeUndefined();
  });
});

describe("services section: bad config fails in plan, naming the key path and the value", () => {
  test.each([
    ["unpinned image", [SERVICES[0], { ...SERVICES[1], image: "registry.example.com/api:latest" }], ["platform:services[1].image: must be pinned", '(got "registry.example.com/api:latest")']],
    ["replicas < 1", [{ ...SERVICES[2], replicas: 0 }], ["platform:services[0].replicas: must be an integer of at least 1", "(got 0)"]],
    ["autoscaling min > max", [{ ...SERVICES[2], autoscaling: { min: 6, max: 4 } }], ["platform:services[0].autoscaling.min: must be at most autoscaling.max (4)", "(got 6)"]],
    ["invalid CPU quantity", [{ ...SERVICES[2], resources: { requests: { cpu: "500mm" } } }], ["platform:services[0].resources.requests.cpu: must be a CPU quantity", '(got "500mm")']],
    ["invalid memory quantity", [{ ...SERVICES[2], resources: { limits: { memory: "1Gb" } } }], ["platform:services[0].resources.limits.memory: must be a memory quantity", '(got "1Gb")']],
    ["port out of range", [{ ...SERVICES[0], port: 0 }], ["platform:services[0].port: must be a port between 1 and 65535", "(got 0)"]],
    ["invalid hostname", [{ ...SERVICES[0], ingress: { host: "not a host" } }], ["platform:services[0].ingress.host: must be a lowercase DNS hostname", '(got "not a host")']],
    ["singleton with autoscaling", [{ ...SERVICES[3], autoscaling: { min: 2, max: 3 } }], ["platform:services[0].autoscaling: is not allowed for kind singleton"]],
    ["startup probe with liveness turned off", [{ ...SERVICES[0], health: { livenessPath: false, startup: { failureThreshold: 60 } } }], ["platform:services[0].health.startup: runs on the liveness path, which health.livenessPath: false turns off", '(got {"failureThreshold":60})']],
    ["probe path that is neither a path nor false", [{ ...SERVICES[0], health: { readinessPath: "ready" } }], ["platform:services[0].health.readinessPath", '(got "ready")']],
    ["extra port colliding with the metrics port", [SERVICES[0], { ...SERVICES[1], extraPorts: [{ name: "grpc", port: 9100 }] }], ["platform:services[1].extraPorts[0].port: is already used by metrics.port; each port number once", "(got 9100)"]],
    ["extra port with a bad name", [{ ...SERVICES[0], extraPorts: [{ name: "gRPC", port: 9090 }] }], ["platform:services[0].extraPorts[0].name: must be an IANA service name", '(got "gRPC")']],
    ["unknown key", [{ ...SERVICES[2], replica: 2 }], ['platform:services[0].replica: unknown key; did you mean "replicas"? (allowed: name, kind, image,']],
  ])("%s", (_what, raw, fragments) => {
    const message = planError(raw);
    expect(message).toContain("Invalid stack config");
    for (const f of fragments) expect(message).toContain(f);
  });

  test("duplicate service names", () => {
    const message = planError([SERVICES[0], { ...SERVICES[2], name: "web" }]);
    expect(message).toContain('platform:services[1].name: duplicates the name of platform:services[0]; service names must be unique (got "web")');
  });

  test("unknown database, unknown caller and a connection prefix that would overwrite env are all reported together", () => {
    const message = planError([
      SERVICES[0],
      { ...SERVICES[1], allowedCallers: ["frontend"], env: { DATABASE_HOST: "x" }, connections: [{ database: "payments" }] },
    ]);
    expect(message).toContain('platform:services[1].connections[0].database: must name a database in platform:databases or one of its logical databases as <name>/<database> (known: orders) (got "payments")');
    expect(message).toContain('platform:services[1].allowedCallers[0]: must name a service in platform:services (known: web, api) (got "frontend")');
    expect(message).toContain('platform:services[1].connections[0].envPrefix: would overwrite DATABASE_HOST set in env/secretEnv/secretRefs; choose another prefix (got "DATABASE")');
  });

  test("a connection may name a logical database as <database>/<logical>; unknown or malformed ones are refused", () => {
    const ok = planServices(parseServices([SERVICES[0], { ...SERVICES[1], connections: [{ database: "main/orders" }, { database: "main", envPrefix: "ADMIN" }] }]), prod(), ["main", "main/orders"]);
    expect(ok[1].connections).toEqual([
      { database: "main/orders", envPrefix: "DATABASE" },
      { database: "main", envPrefix: "ADMIN" },
    ]);
    const unknown = planError([SERVICES[0], { ...SERVICES[1], connections: [{ database: "main/billing" }] }], prod(), ["main", "main/orders"]);
    expect(unknown).toContain('platform:services[1].connections[0].database: must name a database in platform:databases or one of its logical databases as <name>/<database> (known: main, main/orders) (got "main/billing")');
    const malformed = planError([SERVICES[0], { ...SERVICES[1], connections: [{ database: "main/Orders/x" }] }], prod(), ["main"]);
    expect(malformed).toContain("platform:services[1].connections[0].database: must name a database in platform:databases, <database>/<logical database> (e.g. main-db/orders) or kafka/<cluster of platform:kafka>");
  });

  test("a failing plan registers nothing", async () => {
    const rec = installMocks();
    expect(() => planServices(parseServices([{ ...SERVICES[0], image: "frontend" }]), prod(), [])).toThrow(ValidationError);
    await settle();
    expect(rec.resources).toEqual([]);
  });
});

describe("services section: secrets", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  test("servicesRequiredSecrets lists each secretEnv key with its setting", () => {
    expect(servicesRequiredSecrets(parseServices(SERVICES))).toEqual([{ key: "apiKey", usedBy: "platform:services[1].secretEnv.API_KEY" }]);
  });

  test("a missing required secret fails with the command to set it; a plaintext one is refused; a secret one passes", () => {
    const required = servicesRequiredSecrets(parseServices(SERVICES));
    pulumi.runtime.setAllConfig({}, []);
    expect(() => new SecretConfig("platform").assertAll(required)).toThrow(
      "platform:services[1].secretEnv.API_KEY: missing required secret platform:apiKey (set it with: pulumi config set --secret platform:apiKey <value>)",
    );
    pulumi.runtime.setAllConfig({ "platform:apiKey": "plain" }, []);
    expect(() => new SecretConfig("platform").assertAll(required)).toThrow("platform:apiKey is stored in plaintext");
    pulumi.runtime.setAllConfig({ "platform:apiKey": "s3cret" }, ["platform:apiKey"]);
    expect(() => new SecretConfig("platform").assertAll(required)).not.toThrow();
  });
});

function connection(withSecretRef: boolean): DatabaseConnection {
  return {
    engine: "postgres",
    host: pulumi.output("orders.db.internal"),
    port: pulumi.output(5432),
    user: pulumi.output("app"),
    database: pulumi.output("orders"),
    password: pulumi.secret(`${MOCK_SECRET_PREFIX}orders-password`),
    url: pulumi.secret(`postgresql://app:${MOCK_SECRET_PREFIX}orders-password@orders.db.internal:5432/orders?sslmode=require`),
    tls: true,
    ...(withSecretRef ? { secretRef: { name: pulumi.output("orders-credentials"), passwordKey: "password", urlKey: "url" } } : {}),
  };
}

describe("services section: build", () => {
  const SECRET_VALUE = "api-key-secret-value";
  beforeEach(() => pulumi.runtime.setAllConfig({ "platform:apiKey": SECRET_VALUE }, ["platform:apiKey"]));
  afterEach(() => pulumi.runtime.setAllConfig({}, []));

  test("Kubernetes: connection env injected, password from the database Secret, secretEnv from secret config, nothing plaintext", async () => {
    const rec = installMocks();
    const sctx = prod();
    const plan = planServices(parseServices(SERVICES), sctx, ["orders"]);
    const services = buildServices(plan, sctx, { connections: { orders: connection(true) } });
    await settle();
    expect(Object.keys(services)).toEqual(["web", "api", "rebalance", "listener"]);
    const api = rec.one("kubernetes:apps/v1:Deployment", "api-deployment").inputs.spec.template.spec.containers[0];
    expect(api.env).toEqual([
      { name: "DATABASE_HOST", value: "orders.db.internal" },
      { name: "DATABASE_PORT", value: "5432" },
      { name: "DATABASE_USER", value: "app" },
      { name: "DATABASE_NAME", value: "orders" },
      { name: "API_KEY", valueFrom: { secretKeyRef: { name: "api-env", key: "API_KEY" } } },
      { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "orders-credentials", key: "password" } } },
    ]);
    const secret = rec.one("kubernetes:core/v1:Secret", "api-secret-env").inputs;
    expect(isSecretValue(secret.stringData)).toBe(true);
    expect(unwrapSecrets(secret.stringData)).toEqual({ API_KEY: SECRET_VALUE });
    const leaks = rec.resources.flatMap((r) =>
      plaintextStrings(r.inputs).filter((s) => s.value.includes(SECRET_VALUE) || s.value.includes(MOCK_SECRET_PREFIX)),
    );
    expect(leaks).toEqual([]);
  });

  test("a logical database connection and read replicas: its own user, database and Secret; replica hosts listed", async () => {
    const rec = installMocks();
    const sctx = prod();
    const plan = planServices(parseServices([SERVICES[0], { ...SERVICES[1], connections: [{ database: "main/orders" }] }]), sctx, ["main", "main/orders"]);
    const orders: DatabaseConnection = {
      ...connection(false),
      user: pulumi.output("orders"),
      secretRef: { name: pulumi.output("main-db-orders"), passwordKey: "password", urlKey: "url" },
      replicaHosts: [pulumi.output("main-replica-1.db.internal"), pulumi.output("main-replica-2.db.internal")],
    };
    buildServices(plan, sctx, { connections: { main: connection(true), "main/orders": orders } });
    await settle();
    const env = rec.one("kubernetes:apps/v1:Deployment", "api-deployment").inputs.spec.template.spec.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "DATABASE_USER", value: "orders" },
        { name: "DATABASE_REPLICA_HOSTS", value: "main-replica-1.db.internal,main-replica-2.db.internal" },
        { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "main-db-orders", key: "password" } } },
      ]),
    );
  });

  test("Kubernetes without a database Secret: the password goes into the service's own Secret as a Pulumi secret", async () => {
    const rec = installMocks();
    const sctx = prod();
    const plan = planServices(parseServices([{ ...SERVICES[1], allowedCallers: [] }]), sctx, ["orders"]);
    buildServices(plan, sctx, { connections: { orders: connection(false) } });
    await settle();
    const secret = rec.one("kubernetes:core/v1:Secret", "api-secret-env").inputs;
    expect(unwrapSecrets(secret.stringData)).toEqual({ API_KEY: SECRET_VALUE, DATABASE_PASSWORD: `${MOCK_SECRET_PREFIX}orders-password` });
    const leaks = rec.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(MOCK_SECRET_PREFIX)));
    expect(leaks).toEqual([]);
  });

  test("edge hosts: one per distinct host (services may share one), with its visibility and certificate Secret", () => {
    const raw = [
      SERVICES[0],
      { ...SERVICES[0], name: "docs", ingress: { host: "app.example.com", path: "/docs" } },
      { ...SERVICES[0], name: "admin", ingress: { host: "admin.example.com", visibility: "internal", tls: { clusterIssuer: "letsencrypt-staging", secretName: "admin-cert" } } },
    ];
    expect(planEdgeHosts(planServices(parseServices(raw), staging(), []), "letsencrypt-staging")).toEqual([
      { host: "app.example.com", visibility: "public", tlsSecretName: "app-example-com-tls" },
      { host: "admin.example.com", visibility: "internal", tlsSecretName: "admin-cert" },
    ]);
  });

  test("edge hosts: another issuer than the edge's, and services disagreeing about a shared host, fail with their key paths", () => {
    const raw = [
      SERVICES[0],
      { ...SERVICES[0], name: "docs", ingress: { host: "app.example.com", visibility: "internal", tls: { secretName: "docs-tls" } } },
      { ...SERVICES[0], name: "admin", ingress: { host: "admin.example.com", tls: { clusterIssuer: "internal-ca" } } },
    ];
    let message = "";
    try {
      planEdgeHosts(planServices(parseServices(raw), staging(), []), "letsencrypt-staging");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      message = (e as Error).message;
    }
    expect(message).toContain('platform:services[1].ingress.visibility: must match platform:services[0] (public), which serves the same host app.example.com');
    expect(message).toContain('platform:services[1].ingress.tls.secretName: must match platform:services[0] (app-example-com-tls)');
    expect(message).toContain('platform:services[2].ingress.tls.clusterIssuer: must be the edge\'s issuer "letsencrypt-staging" or left out');
    expect(message).toContain('(got "internal-ca")');
  });

  test("edge hosts with gRPC routes: a host of their own is a gRPC listener; on an HTTP host the listener admits both", () => {
    const grpcPort = { name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" };
    const raw = [
      SERVICES[0],
      { ...SERVICES[0], name: "payments", kind: "api", extraPorts: [{ ...grpcPort, route: { host: "grpc.example.com", visibility: "internal" } }] },
      { ...SERVICES[0], name: "ledger", kind: "api", extraPorts: [{ ...grpcPort, route: { host: "app.example.com", services: ["ledger.v1.Ledger"] } }] },
    ];
    expect(planEdgeHosts(planServices(parseServices(raw), staging(), []), "letsencrypt-staging")).toEqual([
      { host: "app.example.com", visibility: "public", tlsSecretName: "app-example-com-tls", grpc: true },
      { host: "grpc.example.com", visibility: "internal", tlsSecretName: "grpc-example-com-tls", grpc: true },
    ]);
  });

  test("edge hosts with gRPC routes: conflicts across services fail with the route's key path", () => {
    const grpcPort = { name: "grpc", port: 9090, appProtocol: "grpc" };
    const raw = [
      SERVICES[0],
      // Another service's HTTP host without naming services; then a visibility the host does not have.
      { ...SERVICES[0], name: "payments", kind: "api", ingress: undefined, extraPorts: [{ ...grpcPort, route: { host: "app.example.com", visibility: "internal" } }] },
      // Two services routing the same gRPC service on one host.
      { ...SERVICES[0], name: "ledger", kind: "api", ingress: undefined, extraPorts: [{ ...grpcPort, route: { host: "rpc.example.com", services: ["ledger.v1.Ledger"] } }] },
      { ...SERVICES[0], name: "ledger2", kind: "api", ingress: undefined, extraPorts: [{ ...grpcPort, route: { host: "rpc.example.com", services: ["ledger.v1.Ledger"] } }] },
    ];
    let message = "";
    try {
      planEdgeHosts(planServices(parseServices(raw), staging(), []), "letsencrypt-staging");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      message = (e as Error).message;
    }
    expect(message).toContain("platform:services[1].extraPorts[0].route.visibility: must match platform:services[0] (public), which serves the same host app.example.com");
    expect(message).toContain("platform:services[1].extraPorts[0].route.services: must name the gRPC services routed because platform:services[0] also serves host app.example.com");
    expect(message).toContain('platform:services[3].extraPorts[0].route.services: are already routed by platform:services[2].extraPorts[0].route on host rpc.example.com; route each gRPC service to one port (got ["ledger.v1.Ledger"])');
  });

  test("edge hosts with gRPC routes: a gRPC host sharing its certificate with another host is refused (Envoy Gateway would fall back to HTTP/1.1)", () => {
    const grpcPort = { name: "grpc", port: 9090, appProtocol: "grpc" };
    const raw = [
      { ...SERVICES[0], ingress: { host: "app.example.com", tls: { secretName: "shared-cert" } } },
      { ...SERVICES[0], name: "payments", kind: "api", ingress: { host: "pay.example.com", tls: { secretName: "shared-cert" } }, extraPorts: [{ ...grpcPort, route: { services: ["pay.v1.Pay"] } }] },
    ];
    let message = "";
    try {
      planEdgeHosts(planServices(parseServices(raw), staging(), []), "letsencrypt-staging");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      message = (e as Error).message;
    }
    expect(message).toContain('platform:services[1].extraPorts[0].route.host: shares the certificate Secret shared-cert with app.example.com; Envoy Gateway offers only HTTP/1.1 on listeners with overlapping certificates and gRPC needs HTTP/2');
    expect(message).toContain('(got "pay.example.com")');
    // HTTP-only hosts may still share a certificate.
    expect(() => planEdgeHosts(planServices(parseServices([raw[0], { ...raw[1], extraPorts: undefined }]), staging(), []), "letsencrypt-staging")).not.toThrow();
  });

  test("gRPC route and metrics port mistakes in config fail at plan time with platform:services key paths", () => {
    const raw = [
      SERVICES[0],
      { ...SERVICES[1], metrics: { port: "admn" }, extraPorts: [{ name: "admin", port: 8081, route: {} }] },
    ];
    expect(() => planServices(parseServices(raw), prod(), [])).toThrow(ValidationError);
    let message = "";
    try {
      planServices(parseServices(raw), prod(), []);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("platform:services[1].metrics.port: must be a port number or the name of one of the service's extraPorts (known: admin) (got \"admn\")");
    expect(message).toContain("platform:services[1].extraPorts[0].route: needs appProtocol grpc or kubernetes.io/h2c on this port");
    expect(message).toContain("platform:services[1].extraPorts[0].route.host: is required when the service has no ingress");
  });

  test("a routed gRPC port whose object name <service>-<port> is another service's name is refused", () => {
    const raw = [
      { ...SERVICES[0], name: "api-grpc", kind: "api" },
      { ...SERVICES[0], name: "api", kind: "api", extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: { host: "grpc.example.com" } }] },
    ];
    expect(() => planServices(parseServices(raw), prod(), [])).toThrow(
      'platform:services[1].extraPorts[0].name: names the GRPCRoute and its BackendTrafficPolicy "api-grpc", which is the name of platform:services[0] (whose own policy has that name); rename the port or that service (got "grpc")',
    );
    // Unrouted, the port creates no such object.
    expect(() => planServices(parseServices([raw[0], { ...raw[1], extraPorts: [{ name: "grpc", port: 9090 }] }]), prod(), [])).not.toThrow();
  });

  test("a template's gRPC route and metrics on an extra port reach the component args", () => {
    const parsed = parseServices([{ name: "payments", template: "grpc-api", image: "registry.example.com/payments:1.0.0" }], {
      serviceTemplates: {
        "grpc-api": {
          kind: "api", port: 8080, metrics: { port: "admin" },
          extraPorts: [{ name: "grpc", port: 9090, appProtocol: "grpc", route: { host: "payments.example.com" } }, { name: "admin", port: 9091 }],
        },
      },
    });
    const args = planServices(parsed, prod(), [])[0].args;
    expect(args.metrics).toEqual({ port: "admin" });
    expect(args.extraPorts![0].route).toEqual({ host: "payments.example.com" });
  });

  test("Docker: the database password is a secret env value; nothing plaintext", async () => {
    const rec = installMocks();
    const sctx = sectionCtx("dev", dockerCtx());
    const plan = planServices(parseServices([SERVICES[1]].map((s) => ({ ...s, allowedCallers: [] }))), sctx, ["orders"]);
    buildServices(plan, sctx, { connections: { orders: connection(true) } });
    await settle();
    const container = rec.one("docker:index/container:Container", "api-container").inputs;
    expect(isSecretValue(container.envs)).toBe(true);
    expect(unwrapSecrets(container.envs)).toEqual(
      expect.arrayContaining([`API_KEY=${SECRET_VALUE}`, `DATABASE_PASSWORD=${MOCK_SECRET_PREFIX}orders-password`, "DATABASE_HOST=orders.db.internal", "DATABASE_PORT=5432"]),
    );
    const leaks = rec.resources.flatMap((r) =>
      plaintextStrings(r.inputs).filter((s) => s.value.includes(SECRET_VALUE) || s.value.includes(MOCK_SECRET_PREFIX)),
    );
    expect(leaks).toEqual([]);
  });
});

describe("services section: serviceDefaults and serviceTemplates", () => {
  const defaults = { resources: { limits: { memory: "2Gi" } }, env: { LOG_FORMAT: "json", REGION: "eu" }, health: { livenessPath: "/livez" } };
  const templates = {
    "java-api": { kind: "api", port: 8080, env: { JVM_OPTS: "-Xmx1g" }, metrics: { path: "/actuator/prometheus" }, allowedCallers: ["web"] },
  };
  const layered = [
    SERVICES[0],
    { name: "ledger", template: "java-api", image: "registry.example.com/ledger:3.1.0" },
    { name: "payouts", template: "java-api", image: "registry.example.com/payouts:1.0.2", port: 8081, env: { REGION: "us" }, allowedCallers: [] },
  ];

  test("each service is defaults, then its template, then its own settings; maps merge, scalars and lists are replaced", () => {
    const parsed = parseServices(layered, { serviceDefaults: defaults, serviceTemplates: templates });
    const [web, ledger, payouts] = planServices(parsed, prod(), []).map((p) => p.args);
    expect(web.env).toEqual({ LOG_FORMAT: "json", REGION: "eu" });
    expect(web.resources!.limits).toEqual({ cpu: "500m", memory: "2Gi" });
    expect(ledger).toMatchObject({
      kind: "api",
      port: 8080,
      image: "registry.example.com/ledger:3.1.0",
      env: { LOG_FORMAT: "json", REGION: "eu", JVM_OPTS: "-Xmx1g" },
      metrics: { path: "/actuator/prometheus" },
      health: { livenessPath: "/livez" },
      allowedCallers: ["web"],
    });
    expect(payouts).toMatchObject({ port: 8081, env: { LOG_FORMAT: "json", REGION: "us", JVM_OPTS: "-Xmx1g" }, allowedCallers: [] });
    // The profile still fills what no layer sets.
    expect(ledger.autoscaling).toEqual({ min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 });
  });

  test("extraPorts reach the component args (a template may declare the gRPC port for many services)", () => {
    const parsed = parseServices([{ name: "ledger", template: "grpc-api", image: "registry.example.com/ledger:3.1.0" }], {
      serviceTemplates: { "grpc-api": { kind: "api", port: 8080, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" }] } },
    });
    expect(planServices(parsed, prod(), [])[0].args.extraPorts).toEqual([{ name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" }]);
  });

  test("serviceDefaults may turn a default probe off for every service, and a service may turn it back on", () => {
    const parsed = parseServices([SERVICES[0], { ...SERVICES[1], health: { readinessPath: "/ready" } }], { serviceDefaults: { health: { readinessPath: false } } });
    const [web, api] = planServices(parsed, prod(), ["orders"]).map((p) => p.args);
    expect(web.health).toEqual({ readinessPath: false });
    expect(api.health).toEqual({ readinessPath: "/ready" });
  });

  test("a template may supply kind and image; a service with neither anywhere is refused with its own key path", () => {
    const message = planError([{ name: "ledger", template: "java-api" }, { name: "orphan" }]);
    expect(message).toContain("platform:services[0].template: must name an entry of platform:serviceTemplates (known: none)");
    expect(message).toContain("platform:services[1].kind: must be one of web, api, worker, singleton (got undefined)");
    expect(message).toContain("platform:services[1].image");
  });

  test("a dangling template, a typo inside serviceDefaults and a bad value inside a template are all reported together", () => {
    let message = "";
    try {
      parseServices([{ name: "ledger", template: "jav-api", image: "registry.example.com/ledger:3.1.0" }], {
        serviceDefaults: { resorces: {} },
        serviceTemplates: { "java-api": { kind: "api", port: 70000 } },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('platform:serviceDefaults.resorces: unknown key; did you mean "resources"?');
    expect(message).toContain("platform:serviceTemplates.java-api.port: must be a port between 1 and 65535 (got 70000)");
    // Layers are only merged once each of them is valid.
    expect(() => parseServices([{ name: "ledger", template: "jav-api", image: "registry.example.com/ledger:3.1.0" }], { serviceTemplates: templates })).toThrow(
      'platform:services[0].template: must name an entry of platform:serviceTemplates (known: java-api) (got "jav-api")',
    );
  });

  test("secrets named by serviceDefaults and templates are required like the service's own", () => {
    const parsed = parseServices([{ name: "ledger", template: "java-api", image: "registry.example.com/ledger:3.1.0" }], {
      serviceDefaults: { secretEnv: { SENTRY_DSN: "sentryDsn" } },
      serviceTemplates: templates,
    });
    expect(servicesRequiredSecrets(parsed)).toEqual([{ key: "sentryDsn", usedBy: "platform:services[0].secretEnv.SENTRY_DSN" }]);
  });
});

describe("services section: autoscaling keeps the profile's targets when a service sets only its bounds", () => {
  test("prod: {min, max} alone keeps CPU 70 % and memory 80 %; naming a target keeps only the service's choice", () => {
    const plan = planServices(
      parseServices([
        { ...SERVICES[2], autoscaling: { min: 2, max: 4 } },
        { ...SERVICES[2], name: "cpu-only", autoscaling: { min: 2, max: 4, cpuPercent: 60 } },
      ]),
      prod(),
      [],
    );
    expect(plan[0].args.autoscaling).toEqual({ min: 2, max: 4, cpuPercent: 70, memoryPercent: 80 });
    expect(plan[1].args.autoscaling).toEqual({ min: 2, max: 4, cpuPercent: 60 });
  });

  test("staging has no profile targets: the component's CPU 70 % applies", () => {
    const plan = planServices(parseServices([{ ...SERVICES[2], autoscaling: { min: 2, max: 4 } }]), staging(), []);
    expect(plan[0].args.autoscaling).toEqual({ min: 2, max: 4 });
  });
});

describe("services section: secretRefs and URL connection variables", () => {
  const SECRET_VALUE = "api-key-secret-value";
  beforeEach(() => pulumi.runtime.setAllConfig({ "platform:apiKey": SECRET_VALUE }, ["platform:apiKey"]));
  afterEach(() => pulumi.runtime.setAllConfig({}, []));
  const api = { ...SERVICES[1], allowedCallers: [], secretRefs: { STRIPE_KEY: { name: "payment-keys", key: "stripe" } }, connections: [{ database: "orders", urlEnv: "DATABASE_URL" }] };

  test("Kubernetes: existing Secrets and the database URL are referenced, never copied", async () => {
    const rec = installMocks();
    const sctx = prod();
    buildServices(planServices(parseServices([api]), sctx, ["orders"]), sctx, { connections: { orders: connection(true) } });
    await settle();
    const env = rec.one("kubernetes:apps/v1:Deployment", "api-deployment").inputs.spec.template.spec.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "STRIPE_KEY", valueFrom: { secretKeyRef: { name: "payment-keys", key: "stripe" } } },
        { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "orders-credentials", key: "url" } } },
      ]),
    );
    const leaks = rec.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(MOCK_SECRET_PREFIX)));
    expect(leaks).toEqual([]);
  });

  test("Docker: the URL is a secret env value; secretRefs are refused there with their key path", async () => {
    const rec = installMocks();
    const sctx = sectionCtx("dev", dockerCtx());
    const { secretRefs: _unused, ...dockerApi } = api;
    buildServices(planServices(parseServices([dockerApi]), sctx, ["orders"]), sctx, { connections: { orders: connection(true) } });
    await settle();
    const container = rec.one("docker:index/container:Container", "api-container").inputs;
    expect(isSecretValue(container.envs)).toBe(true);
    expect(unwrapSecrets(container.envs)).toContain(`DATABASE_URL=postgresql://app:${MOCK_SECRET_PREFIX}orders-password@orders.db.internal:5432/orders?sslmode=require`);
    expect(planError([api], sctx)).toContain('platform:services[0].secretRefs: reference Kubernetes Secrets and are not available on the docker target');
  });

  test.each([
    ["a bad Secret name", { ...api, secretRefs: { X: { name: "Payment_Keys", key: "k" } } }, "platform:services[0].secretRefs.X.name: must be a Kubernetes object name", '(got "Payment_Keys")'],
    ["an unknown field in a reference", { ...api, secretRefs: { X: { name: "keys", key: "k", optional: true } } }, "platform:services[0].secretRefs.X.optional: unknown key (allowed: name, key)", ""],
    ["a bad variable name", { ...api, secretRefs: { "STRIPE-KEY": { name: "keys", key: "k" } } }, "platform:services[0].secretRefs.STRIPE-KEY", "must be an environment variable name"],
    ["a URL variable that clashes with env", { ...api, env: { DATABASE_URL: "x" } }, "platform:services[0].connections[0].urlEnv: is already set by env, secretEnv, secretRefs or another connection", '(got "DATABASE_URL")'],
    ["a URL variable that clashes with a secretRef", { ...api, secretRefs: { DATABASE_URL: { name: "keys", key: "k" } } }, "platform:services[0].connections[0].urlEnv: is already set", ""],
  ])("refuses %s", (_what, svc, fragment, got) => {
    const message = planError([svc]);
    expect(message).toContain(fragment);
    expect(message).toContain(got);
  });
});

describe("services section: per-service HTTP metric names (httpMetrics)", () => {
  const paimon = { requestsTotal: "paimon_http_requests_total", durationHistogram: "paimon_http_request_duration_seconds", latencyQuantile: 0.99 };

  test("serviceDefaults set the names for every service, a service overrides one key; the AlertingStack gets them resolved", async () => {
    const rec = installMocks();
    const sctx = prod();
    const parsed = parseServices(
      [SERVICES[0], { ...SERVICES[1], connections: [], secretEnv: {}, httpMetrics: { statusLabel: "code" } }, { ...SERVICES[0], name: "legacy", ingress: { host: "legacy.example.com" }, metrics: {}, httpMetrics: { requestsTotal: "http_requests_total", durationHistogram: "http_request_duration_seconds", latencyQuantile: 0.95 } }, SERVICES[2]],
      { serviceDefaults: { httpMetrics: paimon } },
    );
    const plan = planServices(parsed, sctx, []);
    expect(plan[1].args.httpMetrics).toEqual({ ...paimon, statusLabel: "code" });
    const built = buildServices(plan, sctx, { connections: {} });
    await settle();
    expect(built.api.monitoredService!.http).toEqual({ ...paimon, statusLabel: "code" });
    // A service may go back to the client-library defaults; the worker inherits the names harmlessly (no HTTP alerts).
    expect(built.legacy.monitoredService!.http).toEqual({ requestsTotal: "http_requests_total", durationHistogram: "http_request_duration_seconds", statusLabel: "status", latencyQuantile: 0.95 });
    expect(built.rebalance.monitoredService).toBeUndefined();
    expect(rec.resources.length).toBeGreaterThan(0);
  });

  test("names that are not Prometheus names and quantiles outside (0, 1) are all reported with their key paths", () => {
    const message = planError([
      { ...SERVICES[1], connections: [], httpMetrics: { requestsTotal: "paimon-http-requests", durationHistogram: "paimon_http_request_duration_seconds_bucket", statusLabel: "le", latencyQuantile: 99 } },
      { ...SERVICES[2], httpMetrics: { statusLabel: "__status", requestsTotal: "9requests" } },
    ]);
    expect(message).toContain('platform:services[0].httpMetrics.requestsTotal: must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) (got "paimon-http-requests")');
    expect(message).toContain('platform:services[0].httpMetrics.durationHistogram: must be the histogram\'s base name, without the _bucket, _count or _sum suffix (got "paimon_http_request_duration_seconds_bucket")');
    expect(message).toContain('platform:services[0].httpMetrics.statusLabel: must not be one of job, service, le, instance, namespace, quantile (the rules use them themselves) (got "le")');
    expect(message).toContain("platform:services[0].httpMetrics.latencyQuantile: must be a quantile greater than 0 and less than 1, e.g. 0.99 (got 99)");
    expect(message).toContain('platform:services[1].httpMetrics.statusLabel: must not start with __ (reserved for Prometheus internals) (got "__status")');
    expect(message).toContain('platform:services[1].httpMetrics.requestsTotal: must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) (got "9requests")');
  });

  test("a bad name in serviceDefaults is reported at serviceDefaults; an unknown key with a suggestion", () => {
    let message = "";
    try {
      parseServices([SERVICES[0]], { serviceDefaults: { httpMetrics: { requestTotal: "paimon_http_requests_total", latencyQuantile: 0 } } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('platform:serviceDefaults.httpMetrics.requestTotal: unknown key; did you mean "requestsTotal"?');
    expect(message).toContain("platform:serviceDefaults.httpMetrics.latencyQuantile: must be a quantile greater than 0 and less than 1, e.g. 0.99 (got 0)");
  });
});

describe("services section: shared environment (platform:sharedEnv)", () => {
  const shared = { LOG_FORMAT: "json", REGION: "eu-west-1" };
  const worker = { ...SERVICES[2], env: { REGION: "us-east-1" } };
  const listener = { ...SERVICES[3], sharedEnv: false };

  test("Kubernetes: one ConfigMap, read through envFrom by every service but the one that opts out; own env wins; the checksum follows the values", async () => {
    const rec = installMocks();
    const sctx = staging();
    buildServices(planServices(parseServices([SERVICES[0], worker, listener]), sctx, [], parseSharedEnv(shared)), sctx, { connections: {} });
    await settle();
    const cm = rec.one("kubernetes:core/v1:ConfigMap", "shared-env").inputs;
    expect(cm.metadata).toMatchObject({ name: "shared-env", namespace: "apps" });
    expect(cm.data).toEqual(shared);
    const template = (name: string) => rec.one("kubernetes:apps/v1:Deployment", `${name}-deployment`).inputs.spec.template;
    for (const name of ["web", "rebalance"]) {
      expect(template(name).spec.containers[0].envFrom).toEqual([{ configMapRef: { name: "shared-env" } }]);
      expect(template(name).metadata.annotations[SHARED_ENV_CHECKSUM_ANNOTATION]).toBe(sharedEnvChecksum(shared));
    }
    // env entries win over envFrom in Kubernetes, so the worker's own REGION is what it sees.
    expect(template("rebalance").spec.containers[0].env).toContainEqual({ name: "REGION", value: "us-east-1" });
    expect(template("listener").spec.containers[0].envFrom).toBeUndefined();
    expect(template("listener").metadata.annotations[SHARED_ENV_CHECKSUM_ANNOTATION]).toBeUndefined();
    // A changed value changes the checksum (and so rolls the pods); key order does not.
    expect(sharedEnvChecksum({ ...shared, LOG_FORMAT: "text" })).not.toBe(sharedEnvChecksum(shared));
    expect(sharedEnvChecksum({ REGION: "eu-west-1", LOG_FORMAT: "json" })).toBe(sharedEnvChecksum(shared));
  });

  test("Docker: shared values join the container env under the service's own; no ConfigMap", async () => {
    const rec = installMocks();
    const sctx = sectionCtx("dev", dockerCtx());
    buildServices(planServices(parseServices([worker, listener]), sctx, [], parseSharedEnv(shared)), sctx, { connections: {} });
    await settle();
    expect(rec.byType("kubernetes:core/v1:ConfigMap")).toHaveLength(0);
    const envs = (name: string) => unwrapSecrets(rec.one("docker:index/container:Container", `${name}-container`).inputs.envs) as string[];
    expect(envs("rebalance")).toEqual(expect.arrayContaining(["LOG_FORMAT=json", "REGION=us-east-1"]));
    expect(envs("rebalance")).not.toContain("REGION=eu-west-1");
    expect(envs("listener").some((e) => e.startsWith("LOG_FORMAT="))).toBe(false);
  });

  test("no platform:sharedEnv: nothing is added, no ConfigMap", async () => {
    const rec = installMocks();
    const sctx = staging();
    const plan = planServices(parseServices([SERVICES[0]]), sctx, []);
    expect(plan[0].args.sharedEnv).toBeUndefined();
    buildServices(plan, sctx, { connections: {} });
    await settle();
    expect(rec.byType("kubernetes:core/v1:ConfigMap")).toHaveLength(0);
  });

  test("refuses a bad variable name, an oversized map, and a service that asks for a shared env the stack does not set", () => {
    expect(() => parseSharedEnv({ "LOG-FORMAT": "json" })).toThrow(/platform:sharedEnv\.LOG-FORMAT: must be an environment variable name/);
    expect(() => parseSharedEnv({ BIG: "x".repeat(600 * 1024) })).toThrow(/platform:sharedEnv: must hold at most 524288 bytes of names and values/);
    expect(() => parseSharedEnv({ RETRIES: 3 })).toThrow(/platform:sharedEnv\.RETRIES: .*\(got 3\)/);
    expect(planError([{ ...SERVICES[2], sharedEnv: true }])).toContain("platform:services[0].sharedEnv: reads platform:sharedEnv, which is not set; set it, or remove sharedEnv (got true)");
  });
});

describe("services section: jobs", () => {
  test("jobs reach the component args (a template may hold the migration for many services); docker refuses them with the key path", () => {
    const parsed = parseServices([{ name: "ledger", template: "migrating", image: "registry.example.com/ledger:3.1.0" }], {
      serviceTemplates: { migrating: { kind: "worker", jobs: [{ name: "migrate", command: ["./migrate"] }] } },
    });
    expect(planServices(parsed, prod(), [])[0].args.jobs).toEqual([{ name: "migrate", command: ["./migrate"] }]);
    expect(planError([{ ...SERVICES[2], jobs: [{ name: "migrate" }] }], sectionCtx("dev", dockerCtx()))).toContain(
      'platform:services[0].jobs: are not supported on the docker target (no Job scheduler)',
    );
    expect(planError([{ ...SERVICES[2], jobs: [{ name: "report", schedule: "*/0 * * * *" }] }])).toContain("platform:services[0].jobs[0].schedule: must be a 5-field cron expression");
  });
});
