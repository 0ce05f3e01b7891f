/**
 * Pure builders for the edge: Helm values and the ACME ClusterIssuer manifest. No Pulumi imports, so they are
 * unit-tested directly and reviewed as data.
 */

import { DEFAULT_CHART_SOURCES } from "../lib/charts";
import { ALLOWED_RESPONSE_HEADERS } from "../lib/http-headers";

/**
 * Pinned chart sources (a rollback must name exactly what ran), kept with every other chart in
 * components/lib/charts.ts so a stack can point them at a mirror. Bump deliberately, after reading the changelog.
 */
export const INGRESS_NGINX_CHART = DEFAULT_CHART_SOURCES["ingress-nginx"];
export const CERT_MANAGER_CHART = DEFAULT_CHART_SOURCES["cert-manager"];

/** Namespace cert-manager is installed into (the AlertingStack scrapes its controller metrics there). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";

/** Ingress class every AppService Ingress uses. */
export const INGRESS_CLASS = "nginx";

export const ACME_SERVERS = {
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
  production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type AcmeServer = keyof typeof ACME_SERVERS;

/** ClusterIssuer name per ACME server; AppService ingresses reference it in `cert-manager.io/cluster-issuer`. */
export function clusterIssuerName(server: AcmeServer): string {
  return server === "production" ? "letsencrypt-prod" : "letsencrypt-staging";
}

/** Load balancer annotations of the ingress controller Service per cloud. */
export function loadBalancerAnnotations(cloud: "aws" | "alicloud" | "none"): Record<string, string> {
  switch (cloud) {
    case "aws":
      // Network Load Balancer, internet-facing, spread across zones; TLS terminates in nginx (cert-manager certs).
      return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
        "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
      };
    case "alicloud":
      return {
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": "internet",
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-instance-charge-type": "PayByCLCU",
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-flag": "on",
      };
    default:
      return {};
  }
}

export interface IngressValuesInput {
  cloud: "aws" | "alicloud" | "none";
  replicas: number;
}

/** ingress-nginx values: hardened defaults (no snippets, no server tokens, HSTS, TLS redirect), metrics on. */
export function ingressNginxValues(input: IngressValuesInput): Record<string, unknown> {
  return {
    fullnameOverride: "ingress-nginx",
    controller: {
      replicaCount: input.replicas,
      ingressClassResource: { name: INGRESS_CLASS, default: true },
      allowSnippetAnnotations: false,
      config: {
        "server-tokens": "false",
        "ssl-redirect": "true",
        hsts: "true",
        "hsts-max-age": "31536000",
        "use-forwarded-headers": "false",
        "ssl-protocols": "TLSv1.2 TLSv1.3",
        // AppService sets security headers via custom-headers; the controller serves only listed ones.
        "global-allowed-response-headers": ALLOWED_RESPONSE_HEADERS.join(","),
      },
      service: {
        type: "LoadBalancer",
        // Keeps the client address and avoids a second hop through another node.
        externalTrafficPolicy: "Local",
        annotations: loadBalancerAnnotations(input.cloud),
      },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      metrics: { enabled: true },
      podDisruptionBudget: input.replicas > 1 ? { enabled: true, minAvailable: 1 } : undefined,
      topologySpreadConstraints: [{
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
      }],
    },
  };
}

/** cert-manager values: the chart installs its CRDs (and keeps them on uninstall). */
export function certManagerValues(): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    prometheus: { enabled: true },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  };
}

/** Let's Encrypt ClusterIssuer solving HTTP-01 through the nginx ingress class. */
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
        solvers: [{ http01: { ingress: { ingressClassName: INGRESS_CLASS } } }],
      },
    },
  };
}
