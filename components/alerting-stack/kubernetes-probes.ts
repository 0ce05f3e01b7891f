import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { helmChartArgs } from "../lib/charts";
import { k8sName } from "../lib/naming";
import type { PlatformContext } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";
import type { AlertingStackRole } from "./index";
import { BLACKBOX_HOST, BLACKBOX_PORT, blackboxConfig, probeSpec } from "./probes";

/** Port name of the cert-manager controller's metrics Service (cert-manager chart, `prometheus.enabled`). */
export const CERT_MANAGER_METRICS_PORT = "tcp-prometheus-servicemonitor";

/** prometheus-blackbox-exporter values (pure): fixed name, our module, bounded, non-root, read-only root. */
export function blackboxValues(): Record<string, unknown> {
  return {
    fullnameOverride: BLACKBOX_HOST,
    config: blackboxConfig(),
    replicas: 1,
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: {
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
    automountServiceAccountToken: false,
  };
}

/** In-cluster address of the exporter, as the Probe's `prober.url` (host:port, no scheme). */
export function proberUrl(namespace: string): string {
  return `${BLACKBOX_HOST}.${namespace}.svc:${BLACKBOX_PORT}`;
}

/**
 * ServiceMonitor for cert-manager's controller metrics (certmanager_certificate_expiration_timestamp_seconds
 * feeds CertificateExpiry). It lives in the monitoring namespace and selects the Service in cert-manager's
 * namespace, so the edge can install cert-manager before the ServiceMonitor CRD exists.
 */
export function certManagerServiceMonitorSpec(certManagerNamespace: string): Record<string, unknown> {
  return {
    jobLabel: "app.kubernetes.io/name",
    namespaceSelector: { matchNames: [certManagerNamespace] },
    selector: { matchLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" } },
    endpoints: [{ port: CERT_MANAGER_METRICS_PORT, path: "/metrics", interval: "60s", honorLabels: false }],
  };
}

export interface ProbeRegistration {
  parent: pulumi.ComponentResource;
  name: string;
  ctx: PlatformContext;
  namespace: string;
  labels: Record<string, string>;
  probeTargets: ReadonlyArray<string>;
  certManagerNamespace?: string;
  transforms?: Transforms<AlertingStackRole>;
  opts: pulumi.CustomResourceOptions;
}

/** Blackbox exporter + Probe (when there are public URLs) and the cert-manager ServiceMonitor. */
export function registerProbes(r: ProbeRegistration) {
  const t = r.transforms;
  const meta = { namespace: r.namespace, labels: { ...r.labels, ...r.ctx.monitoringLabels } };
  let blackbox: k8s.helm.v3.Release | undefined;
  let probe: k8s.apiextensions.CustomResource | undefined;
  if (r.probeTargets.length > 0) {
    blackbox = new k8s.helm.v3.Release(
      `${r.name}-blackbox`,
      applyTransform(t, "blackbox", {
        name: k8sName(r.name, "blackbox"),
        namespace: r.namespace,
        ...helmChartArgs("prometheus-blackbox-exporter", r.ctx.charts),
        atomic: true,
        values: blackboxValues(),
      }),
      r.opts,
    );
    probe = new k8s.apiextensions.CustomResource(
      `${r.name}-probe`,
      applyTransform(t, "probe", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Probe",
        metadata: meta,
        spec: probeSpec(r.probeTargets, proberUrl(r.namespace)),
      }),
      { ...r.opts, dependsOn: [...((r.opts.dependsOn as pulumi.Resource[]) ?? []), blackbox] },
    );
  }
  const certManagerMonitor = r.certManagerNamespace
    ? new k8s.apiextensions.CustomResource(
        `${r.name}-cert-manager-monitor`,
        applyTransform(t, "certManagerMonitor", {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: meta,
          spec: certManagerServiceMonitorSpec(r.certManagerNamespace),
        }),
        r.opts,
      )
    : undefined;
  return { blackbox, probe, certManagerMonitor };
}
