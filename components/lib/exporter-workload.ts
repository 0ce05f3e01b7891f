import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./k8s";
import { selectorLabels, standardLabels } from "./labels";
import { ANYWHERE, cidrEgress, DEFAULT_MONITORING_NAMESPACE, DNS_EGRESS, namespaceSelector } from "./network-policy";
import { providerFor, type PlatformContext } from "./platform";
import { applyTransform, type Transforms } from "./transform";

/** A Prometheus exporter that reads one data store from inside the cluster. */
export interface ExporterWorkloadSpec {
  parent: pulumi.Resource;
  ctx: PlatformContext;
  transforms: Transforms<string>;
  /** Pulumi name of the Deployment, Service and ServiceMonitor. */
  childName: string;
  /** Pulumi name of the NetworkPolicy. */
  policyName: string;
  /** Kubernetes object name; also the Prometheus `job` of its scrape. */
  job: string;
  /** Labels naming what the exporter watches, e.g. `{ "platform.example.org/database": "main" }`. */
  ownerLabels: Record<string, string>;
  image: string;
  port: number;
  uid: number;
  env: k8s.types.input.core.v1.EnvVar[];
  /** Overrides the image entrypoint (e.g. a shell that expands secret env into flags). */
  command?: string[];
  /** Arguments to the entrypoint (collector flags). */
  args?: string[];
  /**
   * ServiceMonitor endpoints, when one exporter scrapes several targets (redis_exporter's `/scrape?target=`, one per
   * node of a Redis cluster, each with its own labels). @default the exporter's own `/metrics` every 30 s
   */
  endpoints?: Array<Record<string, unknown>>;
  /** Ports of the data store the exporter may reach (any address; the store's own firewall narrows it). */
  egressPorts: ReadonlyArray<pulumi.Input<number>>;
  /** ConfigMaps mounted read-only into the exporter (e.g. the CA bundle that verifies the data store). @default none */
  configMapMounts?: ReadonlyArray<{ volume: string; configMap: pulumi.Input<string>; mountPath: string }>;
}

export interface ExporterWorkload {
  deployment: k8s.apps.v1.Deployment;
  service: k8s.core.v1.Service;
  serviceMonitor: k8s.apiextensions.CustomResource;
  networkPolicy: k8s.networking.v1.NetworkPolicy;
}

/**
 * Exporter as a hardened Deployment + Service + ServiceMonitor + NetworkPolicy next to the workloads. Its env holds
 * the data store's credentials: only Prometheus may reach its port, and it may reach only the data store's ports
 * (DNS through the namespace's allow-dns policy). Transform roles: exporterDeployment, exporterService,
 * serviceMonitor, exporterNetworkPolicy.
 */
export function exporterWorkload(spec: ExporterWorkloadSpec): ExporterWorkload {
  const { parent, ctx, transforms: t, job } = spec;
  const opts = { parent, ...providerFor(ctx, "kubernetes") };
  const selector = selectorLabels(job);
  const labels = standardLabels(ctx, job, "metrics-exporter", spec.ownerLabels);
  const mounts = spec.configMapMounts ?? [];

  const deployment = new k8s.apps.v1.Deployment(
    spec.childName,
    applyTransform(t, "exporterDeployment", {
      metadata: { name: job, namespace: ctx.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(spec.uid),
            containers: [
              {
                name: "exporter",
                image: spec.image,
                ...(spec.command ? { command: spec.command } : {}),
                ...(spec.args ? { args: spec.args } : {}),
                env: spec.env,
                ...(mounts.length ? { volumeMounts: mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: true })) } : {}),
                ports: [{ name: "metrics", containerPort: spec.port }],
                securityContext: restrictedContainerSecurityContext(),
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                readinessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 20, failureThreshold: 3 },
              },
            ],
            ...(mounts.length ? { volumes: mounts.map((m) => ({ name: m.volume, configMap: { name: m.configMap } })) } : {}),
          },
        },
      },
    } satisfies k8s.apps.v1.DeploymentArgs),
    opts,
  );
  const service = new k8s.core.v1.Service(
    spec.childName,
    applyTransform(t, "exporterService", {
      metadata: { name: job, namespace: ctx.namespace, labels },
      spec: { type: "ClusterIP", selector, ports: [{ name: "metrics", port: spec.port, targetPort: "metrics" }] },
    } satisfies k8s.core.v1.ServiceArgs),
    opts,
  );
  const serviceMonitor = new k8s.apiextensions.CustomResource(
    spec.childName,
    applyTransform(t, "serviceMonitor", {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: job, namespace: ctx.namespace, labels: { ...labels, ...ctx.monitoringLabels } },
      spec: {
        selector: { matchLabels: selector },
        namespaceSelector: { matchNames: [ctx.namespace] },
        endpoints: spec.endpoints ?? [{ port: "metrics", interval: "30s", scrapeTimeout: "10s" }],
      },
    }),
    opts,
  );
  const networkPolicy = new k8s.networking.v1.NetworkPolicy(
    spec.policyName,
    applyTransform(t, "exporterNetworkPolicy", {
      metadata: { name: job, namespace: ctx.namespace, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ namespaceSelector: namespaceSelector(DEFAULT_MONITORING_NAMESPACE) }], ports: [{ protocol: "TCP", port: spec.port }] }],
        egress: [DNS_EGRESS, cidrEgress([ANYWHERE], [...spec.egressPorts])],
      },
    } satisfies k8s.networking.v1.NetworkPolicyArgs),
    opts,
  );
  return { deployment, service, serviceMonitor, networkPolicy };
}
