/**
 * Network and edge: NetworkPolicy coverage, Service exposure, TLS on every public listener and route (Ingress
 * and Gateway API), and no raw proxy configuration (ingress-nginx snippets, Envoy Gateway patch policies).
 */
import { known, resourceCheck, stackCheck, StackProblem, StackView } from "./framework";
import {
  GATEWAY,
  HELM_RELEASE,
  GRPC_ROUTE,
  HTTP_ROUTE,
  INGRESS,
  kindOf,
  NAMESPACE,
  namespaceOf,
  NETWORK_POLICY,
  SERVICE,
  selectorMatches,
  workloadOf,
  WORKLOAD_TYPES,
} from "./k8s";

type Direction = "Ingress" | "Egress";

/** Directions a NetworkPolicy governs (policyTypes, else Ingress plus Egress when it has egress rules). */
function directions(np: any): Direction[] {
  const types: string[] | undefined = np.spec?.policyTypes;
  if (types && types.length) return types as Direction[];
  return np.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

function coverageProblems(stack: StackView, direction: Direction): StackProblem[] {
  const policies = stack.ofType(NETWORK_POLICY);
  const problems: StackProblem[] = [];
  for (const r of stack.ofType(...WORKLOAD_TYPES)) {
    const covered = known(() => {
      const labels = workloadOf(r.type, r.props)!.podLabels;
      const ns = namespaceOf(r.props);
      return policies.some((p) =>
        known(() => namespaceOf(p.props) === ns && directions(p.props).includes(direction) && selectorMatches(p.props.spec?.podSelector ?? {}, labels)),
      );
    });
    if (covered === false) {
      problems.push({ urn: r.urn, message: `${kindOf(r.type)} "${r.props.metadata?.name ?? r.name}": no NetworkPolicy governs ${direction.toLowerCase()} of its pods` });
    }
  }
  return problems;
}

export const networkPolicyIngress = stackCheck({
  name: "k8s-networkpolicy-ingress",
  description: "Every workload's pods are selected by a NetworkPolicy that governs ingress (deny by default, allow named callers).",
  severity: "high",
  remediation: "Add a NetworkPolicy (policyTypes: [Ingress]) selecting the pods, or a namespace-wide default deny with podSelector: {}.",
  enforcementLevel: "mandatory",
  category: "network-edge",
  validate: (stack) => coverageProblems(stack, "Ingress"),
});

export const networkPolicyEgress = stackCheck({
  name: "k8s-networkpolicy-egress",
  description: "Every workload's pods are selected by a NetworkPolicy that governs egress (DNS, its data stores and named APIs only).",
  severity: "high",
  remediation: "Add Egress to the pods' NetworkPolicy with rules for DNS and the destinations the workload needs.",
  enforcementLevel: "mandatory",
  category: "network-edge",
  validate: (stack) => coverageProblems(stack, "Egress"),
});

export const noNodePort = resourceCheck({
  name: "k8s-no-nodeport",
  description: "No NodePort Services: they open a port on every node, past the load balancer and its security group.",
  severity: "high",
  remediation: "Use a ClusterIP Service behind the edge (Ingress/Gateway).",
  enforcementLevel: "mandatory",
  category: "network-edge",
  types: [SERVICE],
  validate: (r) => (r.props.spec?.type === "NodePort" ? ["Service type NodePort"] : []),
});

export const loadBalancerEdgeOnly = resourceCheck<{ edgeNamespaces: string[] }>({
  name: "k8s-loadbalancer-edge-only",
  description: "Only the edge (ingress controller / gateway) gets a LoadBalancer Service; applications stay ClusterIP behind it.",
  severity: "high",
  remediation: "Make the Service ClusterIP and route to it through the Ingress/Gateway; list a real edge namespace in edgeNamespaces.",
  enforcementLevel: "mandatory",
  category: "network-edge",
  types: [SERVICE],
  config: {
    edgeNamespaces: {
      type: "array",
      items: { type: "string" },
      default: ["ingress-nginx", "envoy-gateway-system", "gateway-system"],
      description: "Namespaces of the edge whose Services may be LoadBalancers.",
    },
  },
  validate: (r, config) => {
    if (r.props.spec?.type !== "LoadBalancer") return [];
    const ns = namespaceOf(r.props) ?? "";
    return config.edgeNamespaces.includes(ns) ? [] : [`LoadBalancer Service in namespace "${ns}", which is not an edge namespace`];
  },
});

export const ingressTls = resourceCheck({
  name: "k8s-ingress-tls",
  description: "Ingresses terminate TLS for every host they serve and do not turn off the HTTPS redirect.",
  severity: "high",
  remediation: "Add spec.tls with every host and a secretName (cert-manager issues it); keep ssl-redirect on.",
  enforcementLevel: "mandatory",
  category: "network-edge",
  types: [INGRESS],
  validate: (r) => {
    const spec = r.props.spec ?? {};
    const out: string[] = [];
    const hosts: string[] = (spec.rules ?? []).map((rule: any) => rule.host).filter(Boolean);
    const tls = new Set<string>((spec.tls ?? []).flatMap((t: any) => t.hosts ?? []));
    if (hosts.length === 0) out.push("ingress has no host rules (serves every host, without a certificate)");
    for (const host of hosts) if (!tls.has(host)) out.push(`host "${host}" is served without TLS`);
    const ann = r.props.metadata?.annotations ?? {};
    for (const key of ["nginx.ingress.kubernetes.io/ssl-redirect", "nginx.ingress.kubernetes.io/force-ssl-redirect"]) {
      if (ann[key] === "false") out.push(`${key} is "false": plain HTTP is served`);
    }
    return out;
  },
});

/** Annotations and resources that inject raw proxy configuration, bypassing every other check. */
const SNIPPET = /snippet/i;
export const ENVOY_PATCH_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyPatchPolicy";

export const noRawProxyConfig = resourceCheck({
  name: "edge-no-raw-proxy-config",
  description: "No raw proxy configuration: no *-snippet annotations, snippets left disabled in ingress-nginx, no EnvoyPatchPolicy (raw xDS patches).",
  severity: "critical",
  remediation: "Use the controller's typed settings (custom-headers ConfigMap, HTTPRoute filters, Envoy Gateway policies) instead of raw config.",
  enforcementLevel: "mandatory",
  category: "network-edge",
  validate: (r) => {
    if (r.type === ENVOY_PATCH_POLICY) return ["EnvoyPatchPolicy injects raw xDS configuration"];
    if (r.type === HELM_RELEASE) {
      const controller = r.props.values?.controller ?? {};
      const out: string[] = [];
      if (controller.allowSnippetAnnotations === true) out.push("ingress-nginx chart sets controller.allowSnippetAnnotations: true");
      for (const key of Object.keys(controller.config ?? {})) if (SNIPPET.test(key)) out.push(`ingress-nginx chart sets controller.config.${key}`);
      return out;
    }
    if (!r.type.startsWith("kubernetes:")) return [];
    return Object.keys(r.props.metadata?.annotations ?? {})
      .filter((k) => SNIPPET.test(k))
      .map((k) => `${kindOf(r.type)} has raw configuration annotation ${k}`);
  },
});

/** Gateway listener protocols that carry TLS. */
const TLS_PROTOCOLS = new Set(["HTTPS", "TLS"]);

export const gatewayListenerTls = resourceCheck({
  name: "gateway-listener-tls",
  description: "Gateway listeners terminate TLS with a certificate (HTTPS/TLS) or pass it through; plain HTTP listeners exist only for the HTTPS redirect (gateway-http-redirect-only); no raw TCP/UDP listeners.",
  severity: "high",
  remediation: "Give HTTPS listeners tls.certificateRefs (cert-manager's Gateway integration issues them); route plain TCP through TLS.",
  enforcementLevel: "mandatory",
  category: "network-edge",
  types: [GATEWAY],
  validate: (r) => {
    const out: string[] = [];
    for (const l of r.props.spec?.listeners ?? []) {
      const name = `listener "${l.name}" (${l.protocol} ${l.port})`;
      if (l.protocol === "TCP" || l.protocol === "UDP") out.push(`${name} carries traffic without TLS`);
      if (!TLS_PROTOCOLS.has(l.protocol)) continue;
      const mode = l.tls?.mode ?? "Terminate";
      if (mode === "Terminate" && !(l.tls?.certificateRefs ?? []).length) out.push(`${name} terminates TLS without certificateRefs`);
    }
    return out;
  },
});

/** Labels of a namespace: those of its Namespace object in the stack, plus the name label Kubernetes sets. */
function namespaceLabels(stack: StackView, name: string | undefined): Record<string, string> {
  const ns = stack.ofType(NAMESPACE).find((n) => known(() => (n.props.metadata?.name ?? n.name) === name));
  return { ...(known(() => ({ ...(ns?.props.metadata?.labels ?? {}) })) ?? {}), "kubernetes.io/metadata.name": name ?? "" };
}

/**
 * Whether a listener admits a route of `kind` from `routeNs` (allowedRoutes: namespaces.from Same/All/Selector,
 * kinds). Without `kinds`, an HTTP/HTTPS listener takes both HTTPRoute and GRPCRoute (Gateway API defaults).
 */
function admitsRoute(stack: StackView, listener: any, kind: string, gatewayNs: string | undefined, routeNs: string | undefined): boolean {
  const kinds: any[] | undefined = listener.allowedRoutes?.kinds;
  if (kinds && kinds.length && !kinds.some((k) => k.kind === kind)) return false;
  const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
  if (from === "All") return true;
  if (from === "Same") return routeNs === gatewayNs;
  return selectorMatches(listener.allowedRoutes?.namespaces?.selector, namespaceLabels(stack, routeNs));
}

/** Plain-HTTP listeners of a Gateway a route's parentRef attaches to (sectionName/port narrow it down). */
function plainListenersFor(stack: StackView, gateway: any, ref: any, kind: string, routeNs: string | undefined): Array<{ name: string }> {
  const gatewayNs = namespaceOf(gateway);
  return (gateway.spec?.listeners ?? [])
    .filter((l: any) => l.protocol === "HTTP")
    .filter((l: any) => (ref.sectionName !== undefined ? l.name === ref.sectionName : ref.port !== undefined ? l.port === ref.port : true))
    .filter((l: any) => admitsRoute(stack, l, kind, gatewayNs, routeNs));
}

function redirectsToHttps(rule: any): boolean {
  const filters: any[] = rule.filters ?? [];
  return filters.some((f) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https") && !(rule.backendRefs ?? []).length;
}

export const gatewayHttpRedirectOnly = stackCheck({
  name: "gateway-http-redirect-only",
  description: "HTTPRoutes that attach to a Gateway's plain-HTTP listener (parentRefs, sectionName/port, the listener's allowedRoutes) only redirect to HTTPS; every route serving content (HTTPRoute or GRPCRoute) is bound to TLS listeners only.",
  severity: "high",
  remediation: "Attach content routes to the HTTPS listener (parentRefs[].sectionName) and give the HTTP listener one route with a RequestRedirect filter (scheme: https).",
  enforcementLevel: "mandatory",
  category: "network-edge",
  validate: (stack) => {
    const gateways = stack.ofType(GATEWAY);
    const problems: StackProblem[] = [];
    for (const route of [...stack.ofType(HTTP_ROUTE), ...stack.ofType(GRPC_ROUTE)]) {
      const kind = route.type === GRPC_ROUTE ? "GRPCRoute" : "HTTPRoute";
      const found = known(() => {
        const out: string[] = [];
        const routeNs = namespaceOf(route.props);
        for (const ref of route.props.spec?.parentRefs ?? []) {
          if (ref.kind && ref.kind !== "Gateway") continue;
          const gw = gateways.find((g) => g.props.metadata?.name === ref.name && namespaceOf(g.props) === (ref.namespace ?? routeNs));
          if (!gw) continue;
          const plain = plainListenersFor(stack, gw.props, ref, kind, routeNs);
          if (plain.length === 0) continue;
          // A GRPCRoute has no redirect filter: every rule of it serves content.
          const serving = (route.props.spec?.rules ?? []).filter((rule: any) => kind === "GRPCRoute" || !redirectsToHttps(rule));
          if (serving.length > 0) out.push(`${kind} "${route.props.metadata?.name ?? route.name}" serves content on plain-HTTP listener ${plain.map((l) => `"${l.name}"`).join(", ")} of Gateway "${ref.name}"`);
        }
        return out;
      });
      for (const message of found ?? []) problems.push({ urn: route.urn, message });
    }
    return problems;
  },
});

export const CLIENT_TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy";
const TLS_VERSIONS = ["1.0", "1.1", "1.2", "1.3"];

export const envoyTlsMinVersion = resourceCheck<{ minVersion: string }>({
  name: "envoy-tls-min-version",
  description: "Envoy Gateway ClientTrafficPolicies do not lower the TLS floor below the configured minimum (TLS 1.2).",
  severity: "high",
  remediation: 'Set spec.tls.minVersion to "1.2" or "1.3" (or leave it unset: Envoy Gateway defaults to 1.2).',
  enforcementLevel: "mandatory",
  category: "network-edge",
  types: [CLIENT_TRAFFIC_POLICY],
  config: { minVersion: { type: "string", enum: ["1.2", "1.3"], default: "1.2", description: "Lowest TLS version clients may negotiate." } },
  validate: (r, config) => {
    const v = r.props.spec?.tls?.minVersion;
    if (v === undefined || v === "Auto") return [];
    return TLS_VERSIONS.indexOf(v) < TLS_VERSIONS.indexOf(config.minVersion) ? [`tls.minVersion ${v} is below ${config.minVersion}`] : [];
  },
});

export const networkPolicies = [
  networkPolicyIngress,
  networkPolicyEgress,
  noNodePort,
  loadBalancerEdgeOnly,
  ingressTls,
  noRawProxyConfig,
  gatewayListenerTls,
  gatewayHttpRedirectOnly,
  envoyTlsMinVersion,
];
