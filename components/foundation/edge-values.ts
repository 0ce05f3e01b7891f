/**
 * Pure builders for the edge's Helm releases: pinned chart sources, their values, and the ACME ClusterIssuer.
 * No Pulumi imports, so they are unit-tested directly and reviewed as data. The Gateway API objects the edge
 * registers are built in ./gateway-manifests.ts.
 */

import { DEFAULT_CHART_SOURCES } from "../lib/charts";
import { GATEWAY_NAMES, GATEWAY_NAMESPACE, HTTP_LISTENER } from "../lib/gateway";

/**
 * Pinned chart sources (a rollback must name exactly what ran), kept with every other chart in
 * components/lib/charts.ts so a stack can point them at a mirror. Bump deliberately, after reading the changelog.
 */
export const ENVOY_GATEWAY_CHART = DEFAULT_CHART_SOURCES["envoy-gateway"];
export const CERT_MANAGER_CHART = DEFAULT_CHART_SOURCES["cert-manager"];

/** Namespace cert-manager is installed into (the AlertingStack scrapes its controller metrics there). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";

/** The Go module holding the Envoy Gateway API types and CRDs of the pinned chart (tests read the CRDs from it). */
export const ENVOY_GATEWAY_MODULE = { path: "github.com/envoyproxy/gateway", version: ENVOY_GATEWAY_CHART.version } as const;
/** The Gateway API release the pinned Envoy Gateway bundles (its go.mod). */
export const GATEWAY_API_MODULE = { path: "sigs.k8s.io/gateway-api", version: "v1.6.1" } as const;

export const ACME_SERVERS = {
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
  production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type AcmeServer = keyof typeof ACME_SERVERS;

/** ClusterIssuer name per ACME server; the Gateways name it in `cert-manager.io/cluster-issuer`. */
export function clusterIssuerName(server: AcmeServer): string {
  return server === "production" ? "letsencrypt-prod" : "letsencrypt-staging";
}

/** Envoy Gateway controller values: hardened, bounded, CRDs installed by the chart, two replicas with a PDB. */
export function envoyGatewayValues(input: { replicas: number }): Record<string, unknown> {
  return {
    crds: { enabled: true },
    deployment: {
      replicas: input.replicas > 1 ? 2 : 1,
      envoyGateway: {
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1024Mi" } },
      },
    },
    // The control plane only programs the proxies: one replica may be evicted during a node drain.
    podDisruptionBudget: input.replicas > 1 ? { minAvailable: 1 } : { minAvailable: 0 },
    config: {
      envoyGateway: {
        gateway: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
        provider: { type: "Kubernetes" },
        logging: { level: { default: "info" } },
      },
    },
  };
}

/**
 * cert-manager values: the chart installs its CRDs (and keeps them on uninstall), and the controller watches
 * Gateways (`enableGatewayAPI`), issuing a certificate for every HTTPS listener of an annotated Gateway.
 */
export function certManagerValues(): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    config: {
      apiVersion: "controller.config.cert-manager.io/v1alpha1",
      kind: "ControllerConfiguration",
      enableGatewayAPI: true,
    },
    prometheus: { enabled: true },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  };
}

/**
 * Let's Encrypt ClusterIssuer solving HTTP-01 through the Gateway API: cert-manager attaches a temporary HTTPRoute
 * for each challenge to the public Gateway's plain-HTTP listener (the only one Let's Encrypt can reach).
 */
export function clusterIssuerManifest(server: AcmeServer, email: string): {
  apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown>;
} {
  const name = clusterIssuerName(server);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name },
    spec: {
      acme: {
        email,
        server: ACME_SERVERS[server],
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: [{
          http01: {
            gatewayHTTPRoute: {
              parentRefs: [{
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: GATEWAY_NAMES.public,
                namespace: GATEWAY_NAMESPACE,
                sectionName: HTTP_LISTENER,
              }],
            },
          },
        }],
      },
    },
  };
}
