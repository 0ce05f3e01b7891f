import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type Egress = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/**
 * NetworkPolicy building blocks. The workload namespace denies all ingress and egress by default
 * (`namespaceDefaultDeny`) and allows DNS (`namespaceAllowDns`); every component then opens exactly what its pods
 * need: AppService its callers, the edge and Prometheus in, its peers and data stores out; the database exporter its
 * metrics port from Prometheus and the database out; the backup jobs the database and the object store (HTTPS) out.
 */

/** Namespace Prometheus runs in unless an AlertingStack says otherwise (admitted to metrics ports). */
export const DEFAULT_MONITORING_NAMESPACE = "monitoring";

/** Label every namespace carries (Kubernetes >= 1.22), so policies can select namespaces by name. */
export function namespaceSelector(namespace: string): Peer["namespaceSelector"] {
  return { matchLabels: { "kubernetes.io/metadata.name": namespace } };
}

/** Cluster DNS: CoreDNS/kube-dns pods in kube-system (EKS and ACK both label them k8s-app=kube-dns). */
export const DNS_EGRESS: Egress = {
  to: [{ namespaceSelector: namespaceSelector("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/** Any address, for egress rules that are bounded by port only (object-store and cloud API endpoints have no fixed CIDRs). */
export const ANYWHERE = "0.0.0.0/0";

/**
 * Cloud instance metadata endpoint. Excluded from every CIDR egress rule: pods use workload identity (IRSA/RRSA
 * token files), never the node's instance role.
 */
export const METADATA_CIDRS = ["169.254.169.254/32", "100.100.100.200/32"];

/** Egress to `cidrs` on TCP `ports` (the metadata endpoints carved out of any range containing them). */
export function cidrEgress(cidrs: ReadonlyArray<string>, ports: ReadonlyArray<pulumi.Input<number>>): Egress {
  return {
    to: cidrs.map((cidr) => ({ ipBlock: { cidr, ...(cidr === ANYWHERE ? { except: [...METADATA_CIDRS] } : {}) } })),
    ports: ports.map((port) => ({ protocol: "TCP", port })),
  };
}

/** Deny every ingress and egress of every pod of the namespace unless another policy allows it. */
export function namespaceDefaultDeny(namespace: string, labels: Record<string, string> = {}): k8s.networking.v1.NetworkPolicyArgs {
  return {
    metadata: { name: "default-deny", namespace, labels },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

/** Every pod of the namespace may resolve names through the cluster DNS. */
export function namespaceAllowDns(namespace: string, labels: Record<string, string> = {}): k8s.networking.v1.NetworkPolicyArgs {
  return {
    metadata: { name: "allow-dns", namespace, labels },
    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [DNS_EGRESS] },
  };
}

/** Where a component's pods reach their data store: the network's CIDRs (VPC) on the store's port. */
export interface DataStoreEgress {
  /** Destination ranges. @default [ANYWHERE] (bounded by port only) */
  cidrs?: string[];
  port: pulumi.Input<number>;
}

export function dataStoreEgress(stores: ReadonlyArray<DataStoreEgress>): Egress[] {
  return stores.map((s) => cidrEgress(s.cidrs && s.cidrs.length > 0 ? s.cidrs : [ANYWHERE], [s.port]));
}
