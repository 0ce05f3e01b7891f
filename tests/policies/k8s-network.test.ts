import { gatewayHttpRedirectOnly, networkPolicies, networkPolicyIngress } from "../../policies/rules/k8s-network";
import { describeChecks, messages } from "./cases";
import { cronJob, deployment, k8s, selector, service } from "./fixtures";

const netpol = (name: string, spec: Record<string, unknown>) =>
  k8s("NetworkPolicy", "kubernetes:networking.k8s.io/v1:NetworkPolicy", `${name}-np`, { metadata: { name, namespace: "platform" }, spec });
const denyAll = netpol("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
const apiIngressOnly = netpol("api", { podSelector: { matchLabels: selector("api") }, policyTypes: ["Ingress"], ingress: [] });

const ingress = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
  k8s("Ingress", "kubernetes:networking.k8s.io/v1:Ingress", "web-ingress", { metadata: { name: "web", namespace: "platform", annotations }, spec });

const gateway = (listeners: unknown[]) =>
  k8s("Gateway", "kubernetes:gateway.networking.k8s.io/v1:Gateway", "edge-gateway", { metadata: { name: "edge", namespace: "gateway-system" }, spec: { gatewayClassName: "envoy", listeners } });
const https = { name: "https", protocol: "HTTPS", port: 443, tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "edge-tls" }] } };
const http = { name: "http", protocol: "HTTP", port: 80 };
const route = (name: string, sectionName: string | undefined, rules: unknown[]) =>
  k8s("HTTPRoute", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", `${name}-route`, {
    metadata: { name, namespace: "platform" },
    spec: { parentRefs: [{ name: "edge", namespace: "gateway-system", ...(sectionName ? { sectionName } : {}) }], hostnames: ["app.example.com"], rules },
  });
const fromPlatform = { namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "platform" } } }, kinds: [{ kind: "HTTPRoute" }] };
const redirect = [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }];
const serve = [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "web", port: 3000 }] }];

describeChecks(networkPolicies, {
  "k8s-networkpolicy-ingress": {
    good: [[deployment(), apiIngressOnly], [deployment(), cronJob(), denyAll]].flat(),
    bad: [deployment(), cronJob(), apiIngressOnly],
    expect: ['CronJob "main-db-backup-backup": no NetworkPolicy governs ingress of its pods'],
  },
  "k8s-networkpolicy-egress": {
    good: [deployment(), denyAll],
    bad: [deployment(), apiIngressOnly],
    expect: ['Deployment "api": no NetworkPolicy governs egress of its pods'],
  },
  "k8s-no-nodeport": {
    good: service(),
    bad: service("api", "NodePort"),
    expect: ["Service type NodePort"],
  },
  "k8s-loadbalancer-edge-only": {
    good: [service(), k8s("Service", "kubernetes:core/v1:Service", "edge", { metadata: { name: "envoy", namespace: "envoy-gateway-system" }, spec: { type: "LoadBalancer" } })],
    bad: service("api", "LoadBalancer"),
    expect: ['LoadBalancer Service in namespace "platform", which is not an edge namespace'],
  },
  "k8s-ingress-tls": {
    good: ingress({ rules: [{ host: "app.example.com" }], tls: [{ hosts: ["app.example.com"], secretName: "web-tls" }] }, { "nginx.ingress.kubernetes.io/ssl-redirect": "true" }),
    bad: [ingress({ rules: [{ host: "app.example.com" }], tls: [] }), ingress({ rules: [{ host: "a.example.com" }], tls: [{ hosts: ["a.example.com"] }] }, { "nginx.ingress.kubernetes.io/ssl-redirect": "false" })],
    expect: ['host "app.example.com" is served without TLS', 'nginx.ingress.kubernetes.io/ssl-redirect is "false"'],
  },
  "edge-no-raw-proxy-config": {
    good: [
      ingress({ rules: [] }, { "nginx.ingress.kubernetes.io/custom-headers": "platform/web-headers" }),
      { type: "kubernetes:helm.sh/v3:Release", name: "nginx", props: { chart: "ingress-nginx", values: { controller: { allowSnippetAnnotations: false } } } },
    ],
    bad: [
      ingress({ rules: [] }, { "nginx.ingress.kubernetes.io/configuration-snippet": "more_set_headers x" }),
      { type: "kubernetes:helm.sh/v3:Release", name: "nginx", props: { chart: "ingress-nginx", values: { controller: { allowSnippetAnnotations: true, config: { "http-snippet": "x" } } } } },
      k8s("EnvoyPatchPolicy", "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyPatchPolicy", "patch", { spec: {} }),
    ],
    expect: [
      "Ingress has raw configuration annotation nginx.ingress.kubernetes.io/configuration-snippet",
      "controller.allowSnippetAnnotations: true",
      "controller.config.http-snippet",
      "EnvoyPatchPolicy injects raw xDS configuration",
    ],
  },
  "gateway-listener-tls": {
    good: [gateway([https, http]), gateway([{ name: "pass", protocol: "TLS", port: 8443, tls: { mode: "Passthrough" } }])],
    bad: gateway([{ ...https, tls: { mode: "Terminate" } }, { name: "db", protocol: "TCP", port: 5432 }]),
    expect: ['listener "https" (HTTPS 443) terminates TLS without certificateRefs', 'listener "db" (TCP 5432) carries traffic without TLS'],
  },
  "gateway-http-redirect-only": {
    good: [
      // The edge's shape: HTTP admits only the gateway namespace's redirect route; HTTPS admits the workload namespace.
      gateway([{ ...https, allowedRoutes: fromPlatform }, { ...http, allowedRoutes: { namespaces: { from: "Same" } } }]),
      route("web", undefined, serve),
      route("api", "https", serve),
      { ...route("redirect", "http", redirect), props: { ...route("redirect", "http", redirect).props, metadata: { name: "redirect", namespace: "gateway-system" } } },
    ],
    bad: [
      gateway([https, { ...http, allowedRoutes: { namespaces: { from: "All" } } }]),
      route("web", undefined, serve),
      route("plain", "http", serve),
    ],
    expect: ['HTTPRoute "web" serves content on plain-HTTP listener "http" of Gateway "edge"', 'HTTPRoute "plain" serves content'],
  },
  "envoy-tls-min-version": {
    good: [
      k8s("ClientTrafficPolicy", "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy", "tls", { spec: { tls: { minVersion: "1.3" } } }),
      k8s("ClientTrafficPolicy", "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy", "ip", { spec: { clientIPDetection: {} } }),
    ],
    bad: k8s("ClientTrafficPolicy", "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy", "old", { spec: { tls: { minVersion: "1.0" } } }),
    expect: ["tls.minVersion 1.0 is below 1.2"],
  },
});

describe("HTTPRoute attachment follows the listener's allowedRoutes", () => {
  const plainFor = (allowedRoutes: unknown, extra: any[] = []) =>
    messages(gatewayHttpRedirectOnly, [gateway([{ ...http, allowedRoutes }]), route("web", undefined, serve), ...extra]);
  it("Same (the default) admits only the gateway's namespace; All admits every namespace", () => {
    expect(plainFor(undefined)).toEqual([]);
    expect(plainFor({ namespaces: { from: "All" } })).toHaveLength(1);
  });
  it("Selector matches the route namespace's labels, from its Namespace object in the stack", () => {
    const selected = { namespaces: { from: "Selector", selector: { matchLabels: { team: "web" } } } };
    expect(plainFor(selected)).toEqual([]);
    const ns = k8s("Namespace", "kubernetes:core/v1:Namespace", "platform", { metadata: { name: "platform", labels: { team: "web" } } });
    expect(plainFor(selected, [ns])).toHaveLength(1);
  });
  it("a listener that admits other kinds only does not take the route", () => {
    expect(plainFor({ namespaces: { from: "All" }, kinds: [{ kind: "GRPCRoute" }] })).toEqual([]);
  });
});

describe("GRPCRoutes are held to TLS listeners too", () => {
  const grpcRoute = (name: string, sectionName: string) =>
    k8s("GRPCRoute", "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute", `${name}-grpc-route`, {
      metadata: { name, namespace: "platform" },
      spec: { parentRefs: [{ name: "edge", namespace: "gateway-system", sectionName }], hostnames: ["grpc.example.com"], rules: [{ backendRefs: [{ name: "api", port: 9090 }] }] },
    });
  const all = { namespaces: { from: "All" } };
  it("a GRPCRoute on an HTTPS listener passes; on a plain-HTTP listener that admits it, it is refused", () => {
    const edge = gateway([{ ...https, allowedRoutes: all }, { ...http, allowedRoutes: all }]);
    expect(messages(gatewayHttpRedirectOnly, [edge, grpcRoute("api-grpc", "https")])).toEqual([]);
    expect(messages(gatewayHttpRedirectOnly, [edge, grpcRoute("api-grpc", "http")])).toEqual(['GRPCRoute "api-grpc" serves content on plain-HTTP listener "http" of Gateway "edge"']);
  });
  it("the edge's plain-HTTP listener admits HTTPRoutes only, so a GRPCRoute cannot attach to it", () => {
    const edge = gateway([{ ...http, allowedRoutes: { namespaces: { from: "All" }, kinds: [{ kind: "HTTPRoute" }] } }]);
    expect(messages(gatewayHttpRedirectOnly, [edge, grpcRoute("api-grpc", "http")])).toEqual([]);
  });
});

describe("NetworkPolicy coverage", () => {
  it("matches selectors by namespace and matchExpressions", () => {
    const other = netpol("other", { podSelector: {}, policyTypes: ["Ingress"] });
    other.props.metadata.namespace = "elsewhere";
    expect(messages(networkPolicyIngress, [deployment(), other])).toHaveLength(1);
    const expr = netpol("expr", { podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["api", "web"] }] }, policyTypes: ["Ingress"] });
    expect(messages(networkPolicyIngress, [deployment(), expr])).toEqual([]);
  });
});
