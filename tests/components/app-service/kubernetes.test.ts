import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppService, APP_SERVICE_TYPE, type AppServiceArgs, jobRunHash } from "../../../components/app-service";
import { installMocks, isSecretValue, plaintextStrings, type Recorder, settle, unwrapSecrets } from "../../helpers/mocks";
import { KIND_ARGS, kubernetesCtx } from "./fixtures";

let rec: Recorder;
beforeEach(() => {
  rec = installMocks();
});

const T = {
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  secret: "kubernetes:core/v1:Secret",
  httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  grpcRoute: "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute",
  trafficPolicy: "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
};

async function build(name: string, args: AppServiceArgs, ctx = kubernetesCtx()) {
  const svc = new AppService(name, args, ctx);
  await settle();
  return svc;
}

const podSpec = (name: string) => rec.one(T.deployment, `${name}-deployment`).inputs.spec.template.spec;
const container = (name: string) => podSpec(name).containers[0];

describe("AppService on Kubernetes: objects per kind", () => {
  test("web gets Deployment, Service, HTTPRoute, BackendTrafficPolicy, NetworkPolicy, ServiceMonitor; no HPA by default", async () => {
    await build("web", KIND_ARGS.web);
    expect(rec.inventory()).toEqual(
      [
        `${APP_SERVICE_TYPE} web`,
        `${T.trafficPolicy} web-backend-traffic-policy`,
        `${T.deployment} web-deployment`,
        `${T.httpRoute} web-http-route`,
        `${T.netpol} web-network-policy`,
        `${T.service} web-service`,
        `${T.serviceAccount} web-service-account`,
        `${T.serviceMonitor} web-service-monitor`,
      ].sort(),
    );
    const spec = rec.one(T.deployment).inputs.spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });

  test("worker has no Service, no HTTPRoute, and is scraped by a PodMonitor relabelled to job/service = name", async () => {
    await build("rebalance", KIND_ARGS.worker);
    expect(rec.byType(T.service)).toHaveLength(0);
    expect(rec.byType(T.httpRoute)).toHaveLength(0);
    expect(rec.byType(T.serviceMonitor)).toHaveLength(0);
    const pm = rec.one(T.podMonitor, "rebalance-pod-monitor").inputs;
    expect(pm.spec.podMetricsEndpoints[0].port).toBe("metrics");
    expect(pm.spec.podMetricsEndpoints[0].relabelings).toEqual([
      { action: "replace", targetLabel: "job", replacement: "rebalance" },
      { action: "replace", targetLabel: "service", replacement: "rebalance" },
    ]);
    expect(container("rebalance").args).toEqual(["--worker=rebalance"]);
    expect(container("rebalance").ports).toEqual([{ name: "metrics", containerPort: 9100, protocol: "TCP" }]);
    expect(container("rebalance").livenessProbe).toBeUndefined();
  });

  test("singleton runs exactly one replica with Recreate and never gets an HPA or Service", async () => {
    await build("listener", KIND_ARGS.singleton);
    const spec = rec.one(T.deployment).inputs.spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: "Recreate" });
    expect(rec.byType(T.hpa)).toHaveLength(0);
    expect(rec.byType(T.service)).toHaveLength(0);
    // Liveness only: nothing routes to a singleton, so readiness would gate nothing.
    expect(container("listener").livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container("listener").readinessProbe).toBeUndefined();
  });

  test("api with prod-like autoscaling: HPA autoscaling/v2, no fixed spec.replicas, PDB consistent with the minimum", async () => {
    await build("api", { ...KIND_ARGS.api, autoscaling: { min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 }, podDisruptionBudget: true });
    const spec = rec.one(T.deployment).inputs.spec;
    expect(spec).not.toHaveProperty("replicas");
    const hpa = rec.one(T.hpa, "api-hpa").inputs.spec;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "api" });
    expect(hpa.minReplicas).toBe(3);
    expect(hpa.maxReplicas).toBe(10);
    expect(hpa.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
    ]);
    const pdb = rec.one(T.pdb, "api-pdb").inputs.spec;
    // maxUnavailable 1 keeps min-1 pods whatever the HPA has scaled to.
    expect(pdb.maxUnavailable).toBe(1);
    expect(pdb.selector.matchLabels).toEqual(spec.selector.matchLabels);
  });

  test("fixed replicas are written to the Deployment and no HPA is created", async () => {
    await build("api", { ...KIND_ARGS.api, replicas: 2 });
    expect(rec.one(T.deployment).inputs.spec.replicas).toBe(2);
    expect(rec.byType(T.hpa)).toHaveLength(0);
    expect(rec.byType(T.pdb)).toHaveLength(0);
  });
});

describe("AppService on Kubernetes: pod hardening", () => {
  test("restricted security context, read-only root FS with a /tmp emptyDir, no service-account token, requests and limits", async () => {
    await build("api", KIND_ARGS.api);
    const pod = podSpec("api");
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe("api");
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    expect(c.resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } });
    expect(c.image).toBe(KIND_ARGS.api.image);
    expect(rec.one(T.serviceAccount).inputs.automountServiceAccountToken).toBe(false);
  });

  test("serviceAccountToken: true mounts the token only when asked", async () => {
    await build("api", { ...KIND_ARGS.api, serviceAccountToken: true });
    expect(podSpec("api").automountServiceAccountToken).toBe(true);
  });

  test("probes: startup on the liveness path, liveness /health, readiness /health/ready (Paimon playbook)", async () => {
    await build("api", KIND_ARGS.api);
    const c = container("api");
    expect(c.startupProbe).toMatchObject({ httpGet: { path: "/health", port: "http" }, periodSeconds: 5, failureThreshold: 30 });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: "/health", port: "http" }, periodSeconds: 10 });
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: "/health/ready", port: "http" }, periodSeconds: 5 });
  });

  test("probes opt out one by one: readinessPath false keeps liveness + startup; livenessPath false drops liveness and startup, keeps readiness", async () => {
    await build("api", { ...KIND_ARGS.api, health: { readinessPath: false } });
    const noReady = container("api");
    expect(noReady.readinessProbe).toBeUndefined();
    expect(noReady.livenessProbe).toMatchObject({ httpGet: { path: "/health", port: "http" } });
    expect(noReady.startupProbe).toMatchObject({ httpGet: { path: "/health", port: "http" } });
    rec.clear();
    await build("grpc", { ...KIND_ARGS.api, health: { livenessPath: false, readinessPath: "/ready" } });
    const noLive = container("grpc");
    expect(noLive.livenessProbe).toBeUndefined();
    expect(noLive.startupProbe).toBeUndefined();
    expect(noLive.readinessProbe).toMatchObject({ httpGet: { path: "/ready", port: "http" } });
    rec.clear();
    await build("quiet", { ...KIND_ARGS.api, health: { livenessPath: false, readinessPath: false } });
    const none = container("quiet");
    expect([none.livenessProbe, none.readinessProbe, none.startupProbe]).toEqual([undefined, undefined, undefined]);
  });

  test("zoneSpread spreads across zones (hard) and nodes (soft); off by default", async () => {
    await build("api", { ...KIND_ARGS.api, zoneSpread: true });
    expect(podSpec("api").topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } } },
      { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } } },
    ]);
    rec.clear();
    await build("api2", KIND_ARGS.api);
    expect(podSpec("api2").topologySpreadConstraints).toBeUndefined();
  });

  test("standard app.kubernetes.io labels on the workload and its pods", async () => {
    await build("api", KIND_ARGS.api);
    const d = rec.one(T.deployment).inputs;
    const expected = {
      "app.kubernetes.io/name": "api",
      "app.kubernetes.io/instance": "api",
      "app.kubernetes.io/component": "api",
      "app.kubernetes.io/part-of": "platform",
      "app.kubernetes.io/managed-by": "pulumi",
      environment: "prod",
    };
    expect(d.metadata.labels).toEqual(expected);
    expect(d.spec.template.metadata.labels).toEqual(expected);
    expect(d.metadata.namespace).toBe("apps");
  });
});

describe("AppService on Kubernetes: secrets", () => {
  const SECRET = "s3cr3t-api-key-value";

  test("secretEnv lands only in a Kubernetes Secret as Pulumi secrets; the pod references it; nothing is plaintext", async () => {
    await build("api", {
      ...KIND_ARGS.api,
      env: { LOG_FORMAT: "json" },
      secretEnv: { API_KEY: pulumi.secret(SECRET), SIGNING_KEY: SECRET },
      secretRefs: { DATABASE_PASSWORD: { name: "orders-db-credentials", key: "password" } },
    });
    const secret = rec.one(T.secret, "api-secret-env").inputs;
    expect(secret.metadata.name).toBe("api-env");
    // The whole stringData travels as a secret (a plain string passed in secretEnv is wrapped too).
    expect(isSecretValue(secret.stringData)).toBe(true);
    expect(unwrapSecrets(secret.stringData)).toEqual({ API_KEY: SECRET, SIGNING_KEY: SECRET });

    expect(container("api").env).toEqual([
      { name: "LOG_FORMAT", value: "json" },
      { name: "API_KEY", valueFrom: { secretKeyRef: { name: "api-env", key: "API_KEY" } } },
      { name: "SIGNING_KEY", valueFrom: { secretKeyRef: { name: "api-env", key: "SIGNING_KEY" } } },
      { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "orders-db-credentials", key: "password" } } },
    ]);
    const leaks = rec.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(SECRET)).map((s) => `${r.name}:${s.path}`));
    expect(leaks).toEqual([]);
    // The Deployment waits for the Secret it references.
    expect(rec.one(T.deployment).dependencies).toContain(rec.one(T.secret).urn);
  });

  test("no secretEnv, no Secret", async () => {
    await build("api", KIND_ARGS.api);
    expect(rec.byType(T.secret)).toHaveLength(0);
  });
});

describe("AppService on Kubernetes: ingress (Gateway API)", () => {
  test("HTTPRoute on the public Gateway with the host, path prefix, security headers filter and the Service backend", async () => {
    await build("web", KIND_ARGS.web);
    const route = rec.one(T.httpRoute, "web-http-route").inputs;
    expect(route.metadata).toMatchObject({ name: "web", namespace: "apps" });
    expect(route.spec.parentRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "envoy-gateway-system", sectionName: "https-app.example.com" },
    ]);
    expect(route.spec.hostnames).toEqual(["app.example.com"]);
    const rule = route.spec.rules[0];
    expect(rule.matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
    expect(rule.backendRefs).toEqual([{ group: "", kind: "Service", name: "web", port: 3000 }]);
    expect(rule.filters).toEqual([{
      type: "ResponseHeaderModifier",
      responseHeaderModifier: {
        set: [
          { name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
          { name: "X-Frame-Options", value: "DENY" },
          { name: "X-Content-Type-Options", value: "nosniff" },
          { name: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { name: "X-XSS-Protection", value: "0" },
        ],
      },
    }]);
    expect(rec.one(T.httpRoute).dependencies).toContain(rec.one(T.service).urn);
  });

  test("BackendTrafficPolicy: per-client-IP buckets (30/s and 600/min for 10 r/s burst 20, IPv4 and IPv6) and a 1Mi body limit", async () => {
    await build("web", KIND_ARGS.web);
    const policy = rec.one(T.trafficPolicy, "web-backend-traffic-policy").inputs;
    expect(policy.spec.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "web" }]);
    expect(policy.spec.requestBuffer).toEqual({ limit: "1Mi" });
    const rules = policy.spec.rateLimit.local.rules;
    expect(rules).toEqual([
      { clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }], limit: { requests: 30, unit: "Second" } },
      { clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }], limit: { requests: 600, unit: "Minute" } },
      { clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "::/0" } }], limit: { requests: 30, unit: "Second" } },
      { clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "::/0" } }], limit: { requests: 600, unit: "Minute" } },
    ]);
    expect(rec.one(T.trafficPolicy).dependencies).toContain(rec.one(T.httpRoute).urn);
  });

  test("extra headers merge over the defaults; path, body size and visibility are configurable; rateLimit false removes it", async () => {
    await build("admin", {
      ...KIND_ARGS.web,
      ingress: {
        host: "admin.internal.example.com",
        path: "/app",
        visibility: "internal",
        maxRequestBodySize: "10Mi",
        tls: { secretName: "admin-cert" },
        rateLimit: false,
        headers: { "x-frame-options": "SAMEORIGIN", "Content-Security-Policy": "default-src 'self'" },
      },
    });
    const route = rec.one(T.httpRoute).inputs.spec;
    expect(route.parentRefs[0]).toMatchObject({ name: "internal", namespace: "envoy-gateway-system" });
    expect(route.rules[0].matches[0].path.value).toBe("/app");
    const set = route.rules[0].filters[0].responseHeaderModifier.set as Array<{ name: string; value: string }>;
    // One X-Frame-Options, the user's (names compare case-insensitively).
    expect(set.filter((h) => h.name.toLowerCase() === "x-frame-options")).toEqual([{ name: "x-frame-options", value: "SAMEORIGIN" }]);
    expect(set).toContainEqual({ name: "Content-Security-Policy", value: "default-src 'self'" });
    expect(set).toContainEqual({ name: "X-Content-Type-Options", value: "nosniff" });
    const policy = rec.one(T.trafficPolicy).inputs.spec;
    expect(policy.rateLimit).toBeUndefined();
    expect(policy.requestBuffer).toEqual({ limit: "10Mi" });
  });
});

describe("AppService on Kubernetes: network policy", () => {
  test("api admits the edge proxies' namespace, listed callers and Prometheus (metrics port) only", async () => {
    await build("api", KIND_ARGS.api);
    const np = rec.one(T.netpol, "api-network-policy").inputs.spec;
    expect(np.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" } });
    expect(np.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
      { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9100 }] },
    ]);
  });

  test("an extra (gRPC) port: named container port, Service port with appProtocol, callers admitted to it; the edge and Prometheus are not", async () => {
    await build("api", { ...KIND_ARGS.api, extraPorts: [{ name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" }, { name: "admin", port: 8081 }] });
    expect(container("api").ports).toEqual([
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "metrics", containerPort: 9100, protocol: "TCP" },
      { name: "grpc", containerPort: 9090, protocol: "TCP" },
      { name: "admin", containerPort: 8081, protocol: "TCP" },
    ]);
    expect(rec.one(T.service, "api-service").inputs.spec.ports).toEqual([
      { name: "http", port: 8000, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: 9100, targetPort: "metrics", protocol: "TCP" },
      { name: "grpc", port: 9090, targetPort: "grpc", protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
      { name: "admin", port: 8081, targetPort: "admin", protocol: "TCP" },
    ]);
    const np = rec.one(T.netpol, "api-network-policy").inputs.spec;
    expect(np.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
      { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } }], ports: [{ protocol: "TCP", port: 8000 }, { protocol: "TCP", port: 9090 }, { protocol: "TCP", port: 8081 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9100 }] },
    ]);
    // The edge route stays on the HTTP port.
    expect(rec.one(T.httpRoute).inputs.spec.rules[0].backendRefs[0].port).toBe(8000);
  });

  test("metrics on an extra port: the ServiceMonitor scrapes that named port, no separate metrics port, Prometheus admitted to it", async () => {
    await build("api", { ...KIND_ARGS.api, metrics: { port: "admin", path: "/stats" }, extraPorts: [{ name: "admin", port: 8081 }] });
    expect(container("api").ports).toEqual([
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "admin", containerPort: 8081, protocol: "TCP" },
    ]);
    expect(rec.one(T.service, "api-service").inputs.spec.ports.map((p: { name: string }) => p.name)).toEqual(["http", "admin"]);
    expect(rec.one(T.serviceMonitor).inputs.spec.endpoints).toEqual([{ port: "admin", path: "/stats", interval: "30s", scheme: "http" }]);
    const np = rec.one(T.netpol, "api-network-policy").inputs.spec;
    expect(np.ingress[2]).toEqual({ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8081 }] });
  });
});

describe("AppService on Kubernetes: gRPC on the edge (GRPCRoute)", () => {
  const grpc = { name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c" };

  test("own host: GRPCRoute on the host's HTTPS listener to the Service port, rate limit without request buffer, edge admitted to that port only", async () => {
    const svc = await build("api", { ...KIND_ARGS.api, extraPorts: [{ ...grpc, route: { host: "grpc.example.com" } }, { name: "admin", port: 8081 }] });
    expect(svc.settings.grpcRoutes).toEqual([
      { portName: "grpc", port: 9090, host: "grpc.example.com", visibility: "public", tlsSecretName: "grpc-example-com-tls", services: [], rateLimit: { rps: 10, burst: 20 } },
    ]);
    const route = rec.one(T.grpcRoute, "api-grpc-route-grpc").inputs;
    expect(route.metadata).toMatchObject({ name: "api-grpc", namespace: "apps" });
    expect(route.spec).toEqual({
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "envoy-gateway-system", sectionName: "https-grpc.example.com" }],
      hostnames: ["grpc.example.com"],
      // No matches: every call on its own host.
      rules: [{ backendRefs: [{ group: "", kind: "Service", name: "api", port: 9090 }] }],
    });
    const policy = rec.one(T.trafficPolicy, "api-grpc-traffic-policy-grpc").inputs;
    expect(policy.metadata.name).toBe("api-grpc");
    expect(policy.spec.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "GRPCRoute", name: "api-grpc" }]);
    expect(policy.spec.rateLimit.local.rules).toHaveLength(4);
    expect(policy.spec.rateLimit.local.rules[0]).toEqual({ clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }], limit: { requests: 30, unit: "Second" } });
    expect(policy.spec.requestBuffer).toBeUndefined();
    // No whole-call timeout (Envoy's 15 s default would cut streams); an idle stream is reset after 5 minutes.
    expect(policy.spec.timeout).toEqual({ http: { requestTimeout: "0s", streamIdleTimeout: "300s" } });
    // The HTTP route's policy keeps its body limit and targets only the HTTPRoute.
    expect(rec.one(T.trafficPolicy, "api-backend-traffic-policy").inputs.spec.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "api" }]);
    const np = rec.one(T.netpol, "api-network-policy").inputs.spec;
    expect(np.ingress[0]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } }],
      ports: [{ protocol: "TCP", port: 8000 }, { protocol: "TCP", port: 9090 }],
    });
    expect(np.ingress).toHaveLength(3);
  });

  test("on the ingress host: matches the named services, inherits visibility and certificate; rateLimit false leaves only the stream timeouts", async () => {
    const svc = await build("api", {
      ...KIND_ARGS.api,
      ingress: { host: "api.example.com", visibility: "internal", tls: { secretName: "api-cert" } },
      extraPorts: [{ ...grpc, appProtocol: "grpc", route: { services: ["payments.v1.PaymentService", "grpc.health.v1.Health"], rateLimit: false } }],
    });
    expect(svc.settings.grpcRoutes[0]).toMatchObject({ host: "api.example.com", visibility: "internal", tlsSecretName: "api-cert" });
    expect(svc.settings.grpcRoutes[0].rateLimit).toBeUndefined();
    const route = rec.one(T.grpcRoute).inputs.spec;
    expect(route.parentRefs[0]).toMatchObject({ name: "internal", sectionName: "https-api.example.com" });
    expect(route.rules[0].matches).toEqual([
      { method: { type: "Exact", service: "payments.v1.PaymentService" } },
      { method: { type: "Exact", service: "grpc.health.v1.Health" } },
    ]);
    const grpcPolicy = rec.one(T.trafficPolicy, "api-grpc-traffic-policy-grpc").inputs.spec;
    expect(grpcPolicy.rateLimit).toBeUndefined();
    expect(grpcPolicy.timeout.http.streamIdleTimeout).toBe("300s");
  });

  test("an api without ingress: only the gRPC port faces the edge; no HTTPRoute", async () => {
    const { ingress: _ingress, ...noIngress } = KIND_ARGS.api;
    await build("api", { ...noIngress, extraPorts: [{ ...grpc, route: { host: "grpc.example.com", visibility: "internal" } }] });
    expect(rec.byType(T.httpRoute)).toHaveLength(0);
    expect(rec.one(T.grpcRoute).inputs.spec.parentRefs[0].name).toBe("internal");
    const np = rec.one(T.netpol, "api-network-policy").inputs.spec;
    expect(np.ingress[0]).toEqual({ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } } }], ports: [{ protocol: "TCP", port: 9090 }] });
  });

  test("no route, no GRPCRoute: an unrouted gRPC port stays closed to the edge", async () => {
    await build("api", { ...KIND_ARGS.api, extraPorts: [grpc] });
    expect(rec.byType(T.grpcRoute)).toHaveLength(0);
    expect(rec.one(T.netpol, "api-network-policy").inputs.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 8000 }]);
  });
});

describe("AppService on Kubernetes: network policy (egress)", () => {
  test("egress only to DNS, the namespace's pods, the connected data stores and listed external destinations", async () => {
    await build("api", {
      ...KIND_ARGS.api,
      networkPolicy: { dataStores: [{ cidrs: ["10.0.0.0/16"], port: 5432 }], egress: [{ cidr: "203.0.113.0/24", ports: [443] }] },
    });
    const np = rec.one(T.netpol, "api-network-policy").inputs.spec;
    expect(np.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
      },
      { to: [{ podSelector: {} }] },
      { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
      { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  test("an external destination must be a CIDR", async () => {
    await expect(build("api", { ...KIND_ARGS.api, networkPolicy: { egress: [{ cidr: "api.example.com", ports: [443] }] } })).rejects.toThrow(
      /networkPolicy\.egress\[0\]\.cidr: must be an IPv4 CIDR like 203\.0\.113\.0\/24 \(got "api\.example\.com"\)/,
    );
  });

  test("a singleton without metrics denies all ingress", async () => {
    await build("listener", KIND_ARGS.singleton);
    expect(rec.one(T.netpol).inputs.spec.ingress).toEqual([]);
  });
});

describe("AppService on Kubernetes: monitoring", () => {
  test("ServiceMonitor carries the monitoring labels and scrapes the named metrics port; monitoredService is exposed", async () => {
    const svc = await build("api", KIND_ARGS.api);
    const sm = rec.one(T.serviceMonitor, "api-service-monitor").inputs;
    expect(sm.metadata.labels.release).toBe("kube-prometheus");
    expect(sm.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s", scheme: "http" }]);
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ["apps"] });
    const service = rec.one(T.service).inputs.spec;
    expect(service.ports).toEqual([
      { name: "http", port: 8000, targetPort: "http", protocol: "TCP" },
      { name: "metrics", port: 9100, targetPort: "metrics", protocol: "TCP" },
    ]);
    expect(svc.monitoredService).toEqual({
      name: "api",
      namespace: "apps",
      kind: "api",
      job: "api",
      // Without httpMetrics the client-library defaults: the AlertingStack reads exactly these series.
      http: { requestsTotal: "http_requests_total", durationHistogram: "http_request_duration_seconds", statusLabel: "status", latencyQuantile: 0.95 },
      objectives: { availabilityPercent: 99.9, latency: { thresholdSeconds: 1, percent: 95 } },
    });
    expect(svc.monitoring.scrapeTargets).toEqual([]);
    expect(svc.url).toBe("http://api:8000");
  });

  test("AppService defines no alert rules of its own: workload and HTTP alerts are the AlertingStack's, keyed on job/service", async () => {
    for (const kind of ["web", "api", "worker", "singleton"] as const) {
      const svc = new AppService(`${kind}-x`, KIND_ARGS[kind], kubernetesCtx());
      expect(svc.monitoring.ruleGroups).toEqual([]);
      expect(svc.monitoring.dashboards).toEqual([]);
    }
    await settle();
  });

  test("metrics on the HTTP port scrape port 'http'; no metrics, no monitor and no monitoredService", async () => {
    await build("web", KIND_ARGS.web);
    expect(rec.one(T.serviceMonitor).inputs.spec.endpoints[0].port).toBe("http");
    rec.clear();
    const svc = await build("listener", KIND_ARGS.singleton);
    expect(rec.byType(T.serviceMonitor)).toHaveLength(0);
    expect(rec.byType(T.podMonitor)).toHaveLength(0);
    expect(svc.monitoredService).toBeUndefined();
  });
});

describe("AppService on Kubernetes: component structure", () => {
  test("every child is parented to the component, named <name>-<role>, and uses the explicit provider", async () => {
    const provider = new k8s.Provider("cluster", {});
    await build("api", { ...KIND_ARGS.api, autoscaling: { min: 3, max: 10 }, podDisruptionBudget: true }, kubernetesCtx({ providers: { kubernetes: provider } }));
    const component = rec.one(APP_SERVICE_TYPE, "api");
    const children = rec.childrenOf(component.urn);
    expect(children.length).toBe(rec.resources.length - 2); // all but the component and the provider
    for (const child of children) {
      expect(child.name.startsWith("api-")).toBe(true);
      expect(child.provider).toContain("pulumi:providers:kubernetes::cluster");
    }
    rec.assertUniqueUrns();
  });

  test("transforms adjust a child's args before registration", async () => {
    await build("api", {
      ...KIND_ARGS.api,
      transforms: {
        deployment: (a: any) => ({ ...a, spec: { ...a.spec, template: { ...a.spec.template, metadata: { ...a.spec.template.metadata, annotations: { team: "payments" } } } } }),
      },
    });
    expect(rec.one(T.deployment).inputs.spec.template.metadata.annotations).toEqual({ team: "payments" });
  });
});

describe("AppService on Kubernetes: worker liveness without a port", () => {
  test("health.heartbeat becomes an exec liveness probe checking the file's age", async () => {
    await build("rebalance", { ...KIND_ARGS.worker, health: { heartbeat: { file: "/tmp/heartbeat", maxAgeSeconds: 120 } } });
    const [c] = podSpec("rebalance").containers;
    expect(c.livenessProbe).toMatchObject({ exec: { command: ["sh", "-c", 'test $(( $(date +%s) - $(stat -c %Y "$0") )) -lt 120', "/tmp/heartbeat"] } });
    expect(c.readinessProbe).toBeUndefined();
  });

  test("health.livenessCommand becomes an exec liveness probe", async () => {
    await build("rebalance", { ...KIND_ARGS.worker, health: { livenessCommand: ["/app/healthcheck", "--quick"] } });
    expect(podSpec("rebalance").containers[0].livenessProbe.exec.command).toEqual(["/app/healthcheck", "--quick"]);
  });

  test("HTTP probes without a port and two liveness checks at once are refused, with the alternative", async () => {
    await expect(build("rebalance", { ...KIND_ARGS.worker, health: { livenessPath: "/health" } })).rejects.toThrow(
      /health: HTTP probes need a port; set port, or use health\.livenessCommand or health\.heartbeat/,
    );
    await expect(
      build("rebalance", { ...KIND_ARGS.worker, health: { livenessCommand: ["/app/hc"], heartbeat: { file: "/tmp/hb", maxAgeSeconds: 60 } } }),
    ).rejects.toThrow(/health\.heartbeat: cannot be combined with health\.livenessCommand/);
  });

  test("identical liveness and readiness checks are allowed but warned about, with the reason", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    try {
      await build("api", { ...KIND_ARGS.api, health: { livenessPath: "/health", readinessPath: "/health" } });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('health.livenessPath and health.readinessPath are both "/health"'), expect.anything());
      expect(warn.mock.calls[0][0]).toContain("every pod is restarted at once");
      warn.mockClear();
      await build("api2", { ...KIND_ARGS.api, health: { livenessPath: "/health", readinessPath: "/health/ready" } });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe("AppService on Kubernetes: jobs", () => {
  const T_JOB = "kubernetes:batch/v1:Job";
  const T_CRON = "kubernetes:batch/v1:CronJob";
  const withJobs: AppServiceArgs = {
    ...KIND_ARGS.api,
    secretEnv: { API_KEY: pulumi.secret("k") },
    networkPolicy: { dataStores: [{ cidrs: ["10.0.0.0/16"], port: 5432 }] },
    jobs: [
      { name: "migrate", command: ["alembic", "upgrade", "head"] },
      { name: "seed", args: ["--seed"], when: "withRollout", image: "registry.example.com/paimon/seed:1.0.0", ttlSecondsAfterFinished: 600 },
      { name: "report", schedule: "0 6 * * 1", args: ["--weekly-report"] },
    ],
  };

  test("a migration Job runs the service's image, env, secrets and security context; the Deployment waits for it; a CronJob on its schedule", async () => {
    const svc = await build("api", withJobs);
    const migrate = rec.one(T_JOB, "api-job-migrate");
    expect(migrate.inputs.metadata.name).toBe(`api-migrate-${jobRunHash(KIND_ARGS.api.image, ["alembic", "upgrade", "head"])}`);
    const spec = migrate.inputs.spec;
    expect(spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 86400 });
    const pod = spec.template.spec;
    const deploymentPod = podSpec("api");
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.serviceAccountName).toBe("api");
    expect(pod.securityContext).toEqual(deploymentPod.securityContext);
    const c = pod.containers[0];
    expect(c).toMatchObject({ image: KIND_ARGS.api.image, command: ["alembic", "upgrade", "head"] });
    expect(c.securityContext).toEqual(deploymentPod.containers[0].securityContext);
    expect(c.resources).toEqual(deploymentPod.containers[0].resources);
    expect(c.env).toEqual(deploymentPod.containers[0].env);
    expect(c.env).toContainEqual({ name: "API_KEY", valueFrom: { secretKeyRef: { name: "api-env", key: "API_KEY" } } });
    expect([c.ports, c.livenessProbe, c.readinessProbe]).toEqual([undefined, undefined, undefined]);
    // The job pods are not selected by the Deployment or the Service.
    const selector = rec.one(T.deployment).inputs.spec.selector.matchLabels;
    expect(Object.entries(selector).every(([k, v]) => spec.template.metadata.labels[k] === v)).toBe(false);

    const deploymentDeps = rec.one(T.deployment).dependencies ?? [];
    expect(svc.kubernetes!.jobs.migrate).toBeDefined();
    expect(deploymentDeps).toEqual(expect.arrayContaining([expect.stringContaining("api-job-migrate")]));
    expect(deploymentDeps).not.toEqual(expect.arrayContaining([expect.stringContaining("api-job-seed")]));

    const seed = rec.one(T_JOB, "api-job-seed").inputs;
    expect(seed.spec.ttlSecondsAfterFinished).toBe(600);
    expect(seed.spec.template.spec.containers[0].image).toBe("registry.example.com/paimon/seed:1.0.0");

    const cron = rec.one(T_CRON, "api-cron-job-report").inputs;
    expect(cron.metadata.name).toBe("api-report");
    expect(cron.spec).toMatchObject({ schedule: "0 6 * * 1", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 300 });
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 86400 });

    // Deny-by-default for the job pods: no ingress, the service's egress (DNS, namespace, the database).
    const np = rec.one(T.netpol, "api-jobs-network-policy").inputs;
    expect(np.spec.podSelector.matchLabels).toEqual({ "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api-jobs" });
    expect(np.spec.ingress).toEqual([]);
    expect(np.spec.egress).toEqual(rec.one(T.netpol, "api-network-policy").inputs.spec.egress);
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] });
  });

  test("a new image or command renames the one-off Job (so it runs again); a CronJob keeps its name", () => {
    expect(jobRunHash("a/b:1", ["migrate"])).not.toBe(jobRunHash("a/b:2", ["migrate"]));
    expect(jobRunHash("a/b:1", ["migrate"])).not.toBe(jobRunHash("a/b:1", ["migrate", "--fake"]));
    expect(jobRunHash("a/b:1", ["migrate"])).toBe(jobRunHash("a/b:1", ["migrate"]));
  });

  test.each([
    ["a bad schedule", [{ name: "report", schedule: "0 25 * * *" }], "jobs[0].schedule: must be a 5-field cron expression"],
    ["when on a CronJob", [{ name: "report", schedule: "0 6 * * *", when: "beforeRollout" }], 'jobs[0].when: only applies to one-off jobs; a job with a schedule is a CronJob (got "beforeRollout")'],
    ["two jobs with one name", [{ name: "migrate" }, { name: "migrate", args: ["x"] }], 'jobs[1].name: is already the name of another job of this service'],
    ["an unpinned job image", [{ name: "migrate", image: "registry.example.com/tools:latest" }], "jobs[0].image: must be pinned"],
    ["a TTL beyond a week", [{ name: "migrate", ttlSecondsAfterFinished: 10 ** 7 }], "jobs[0].ttlSecondsAfterFinished: must be an integer from 0 to 604800 (got 10000000)"],
    ["a CronJob name over 52 characters", [{ name: "weekly-report-mailer", schedule: "0 6 * * 1" }], "jobs[0].name: makes the CronJob name"],
  ])("refuses %s before registering anything", async (_what, jobs, fragment) => {
    const name = _what.includes("52") ? "a-very-long-service-name-for-testing-x" : "api";
    await expect(build(name, { ...KIND_ARGS.api, jobs: jobs as never })).rejects.toThrow(fragment);
    expect(rec.resources).toEqual([]);
  });

  test("the docker target refuses jobs with the key path and the way out", async () => {
    await expect(build("api", { ...KIND_ARGS.api, jobs: [{ name: "migrate" }] }, { ...kubernetesCtx(), target: "docker", dockerNetworks: { frontend: "f", backend: "b" } } as never)).rejects.toThrow(
      'jobs: are not supported on the docker target (no Job scheduler); run migrations from the service\'s entrypoint, or deploy with target kubernetes (got ["migrate"])',
    );
  });
});
