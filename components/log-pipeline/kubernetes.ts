import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from "../lib/k8s";
import { selectorLabels, standardLabels } from "../lib/labels";
import { k8sName } from "../lib/naming";
import { ANYWHERE, cidrEgress, DNS_EGRESS, namespaceAllowDns, namespaceDefaultDeny, namespaceSelector } from "../lib/network-policy";
import { providerFor, type PlatformContext } from "../lib/platform";
import { FLUENT_BIT_METRICS_PATH } from "../lib/pipeline-monitoring";
import { applyTransform, type Transforms } from "../lib/transform";
import type { LogPipelineRole } from "./args";
import { FLUENT_BIT_CONFIG_DIR, FLUENT_BIT_CONFIG_FILE, FLUENT_BIT_HTTP_PORT, FLUENT_BIT_STATE_DIR, fluentBitConfig } from "./fluent-bit";
import { LOKI_CONFIG_FILE, LOKI_DATA_DIR, lokiConfig } from "./loki";
import { maskingScript } from "./masking";
import { LOKI_HOST, LOKI_PORT, resolveSink, SINK_PASSWORD_ENV, type ResolvedSink } from "./sink";
import type { ResolvedLogPipeline } from "./validate";

type Egress = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/** In-cluster address of the installed Loki (the Grafana datasource and Fluent Bit's sink). */
export function lokiClusterHost(namespace: string): string {
  return `${LOKI_HOST}.${namespace}.svc`;
}

/** Kubernetes API server ports (443 on EKS/ACK, 6443 on kubeadm clusters); its address is not known in advance. */
const API_SERVER_EGRESS: Egress = cidrEgress([ANYWHERE], [443, 6443]);

/** Pure manifests of the log pipeline on Kubernetes. */
export function logManifests(name: string, ctx: PlatformContext, r: ResolvedLogPipeline) {
  const ns = r.namespace;
  const sink = resolveSink(r.sink, lokiClusterHost(ns), ctx.project);
  const fbName = k8sName(name, "fluent-bit");
  const fbSelector = selectorLabels(fbName);
  const fbLabels = standardLabels(ctx, fbName, "log-shipper");
  const lokiSelector = selectorLabels(LOKI_HOST, name);
  const lokiLabels = { ...standardLabels(ctx, LOKI_HOST, "log-store"), ...lokiSelector };
  const configName = k8sName(name, "fluent-bit-config");
  const secretName = k8sName(name, "sink");

  const config: k8s.core.v1.ConfigMapArgs = {
    metadata: { name: configName, namespace: ns, labels: fbLabels },
    data: {
      "fluent-bit.yaml": stringify(fluentBitConfig({ target: "kubernetes", environment: ctx.environment, sink, namespace: ns }), { lineWidth: 0 }),
      "mask.lua": maskingScript(r.masking),
    },
  };

  const sinkEgress: Egress = sink.installed
    ? { to: [{ podSelector: { matchLabels: lokiSelector } }], ports: [{ protocol: "TCP", port: LOKI_PORT }] }
    : cidrEgress([ANYWHERE], [sink.port]);
  const policies: Record<string, k8s.networking.v1.NetworkPolicyArgs> = {
    "default-deny": namespaceDefaultDeny(ns, fbLabels),
    "allow-dns": namespaceAllowDns(ns, fbLabels),
    "fluent-bit": {
      metadata: { name: fbName, namespace: ns, labels: fbLabels },
      spec: {
        podSelector: { matchLabels: fbSelector },
        policyTypes: ["Ingress", "Egress"],
        // Metrics and health on the HTTP port, from Prometheus only.
        ingress: [{ from: [{ namespaceSelector: namespaceSelector(r.monitoringNamespace) }], ports: [{ protocol: "TCP", port: FLUENT_BIT_HTTP_PORT }] }],
        // The sink, the API server (pod metadata) and DNS; nothing else.
        egress: [sinkEgress, API_SERVER_EGRESS, DNS_EGRESS],
      },
    },
  };
  if (sink.installed) {
    policies.loki = {
      metadata: { name: k8sName(name, "loki"), namespace: ns, labels: lokiLabels },
      spec: {
        podSelector: { matchLabels: lokiSelector },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: [{ podSelector: { matchLabels: fbSelector } }], ports: [{ protocol: "TCP", port: LOKI_PORT }] },
          // Grafana queries, Prometheus scrapes.
          { from: [{ namespaceSelector: namespaceSelector(r.monitoringNamespace) }], ports: [{ protocol: "TCP", port: LOKI_PORT }] },
        ],
        egress: [],
      },
    };
  }

  // Cluster-scoped: named after the namespace too, so two pipelines in one cluster never share a role.
  const clusterRoleName = k8sName(fbName, ns);
  const clusterRole: k8s.rbac.v1.ClusterRoleArgs = {
    metadata: { name: clusterRoleName, labels: fbLabels },
    // The kubernetes filter reads pod and namespace metadata; nothing more.
    rules: [{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }],
  };

  const daemonSet: k8s.apps.v1.DaemonSetArgs = {
    metadata: { name: fbName, namespace: ns, labels: fbLabels },
    spec: {
      selector: { matchLabels: fbSelector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: fbLabels, annotations: { "platform.example/config-hash": hash(config.data as Record<string, string>) } },
        spec: {
          serviceAccountName: fbName,
          automountServiceAccountToken: true,
          // Container log files are owned by root with mode 0640 on most nodes: reading them needs uid 0. Nothing
          // else is granted: no capabilities (root owns the files, so no DAC override is needed), no escalation,
          // a read-only root filesystem and read-only host log mounts; the only writable host path is the tail
          // position database.
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          tolerations: [{ operator: "Exists" }],
          priorityClassName: "system-node-critical",
          containers: [
            {
              name: "fluent-bit",
              image: r.images.fluentBit,
              args: ["-c", FLUENT_BIT_CONFIG_FILE],
              ports: [{ name: "http", containerPort: FLUENT_BIT_HTTP_PORT, protocol: "TCP" }],
              env: sink.user !== undefined ? [{ name: SINK_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: secretName, key: "password" } } }] : [],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
              securityContext: {
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 30 },
              readinessProbe: { httpGet: { path: "/api/v1/health", port: "http" }, periodSeconds: 10 },
              volumeMounts: [
                { name: "config", mountPath: FLUENT_BIT_CONFIG_DIR, readOnly: true },
                { name: "varlog", mountPath: "/var/log", readOnly: true },
                { name: "state", mountPath: FLUENT_BIT_STATE_DIR },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: configName } },
            { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
            { name: "state", hostPath: { path: `/var/lib/fluent-bit-${ns}`, type: "DirectoryOrCreate" } },
          ],
        },
      },
    },
  };

  const podMonitor: k8s.apiextensions.CustomResourceArgs = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: fbName, namespace: ns, labels: { ...fbLabels, ...ctx.monitoringLabels } },
    spec: {
      selector: { matchLabels: fbSelector },
      namespaceSelector: { matchNames: [ns] },
      podMetricsEndpoints: [{ port: "http", path: FLUENT_BIT_METRICS_PATH, interval: "30s" }],
    },
  };
  const loki = sink.installed ? lokiManifests(name, r, lokiLabels, lokiSelector) : undefined;
  return { sink, fbName, fbLabels, clusterRoleName, secretName, config, policies, clusterRole, daemonSet, podMonitor, loki };
}

function lokiManifests(name: string, r: ResolvedLogPipeline, labels: Record<string, string>, selector: Record<string, string>) {
  const ns = r.namespace;
  const configName = k8sName(name, "loki-config");
  const tmp = tmpVolume();
  const config: k8s.core.v1.ConfigMapArgs = {
    metadata: { name: configName, namespace: ns, labels },
    data: { "loki.yaml": stringify(lokiConfig({ retentionHours: r.retentionDays * 24 })) },
  };
  const statefulSet: k8s.apps.v1.StatefulSetArgs = {
    metadata: { name: k8sName(name, "loki"), namespace: ns, labels },
    spec: {
      serviceName: LOKI_HOST,
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels, annotations: { "platform.example/config-hash": hash(config.data as Record<string, string>) } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(10001),
          containers: [
            {
              name: "loki",
              image: r.images.loki,
              args: [`-config.file=${LOKI_CONFIG_FILE}`, "-target=all"],
              ports: [{ name: "http", containerPort: LOKI_PORT, protocol: "TCP" }],
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
              securityContext: restrictedContainerSecurityContext(),
              readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10, initialDelaySeconds: 15 },
              volumeMounts: [
                { name: "config", mountPath: "/etc/loki", readOnly: true },
                { name: "data", mountPath: LOKI_DATA_DIR },
                tmp.mount,
              ],
            },
          ],
          volumes: [{ name: "config", configMap: { name: configName } }, tmp.volume],
        },
      },
      volumeClaimTemplates: [
        { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: r.storageSize } } } },
      ],
    },
  };
  const service: k8s.core.v1.ServiceArgs = {
    metadata: { name: LOKI_HOST, namespace: ns, labels },
    spec: { selector, ports: [{ name: "http", port: LOKI_PORT, targetPort: "http", protocol: "TCP" }] },
  };
  return { config, statefulSet, service };
}

/** Short content hash, so a config change rolls the pods (ConfigMap updates alone do not). */
function hash(data: Record<string, string>): string {
  return createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 16);
}

export function registerKubernetes(
  parent: pulumi.ComponentResource,
  name: string,
  ctx: PlatformContext,
  r: ResolvedLogPipeline,
  sinkPassword: pulumi.Input<string> | undefined,
  t: Transforms<LogPipelineRole> | undefined,
) {
  const m = logManifests(name, ctx, r);
  const opts = { parent, ...providerFor(ctx, "kubernetes") };
  const namespace = new k8s.core.v1.Namespace(
    `${name}-namespace`,
    applyTransform(t, "namespace", {
      // hostPath mounts are refused by the baseline and restricted standards; warn on everything else.
      metadata: { name: r.namespace, labels: { ...standardLabels(ctx, name, "logging"), "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted" } },
    }),
    opts,
  );
  const inNs = { ...opts, dependsOn: [namespace] };
  const networkPolicies = Object.entries(m.policies).map(
    ([role, args]) => new k8s.networking.v1.NetworkPolicy(`${name}-policy-${role}`, applyTransform(t, "networkPolicy", args), inNs),
  );
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    `${name}-service-account`,
    applyTransform(t, "serviceAccount", { metadata: { name: m.fbName, namespace: r.namespace, labels: m.fbLabels } }),
    inNs,
  );
  const clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-cluster-role`, applyTransform(t, "clusterRole", m.clusterRole), opts);
  const clusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
    `${name}-cluster-role-binding`,
    applyTransform(t, "clusterRoleBinding", {
      metadata: { name: m.clusterRoleName, labels: m.fbLabels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: m.clusterRoleName },
      subjects: [{ kind: "ServiceAccount", name: m.fbName, namespace: r.namespace }],
    }),
    opts,
  );
  const config = new k8s.core.v1.ConfigMap(`${name}-config`, applyTransform(t, "config", m.config), inNs);
  const sinkSecret =
    sinkPassword !== undefined
      ? new k8s.core.v1.Secret(
          `${name}-sink-secret`,
          applyTransform(t, "sinkSecret", {
            metadata: { name: m.secretName, namespace: r.namespace, labels: m.fbLabels },
            type: "Opaque",
            stringData: { password: pulumi.secret(sinkPassword) },
          }),
          inNs,
        )
      : undefined;
  let loki: k8s.apps.v1.StatefulSet | undefined;
  let lokiService: k8s.core.v1.Service | undefined;
  const lokiDeps: pulumi.Resource[] = [];
  if (m.loki) {
    const lokiConfigMap = new k8s.core.v1.ConfigMap(`${name}-loki-config`, applyTransform(t, "lokiConfig", m.loki.config), inNs);
    loki = new k8s.apps.v1.StatefulSet(`${name}-loki`, applyTransform(t, "loki", m.loki.statefulSet), { ...opts, dependsOn: [namespace, lokiConfigMap] });
    lokiService = new k8s.core.v1.Service(`${name}-loki-service`, applyTransform(t, "lokiService", m.loki.service), inNs);
    lokiDeps.push(lokiService);
  }
  const daemonSet = new k8s.apps.v1.DaemonSet(`${name}-daemon-set`, applyTransform(t, "daemonSet", m.daemonSet), {
    ...opts,
    dependsOn: [namespace, config, serviceAccount, clusterRoleBinding, ...(sinkSecret ? [sinkSecret] : []), ...lokiDeps],
  });
  const podMonitor = new k8s.apiextensions.CustomResource(`${name}-pod-monitor`, applyTransform(t, "podMonitor", m.podMonitor), inNs);
  return { podMonitor, namespace, networkPolicies, serviceAccount, clusterRole, clusterRoleBinding, config, sinkSecret, daemonSet, loki, lokiService, sink: m.sink };
}

export type { ResolvedSink };
