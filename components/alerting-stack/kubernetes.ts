import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULT_CHART_SOURCES, helmChartArgs } from "../lib/charts";
import { provisionedDatasources, type GrafanaDatasource } from "../lib/datasources";
import { standardLabels } from "../lib/labels";
import { k8sName } from "../lib/naming";
import { DEFAULT_MONITORING_NAMESPACE } from "../lib/network-policy";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import type { AlertingStackArgs } from "./index";
import type { RenderedAlerting } from "./render";
import { registerProbes } from "./kubernetes-probes";
import { withWechatSecrets } from "./wechat";

/**
 * kube-prometheus-stack chart, pinned in components/lib/charts.ts (source overridable per stack). Bump
 * deliberately and read the chart's UPGRADE notes (CRD changes are not applied by Helm on upgrade).
 */
export const KUBE_PROMETHEUS_STACK_VERSION = DEFAULT_CHART_SOURCES["kube-prometheus-stack"].version;

/** Label and value the Grafana sidecar watches for dashboard ConfigMaps. */
export const DASHBOARD_LABEL = "grafana_dashboard";

/** Name of the Secret holding receiver credentials; one key per receiver. */
export function receiverSecretName(name: string): string {
  return k8sName(name, "receivers");
}

/** The operator mounts each Secret listed in alertmanagerSpec.secrets at /etc/alertmanager/secrets/<name>/. */
export function k8sSecretDir(name: string): string {
  return `/etc/alertmanager/secrets/${receiverSecretName(name)}`;
}

export interface ChartValuesInput {
  ctx: PlatformContext;
  retention: string;
  storageSize: string;
  replicas: number;
  managedControlPlane: boolean;
  alertmanagerConfig: pulumi.Input<Record<string, unknown>>;
  receiverSecret: string;
  grafanaSecret: string;
  /** Datasources of other modules (Loki, Jaeger). */
  datasources?: ReadonlyArray<GrafanaDatasource>;
}

const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

const nonRootPod = (uid: number, gid = uid) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: gid,
  fsGroup: gid,
  seccompProfile: { type: "RuntimeDefault" },
});

/**
 * Helm values (pure). Selection: Prometheus selects rules, ServiceMonitors and PodMonitors by
 * `matchLabels = ctx.monitoringLabels` in every namespace, rather than selecting everything
 * (`*SelectorNilUsesHelmValues: false` with empty selectors): an explicit label keeps other teams'
 * objects in a shared cluster out of our Prometheus. The chart's own ServiceMonitors and default rules
 * get the same labels through `commonLabels` and the exporters' `additionalLabels`, so they are picked
 * up too.
 */
export function chartValues(input: ChartValuesInput): Record<string, unknown> {
  const { ctx, managedControlPlane: managed } = input;
  const selector = { matchLabels: { ...ctx.monitoringLabels } };
  return {
    commonLabels: { ...ctx.monitoringLabels },
    crds: { enabled: true },
    defaultRules: {
      create: true,
      // Our own Watchdog (rules/watchdog.ts) is the heartbeat; the chart's twin would double it. The chart's
      // InfoInhibitor fires whenever an info alert has no warning/critical beside it, i.e. forever because our
      // Watchdog is info, and only feeds an inhibit rule our Alertmanager config does not use.
      disabled: { Watchdog: true, InfoInhibitor: true },
      // On EKS/ACK the control plane is not reachable: these alerts would fire forever ("target down").
      rules: managed
        ? { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false }
        : {},
    },
    kubeControllerManager: { enabled: !managed },
    kubeScheduler: { enabled: !managed },
    kubeEtcd: { enabled: !managed },
    kubeProxy: { enabled: !managed },
    prometheusOperator: {
      resources: resources("100m", "128Mi", "500m", "512Mi"),
      securityContext: nonRootPod(65534),
    },
    prometheus: {
      prometheusSpec: {
        replicas: input.replicas,
        scrapeInterval: "15s",
        evaluationInterval: "15s",
        retention: input.retention,
        externalLabels: { environment: ctx.environment },
        ruleSelector: selector,
        ruleSelectorNilUsesHelmValues: false,
        ruleNamespaceSelector: {},
        serviceMonitorSelector: selector,
        serviceMonitorSelectorNilUsesHelmValues: false,
        serviceMonitorNamespaceSelector: {},
        podMonitorSelector: selector,
        podMonitorSelectorNilUsesHelmValues: false,
        podMonitorNamespaceSelector: {},
        probeSelector: selector,
        probeSelectorNilUsesHelmValues: false,
        probeNamespaceSelector: {},
        storageSpec: {
          volumeClaimTemplate: {
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: input.storageSize } } },
          },
        },
        resources: resources("500m", "2Gi", "2", "4Gi"),
        securityContext: nonRootPod(1000, 2000),
      },
    },
    alertmanager: {
      config: input.alertmanagerConfig,
      alertmanagerSpec: {
        replicas: input.replicas,
        secrets: [input.receiverSecret],
        resources: resources("50m", "64Mi", "200m", "256Mi"),
        securityContext: nonRootPod(1000, 2000),
        storage: {
          volumeClaimTemplate: {
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
          },
        },
      },
    },
    grafana: {
      admin: { existingSecret: input.grafanaSecret, userKey: "admin-user", passwordKey: "admin-password" },
      "grafana.ini": { users: { allow_sign_up: false }, "auth.anonymous": { enabled: false } },
      sidecar: {
        dashboards: {
          enabled: true,
          label: DASHBOARD_LABEL,
          labelValue: "1",
          searchNamespace: "ALL",
          folderAnnotation: "grafana_folder",
          provider: { foldersFromFilesStructure: true },
        },
        datasources: { enabled: true, defaultDatasourceEnabled: true, uid: "prometheus" },
      },
      ...(input.datasources && input.datasources.length > 0 ? { additionalDataSources: provisionedDatasources(input.datasources) } : {}),
      resources: resources("100m", "256Mi", "500m", "512Mi"),
      securityContext: nonRootPod(472),
      testFramework: { enabled: false },
    },
    "kube-state-metrics": {
      resources: resources("50m", "128Mi", "200m", "256Mi"),
      prometheus: { monitor: { additionalLabels: { ...ctx.monitoringLabels } } },
    },
    "prometheus-node-exporter": {
      resources: resources("50m", "64Mi", "200m", "128Mi"),
      prometheus: { monitor: { additionalLabels: { ...ctx.monitoringLabels } } },
    },
  };
}

/** Chart source: the stack's override (mirror, OCI, local path) over the pinned default; `chartVersion` wins. */
function chartArgs(ctx: PlatformContext, chartVersion?: string) {
  const source = helmChartArgs("kube-prometheus-stack", ctx.charts);
  return chartVersion !== undefined && !source.chart.startsWith("/") ? { ...source, version: chartVersion } : source;
}

export function registerKubernetes(
  parent: pulumi.ComponentResource,
  name: string,
  ctx: PlatformContext,
  args: AlertingStackArgs,
  rendered: RenderedAlerting,
) {
  const t = args.transforms;
  const opts = { parent, ...providerFor(ctx, "kubernetes") };
  const nsName = args.namespace ?? DEFAULT_MONITORING_NAMESPACE;
  const labels = standardLabels(ctx, name, "monitoring");

  const namespace = new k8s.core.v1.Namespace(
    `${name}-namespace`,
    applyTransform(t, "namespace", {
      // node-exporter needs hostNetwork/hostPID: the namespace cannot enforce the restricted standard.
      metadata: { name: nsName, labels: { ...labels, "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted" } },
    }),
    opts,
  );
  const inNs = { ...opts, dependsOn: [namespace] };

  const grafanaPassword = new random.RandomPassword(
    `${name}-grafana-password`,
    applyTransform(t, "grafanaPassword", { length: 32, special: false }),
    { parent },
  );
  const grafanaSecretName = k8sName(name, "grafana-admin");
  const grafanaSecret = new k8s.core.v1.Secret(
    `${name}-grafana-secret`,
    applyTransform(t, "grafanaSecret", {
      metadata: { name: grafanaSecretName, namespace: nsName, labels },
      type: "Opaque",
      stringData: { "admin-user": "admin", "admin-password": pulumi.secret(grafanaPassword.result) },
    }),
    inNs,
  );

  const secretName = receiverSecretName(name);
  const receiverSecret = new k8s.core.v1.Secret(
    `${name}-receiver-secret`,
    applyTransform(t, "receiverSecret", {
      metadata: { name: secretName, namespace: nsName, labels },
      type: "Opaque",
      // No `stringData: {}` without receivers: the API server drops an empty map, so the provider would see a
      // difference and replace the Secret on every `pulumi up` (found by the engine tier).
      ...(args.receivers.length > 0 ? { stringData: Object.fromEntries(args.receivers.map((r) => [r.name, pulumi.secret(r.secret)])) } : {}),
    }),
    inNs,
  );

  const chart = new k8s.helm.v3.Release(
    `${name}-chart`,
    applyTransform(t, "chart", {
      name: k8sName(name),
      namespace: nsName,
      ...chartArgs(ctx, args.chartVersion),
      atomic: true,
      timeout: 900,
      values: chartValues({
        ctx,
        retention: args.retention ?? "15d",
        storageSize: args.storageSize ?? "50Gi",
        replicas: args.replicas ?? 1,
        managedControlPlane: args.managedControlPlane ?? false,
        alertmanagerConfig: withWechatSecrets(rendered.alertmanagerConfig, args.receivers),
        receiverSecret: secretName,
        grafanaSecret: grafanaSecretName,
        datasources: args.datasources,
      }),
    }),
    { ...opts, dependsOn: [namespace, grafanaSecret, receiverSecret] },
  );
  // PrometheusRule is a CRD the chart installs: register after it.
  const afterChart = { ...opts, dependsOn: [chart] };

  const prometheusRules = Object.entries(rendered.ruleFiles).map(
    ([source, file]) =>
      new k8s.apiextensions.CustomResource(
        `${name}-rules-${source}`,
        applyTransform(t, "rules", {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { namespace: nsName, labels: { ...labels, ...ctx.monitoringLabels } },
          spec: file,
        }),
        afterChart,
      ),
  );

  const dashboardConfigMaps = rendered.dashboards.map(
    (d) =>
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${d.uid}`,
        applyTransform(t, "dashboard", {
          metadata: {
            namespace: nsName,
            labels: { ...labels, [DASHBOARD_LABEL]: "1" },
            annotations: { grafana_folder: d.folder ?? "General" },
          },
          data: { [`${d.uid}.json`]: JSON.stringify(d.model) },
        }),
        afterChart,
      ),
  );

  const probes = registerProbes({
    parent,
    name,
    ctx,
    namespace: nsName,
    labels,
    probeTargets: args.probeTargets ?? [],
    certManagerNamespace: args.certManagerNamespace,
    transforms: t,
    opts: afterChart,
  });

  const release = k8sName(name);
  const svc = (suffix: string, port: number) => pulumi.output(`http://${release}-${suffix}.${nsName}.svc:${port}`);
  return {
    namespace,
    grafanaPassword,
    grafanaSecret,
    receiverSecret,
    chart,
    prometheusRules,
    dashboardConfigMaps,
    ...probes,
    urls: {
      prometheus: svc("kube-prom-prometheus", 9090),
      alertmanager: svc("kube-prom-alertmanager", 9093),
      grafana: svc("grafana", 80),
    },
  };
}
