import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from "../lib/k8s";
import { selectorLabels, standardLabels } from "../lib/labels";
import { k8sName } from "../lib/naming";
import { DNS_EGRESS, namespaceAllowDns, namespaceDefaultDeny, namespaceSelector } from "../lib/network-policy";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import type { TracePipelineRole } from "./args";
import { COLLECTOR_CONFIG_FILE, COLLECTOR_HEALTH_PORT, COLLECTOR_HOST, COLLECTOR_METRICS_PORT, collectorConfig, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from "./collector";
import { JAEGER_CONFIG_FILE, JAEGER_DATA_DIR, JAEGER_HEALTH_PORT, JAEGER_HOST, JAEGER_OTLP_PORT, JAEGER_QUERY_PORT, jaegerConfig } from "./jaeger";
import type { ResolvedTracePipeline } from "./validate";

const hash = (data: Record<string, string>) => createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** In-cluster host of the collector (what services' OTEL_EXPORTER_OTLP_ENDPOINT points at). */
export function collectorClusterHost(namespace: string): string {
  return `${COLLECTOR_HOST}.${namespace}.svc`;
}
export function jaegerClusterHost(namespace: string): string {
  return `${JAEGER_HOST}.${namespace}.svc`;
}

/** Pure manifests of the trace pipeline on Kubernetes. */
export function traceManifests(name: string, ctx: PlatformContext, r: ResolvedTracePipeline) {
  const ns = r.namespace;
  const colSelector = selectorLabels(COLLECTOR_HOST, name);
  const colLabels = { ...standardLabels(ctx, COLLECTOR_HOST, "trace-collector"), ...colSelector };
  const jSelector = selectorLabels(JAEGER_HOST, name);
  const jLabels = { ...standardLabels(ctx, JAEGER_HOST, "trace-store"), ...jSelector };
  const monitoring = { namespaceSelector: namespaceSelector(r.monitoringNamespace) };

  const collectorConfigName = k8sName(name, "collector-config");
  const jaegerConfigName = k8sName(name, "jaeger-config");
  const collectorConfigMap: k8s.core.v1.ConfigMapArgs = {
    metadata: { name: collectorConfigName, namespace: ns, labels: colLabels },
    data: { "config.yaml": stringify(collectorConfig({ sampling: r.sampling, jaegerEndpoint: `${jaegerClusterHost(ns)}:${JAEGER_OTLP_PORT}` })) },
  };
  const jaegerConfigMap: k8s.core.v1.ConfigMapArgs = {
    metadata: { name: jaegerConfigName, namespace: ns, labels: jLabels },
    data: { "config.yaml": stringify(jaegerConfig({ retentionHours: r.retentionHours })) },
  };
  const tmp = tmpVolume();

  const collector: k8s.apps.v1.DeploymentArgs = {
    metadata: { name: k8sName(name, "collector"), namespace: ns, labels: colLabels },
    spec: {
      replicas: r.replicas,
      selector: { matchLabels: colSelector },
      template: {
        metadata: { labels: colLabels, annotations: { "platform.example/config-hash": hash(collectorConfigMap.data as Record<string, string>) } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(10001),
          containers: [
            {
              name: "otel-collector",
              image: r.images.collector,
              args: [`--config=${COLLECTOR_CONFIG_FILE}`],
              env: [{ name: "GOMEMLIMIT", value: "400MiB" }],
              ports: [
                { name: "otlp-grpc", containerPort: OTLP_GRPC_PORT, protocol: "TCP" },
                { name: "otlp-http", containerPort: OTLP_HTTP_PORT, protocol: "TCP" },
                { name: "metrics", containerPort: COLLECTOR_METRICS_PORT, protocol: "TCP" },
                { name: "health", containerPort: COLLECTOR_HEALTH_PORT, protocol: "TCP" },
              ],
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
              securityContext: restrictedContainerSecurityContext(),
              livenessProbe: { httpGet: { path: "/", port: "health" }, periodSeconds: 15 },
              readinessProbe: { httpGet: { path: "/", port: "health" }, periodSeconds: 5 },
              volumeMounts: [{ name: "config", mountPath: "/etc/otelcol", readOnly: true }, tmp.mount],
            },
          ],
          volumes: [{ name: "config", configMap: { name: collectorConfigName } }, tmp.volume],
        },
      },
    },
  };
  const collectorService: k8s.core.v1.ServiceArgs = {
    metadata: { name: COLLECTOR_HOST, namespace: ns, labels: colLabels },
    spec: {
      selector: colSelector,
      ports: [
        { name: "otlp-grpc", port: OTLP_GRPC_PORT, targetPort: "otlp-grpc", protocol: "TCP", appProtocol: "grpc" },
        { name: "otlp-http", port: OTLP_HTTP_PORT, targetPort: "otlp-http", protocol: "TCP" },
      ],
    },
  };

  const jaeger: k8s.apps.v1.StatefulSetArgs = {
    metadata: { name: k8sName(name, "jaeger"), namespace: ns, labels: jLabels },
    spec: {
      serviceName: JAEGER_HOST,
      replicas: 1,
      selector: { matchLabels: jSelector },
      template: {
        metadata: { labels: jLabels, annotations: { "platform.example/config-hash": hash(jaegerConfigMap.data as Record<string, string>) } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(10001),
          containers: [
            {
              name: "jaeger",
              image: r.images.jaeger,
              args: [`--config=${JAEGER_CONFIG_FILE}`],
              ports: [
                { name: "otlp-grpc", containerPort: JAEGER_OTLP_PORT, protocol: "TCP" },
                { name: "query", containerPort: JAEGER_QUERY_PORT, protocol: "TCP" },
                { name: "health", containerPort: JAEGER_HEALTH_PORT, protocol: "TCP" },
              ],
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
              securityContext: restrictedContainerSecurityContext(),
              readinessProbe: { httpGet: { path: "/status", port: "health" }, periodSeconds: 10 },
              volumeMounts: [{ name: "config", mountPath: "/etc/jaeger", readOnly: true }, { name: "data", mountPath: JAEGER_DATA_DIR }, tmp.mount],
            },
          ],
          volumes: [{ name: "config", configMap: { name: jaegerConfigName } }, tmp.volume],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: r.storageSize } } } }],
    },
  };
  const jaegerService: k8s.core.v1.ServiceArgs = {
    metadata: { name: JAEGER_HOST, namespace: ns, labels: jLabels },
    spec: {
      selector: jSelector,
      ports: [
        { name: "otlp-grpc", port: JAEGER_OTLP_PORT, targetPort: "otlp-grpc", protocol: "TCP", appProtocol: "grpc" },
        { name: "query", port: JAEGER_QUERY_PORT, targetPort: "query", protocol: "TCP" },
      ],
    },
  };

  const policies: Record<string, k8s.networking.v1.NetworkPolicyArgs> = {
    "default-deny": namespaceDefaultDeny(ns, colLabels),
    "allow-dns": namespaceAllowDns(ns, colLabels),
    collector: {
      metadata: { name: k8sName(name, "collector"), namespace: ns, labels: colLabels },
      spec: {
        podSelector: { matchLabels: colSelector },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [{ namespaceSelector: namespaceSelector(ctx.namespace) }], ports: tcp(OTLP_GRPC_PORT, OTLP_HTTP_PORT) },
          { from: [monitoring], ports: tcp(COLLECTOR_METRICS_PORT) },
        ],
        egress: [{ to: [{ podSelector: { matchLabels: jSelector } }], ports: tcp(JAEGER_OTLP_PORT) }, DNS_EGRESS],
      },
    },
    jaeger: {
      metadata: { name: k8sName(name, "jaeger"), namespace: ns, labels: jLabels },
      spec: {
        podSelector: { matchLabels: jSelector },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: colSelector } }], ports: tcp(JAEGER_OTLP_PORT) },
          { from: [monitoring], ports: tcp(JAEGER_QUERY_PORT) },
        ],
        egress: [],
      },
    },
  };
  // The workload namespace denies egress by default: the traced services may reach the collector, nothing more.
  const servicesEgress: k8s.networking.v1.NetworkPolicyArgs | undefined =
    r.services.length > 0
      ? {
          metadata: { name: k8sName(name, "otlp-egress"), namespace: ctx.namespace, labels: colLabels },
          spec: {
            podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [...r.services] }] },
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: namespaceSelector(ns), podSelector: { matchLabels: colSelector } }], ports: tcp(OTLP_GRPC_PORT, OTLP_HTTP_PORT) }],
          },
        }
      : undefined;
  const podMonitor: k8s.apiextensions.CustomResourceArgs = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: k8sName(name, "collector"), namespace: ns, labels: { ...colLabels, ...ctx.monitoringLabels } },
    spec: {
      selector: { matchLabels: colSelector },
      namespaceSelector: { matchNames: [ns] },
      podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
    },
  };
  return { podMonitor, collectorConfigMap, collector, collectorService, jaegerConfigMap, jaeger, jaegerService, policies, servicesEgress };
}

export function registerKubernetes(
  parent: pulumi.ComponentResource,
  name: string,
  ctx: PlatformContext,
  r: ResolvedTracePipeline,
  t: Transforms<TracePipelineRole> | undefined,
) {
  const m = traceManifests(name, ctx, r);
  const opts = { parent, ...providerFor(ctx, "kubernetes") };
  const namespace = new k8s.core.v1.Namespace(
    `${name}-namespace`,
    applyTransform(t, "namespace", {
      metadata: {
        name: r.namespace,
        labels: {
          ...standardLabels(ctx, name, "tracing"),
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    }),
    opts,
  );
  const inNs = { ...opts, dependsOn: [namespace] };
  const networkPolicies = Object.entries(m.policies).map(
    ([role, args]) => new k8s.networking.v1.NetworkPolicy(`${name}-policy-${role}`, applyTransform(t, "networkPolicy", args), inNs),
  );
  if (m.servicesEgress) networkPolicies.push(new k8s.networking.v1.NetworkPolicy(`${name}-policy-otlp-egress`, applyTransform(t, "networkPolicy", m.servicesEgress), opts));
  const jaegerConfigMap = new k8s.core.v1.ConfigMap(`${name}-jaeger-config`, applyTransform(t, "jaegerConfig", m.jaegerConfigMap), inNs);
  const jaeger = new k8s.apps.v1.StatefulSet(`${name}-jaeger`, applyTransform(t, "jaeger", m.jaeger), { ...opts, dependsOn: [namespace, jaegerConfigMap] });
  const jaegerService = new k8s.core.v1.Service(`${name}-jaeger-service`, applyTransform(t, "jaegerService", m.jaegerService), inNs);
  const collectorConfigMap = new k8s.core.v1.ConfigMap(`${name}-collector-config`, applyTransform(t, "collectorConfig", m.collectorConfigMap), inNs);
  const collector = new k8s.apps.v1.Deployment(`${name}-collector`, applyTransform(t, "collector", m.collector), {
    ...opts,
    dependsOn: [namespace, collectorConfigMap, jaegerService],
  });
  const collectorService = new k8s.core.v1.Service(`${name}-collector-service`, applyTransform(t, "collectorService", m.collectorService), inNs);
  const podMonitor = new k8s.apiextensions.CustomResource(`${name}-pod-monitor`, applyTransform(t, "podMonitor", m.podMonitor), inNs);
  return { podMonitor, namespace, networkPolicies, jaeger, jaegerService, collector, collectorService, collectorConfig: collectorConfigMap };
}
