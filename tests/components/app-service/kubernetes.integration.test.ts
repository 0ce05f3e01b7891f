import * as pulumi from "@pulumi/pulumi";
import { AppService, type AppServiceArgs, SHARED_ENV_CONFIG_MAP, sharedEnvConfigMap } from "../../../components/app-service";
import { crdProblems, type K8sObject, k8sSchemaProblems, recordedK8sObjects, validateK8sObjects } from "../../helpers/k8s-schema";
import { installMocks, settle } from "../../helpers/mocks";
import { gatewayManifest } from "../../../components/foundation/gateway-manifests";
import { KIND_ARGS, kubernetesCtx } from "./fixtures";

const SHARED_VALUES = { LOG_FORMAT: "json", REGION: "eu-west-1" };

/** The fullest args per kind: every optional object the component can emit is switched on. */
const FULL: Record<AppServiceArgs["kind"], AppServiceArgs> = {
  web: { ...KIND_ARGS.web, autoscaling: { min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 }, podDisruptionBudget: true, zoneSpread: true, secretEnv: { SESSION_KEY: pulumi.secret("k") } },
  api: {
    ...KIND_ARGS.api,
    autoscaling: { min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 },
    podDisruptionBudget: true,
    zoneSpread: true,
    env: { LOG_FORMAT: "json" },
    secretEnv: { API_KEY: pulumi.secret("k") },
    secretRefs: { DATABASE_PASSWORD: { name: "orders-db", key: "password" } },
    ingress: { host: "api.example.com", headers: { "Content-Security-Policy": "default-src 'self'" } },
    extraPorts: [
      { name: "grpc", port: 9090, appProtocol: "kubernetes.io/h2c", route: { services: ["payments.v1.PaymentService", "grpc.health.v1.Health"] } },
      { name: "grpc-ops", port: 9091, appProtocol: "grpc", route: { host: "ops.example.com", visibility: "internal" } },
      { name: "admin", port: 8081 },
    ],
    metrics: { port: "admin" },
    health: { readinessPath: false },
    sharedEnv: { configMap: SHARED_ENV_CONFIG_MAP, values: SHARED_VALUES },
    jobs: [{ name: "migrate", command: ["alembic", "upgrade", "head"] }, { name: "report", schedule: "0 6 * * 1", args: ["--weekly"] }],
  },
  worker: { ...KIND_ARGS.worker, replicas: 2, podDisruptionBudget: true, command: ["python", "-m", "worker"] },
  singleton: { ...KIND_ARGS.singleton, metrics: {}, health: { startup: false } },
};

describe("every Kubernetes object AppService produces validates against the Kubernetes schemas", () => {
  test.each(Object.keys(FULL) as Array<AppServiceArgs["kind"]>)("kind %s", async (kind) => {
    const rec = installMocks();
    new AppService(kind, FULL[kind], kubernetesCtx());
    await settle();
    const objects = recordedK8sObjects(rec);
    const kinds = objects.map((o) => o.kind).sort();
    const expected: Record<string, string[]> = {
      web: ["BackendTrafficPolicy", "Deployment", "HTTPRoute", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount", "ServiceMonitor"],
      api: ["BackendTrafficPolicy", "BackendTrafficPolicy", "BackendTrafficPolicy", "CronJob", "Deployment", "GRPCRoute", "GRPCRoute", "HTTPRoute", "HorizontalPodAutoscaler", "Job", "NetworkPolicy", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount", "ServiceMonitor"],
      worker: ["Deployment", "NetworkPolicy", "PodDisruptionBudget", "PodMonitor", "ServiceAccount"],
      singleton: ["Deployment", "NetworkPolicy", "PodMonitor", "ServiceAccount"],
    };
    expect(kinds).toEqual(expected[kind]);
    expect(() => validateK8sObjects(objects)).not.toThrow();
  });

  test("the shared-env ConfigMap the services section registers", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", ...sharedEnvConfigMap(SHARED_VALUES, kubernetesCtx()) } as any;
    expect(() => validateK8sObjects([cm])).not.toThrow();
    expect(k8sSchemaProblems([{ ...cm, data: { REGION: 1 } }])[0]).toContain("/data/REGION must be string");
  });
});

describe("the schema check catches what it should (so a pass means something)", () => {
  test("a Deployment with a malformed quantity and a string replica count is rejected with the schema errors", async () => {
    const rec = installMocks();
    new AppService("api", FULL.api, kubernetesCtx());
    await settle();
    const objects = recordedK8sObjects(rec);
    const deployment = structuredClone(objects.find((o) => o.kind === "Deployment")!);
    deployment.spec.replicas = "3";
    deployment.spec.template.spec.containers[0].resources.limits.cpu = "500mm";
    const problems = k8sSchemaProblems([deployment]);
    expect(problems[0]).toContain("/spec/replicas must be integer");
    expect(problems[0]).toContain("/spec/template/spec/containers/0/resources/limits/cpu");
    expect(() => validateK8sObjects([deployment])).toThrow(/apps\/v1 Deployment api: .*spec\/replicas must be integer/);
  });

  test("the Gateway API and Envoy Gateway CRDs (from the Go module cache) reject a bad route and policy; the emitted ones pass", async () => {
    const rec = installMocks();
    new AppService("api", FULL.api, kubernetesCtx());
    await settle();
    const objects = recordedK8sObjects(rec);
    const route = structuredClone(objects.find((o) => o.kind === "HTTPRoute")!);
    const policy = structuredClone(objects.find((o) => o.kind === "BackendTrafficPolicy" && o.spec.targetRefs[0].kind === "HTTPRoute")!);
    expect(k8sSchemaProblems([route, policy])).toEqual([undefined, undefined]);
    route.spec.rules[0].matches[0].path.type = "Prefix"; // the Ingress spelling, not Gateway API's PathPrefix
    route.spec.rules[0].filters[0].responseHeaderModifier.set.push({ name: "Bad Header", value: "x" });
    route.spec.hostnames.push("Not_A_Host");
    policy.spec.rateLimit.local.rules[0].limit.unit = "Fortnight";
    policy.spec.requestBuffer.limit = "1.5Mi";
    policy.spec.rateLimit.local.burst = 20; // no such field: the API server would prune it silently
    const [routeProblems, policyProblems] = k8sSchemaProblems([route, policy]);
    expect(routeProblems).toContain("spec.rules.0.matches.0.path.type: must be equal to one of the allowed values");
    expect(routeProblems).toContain("spec.rules.0.filters.0.responseHeaderModifier.set.6.name: must match pattern");
    expect(routeProblems).toContain("spec.hostnames.1: must match pattern");
    expect(policyProblems).toContain("spec.rateLimit.local.rules.0.limit.unit: must be equal to one of the allowed values");
    expect(policyProblems).toContain("spec.requestBuffer.limit");
    expect(policyProblems).toContain('spec.rateLimit.local: must NOT have additional properties "burst"');
  });

  test("GRPCRoutes and their rate limit policies pass the Gateway API / Envoy Gateway CRDs; a bad method match and a named backend port do not", async () => {
    const rec = installMocks();
    new AppService("api", FULL.api, kubernetesCtx());
    await settle();
    const objects = recordedK8sObjects(rec);
    const nameOf = (o: K8sObject): string => o.metadata?.name ?? "";
    const byName = (a: K8sObject, b: K8sObject) => nameOf(a).localeCompare(nameOf(b));
    const routes = objects.filter((o) => o.kind === "GRPCRoute").sort(byName);
    const policies = objects.filter((o) => o.kind === "BackendTrafficPolicy" && o.spec.targetRefs[0].kind === "GRPCRoute").sort(byName);
    expect(routes.map(nameOf)).toEqual(["api-grpc", "api-grpc-ops"]);
    expect(policies.map(nameOf)).toEqual(["api-grpc", "api-grpc-ops"]);
    expect(k8sSchemaProblems([...routes, ...policies])).toEqual([undefined, undefined, undefined, undefined]);
    const route = structuredClone(routes[0]);
    route.spec.rules[0].matches[0].method.type = "Prefix"; // GRPCRoute matches Exact or RegularExpression only
    route.spec.rules[0].backendRefs[0].port = "grpc"; // a Service port number, never a name
    const [routeProblems] = k8sSchemaProblems([route]);
    expect(routeProblems).toContain("spec.rules.0.matches.0.method.type: must be equal to one of the allowed values");
    expect(routeProblems).toContain("spec.rules.0.backendRefs.0.port: must be integer");
  });

  test("a Gateway whose host serves gRPC passes the Gateway CRD with GRPCRoute in the listener's allowed kinds", () => {
    const gw = gatewayManifest({
      cloud: "aws", visibility: "public", replicas: 2, routeNamespace: "apps", clusterIssuer: "letsencrypt-prod", behindCdn: false,
      hosts: [{ host: "api.example.com", visibility: "public", tlsSecretName: "api-example-com-tls", grpc: true }],
    });
    expect(k8sSchemaProblems([gw as never])).toEqual([undefined]);
    const bad = structuredClone(gw) as any;
    bad.spec.listeners[1].allowedRoutes.kinds.push({ kind: "GRPCRoute", group: "Not A Group" });
    expect(k8sSchemaProblems([bad])[0]).toContain("spec.listeners.1.allowedRoutes.kinds.2.group: must match pattern");
  });

  test("the ServiceMonitor structural check rejects an empty selector, a numeric port and a bad interval", () => {
    const problems = crdProblems({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "api" },
      spec: { selector: {}, endpoints: [{ port: 9100, interval: "soon" }] },
    });
    expect(problems).toEqual([
      "spec.selector must select something (an empty selector matches everything)",
      "spec.endpoints[0].port must be a named Service port (DNS label)",
      "spec.endpoints[0].interval must be a duration like 30s",
    ]);
  });

  test("the PrometheusRule structural check rejects rules that are neither alert nor record and bad durations", () => {
    const problems = crdProblems({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      spec: { groups: [{ name: "g", rules: [{ expr: "up == 0", for: "soon" }, { alert: "A", record: "b", expr: "1", labels: { n: 1 } }] }] },
    });
    expect(problems).toEqual([
      "spec.groups[0].rules[0] must have exactly one of alert or record",
      "spec.groups[0].rules[0].for must be a duration",
      "spec.groups[0].rules[1] must have exactly one of alert or record",
      "spec.groups[0].rules[1].labels.n must be a string",
    ]);
  });
});
