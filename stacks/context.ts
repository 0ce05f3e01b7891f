import * as docker from "@pulumi/docker";
import { BACKUP_CONTAINER_UID } from "../components/backup-job/docker";
import type { PlatformContext, PlatformProviders } from "../components/lib/platform";
import type { RootConfig } from "./config";

/**
 * Label every ServiceMonitor and PrometheusRule the library creates carries; the AlertingStack's
 * Prometheus selects exactly these, so nothing else in the cluster is picked up by accident.
 */
export const MONITORING_LABELS: Record<string, string> = { "platform.io/monitoring": "enabled" };

/** Names of the per-tier Docker networks of a stack (the build registers networks with these names). */
export function dockerNetworkNames(namespace: string): { frontend: string; backend: string } {
  return { frontend: `${namespace}-frontend`, backend: `${namespace}-backend` };
}

/** The context used while planning: everything but providers (planning registers nothing). */
export function planningContext(root: RootConfig): PlatformContext {
  return {
    project: root.project,
    environment: root.environment,
    target: root.target,
    cloud: root.cloud,
    namespace: root.namespace,
    providers: {},
    monitoringLabels: { ...MONITORING_LABELS },
    tags: { ...root.tags },
    runbookBaseUrl: root.runbookBaseUrl,
    charts: { ...root.charts },
    ...(root.target === "docker" ? { dockerNetworks: dockerNetworkNames(root.namespace) } : {}),
  };
}

/** The same context with the providers (and Docker networks) that building needs. */
export function withProviders(ctx: PlatformContext, providers: PlatformProviders): PlatformContext {
  return { ...ctx, providers: { ...ctx.providers, ...providers } };
}

/**
 * Docker target: one explicit provider (DOCKER_HOST from the environment) and a network per tier, as the
 * seeds isolate them: data stores join only the backend network and publish no ports. The backend is not
 * `internal`, because Docker does not publish ports of containers on internal networks (the Grafana and
 * Prometheus UIs on 127.0.0.1) and workers may need to call external APIs.
 */
export function dockerContext(ctx: PlatformContext): PlatformContext {
  const provider = new docker.Provider("docker", {});
  const names = dockerNetworkNames(ctx.namespace);
  const frontend = new docker.Network(
    "net-frontend",
    { name: names.frontend, driver: "bridge", labels: [{ label: "environment", value: ctx.environment }] },
    { provider },
  );
  const backend = new docker.Network(
    "net-backend",
    { name: names.backend, driver: "bridge", labels: [{ label: "environment", value: ctx.environment }] },
    { provider },
  );
  // Textfile metrics of batch jobs (backup and restore-test results), written by the backup containers (uid 999,
  // the official postgres/redis images' user) and read by node-exporter. A tmpfs sized for a few small files, so
  // its owner can be set without a root helper; each job keeps a persistent copy and restores it on start.
  const metrics = new docker.Volume(
    "metrics-textfile",
    {
      name: `${ctx.namespace}-metrics-textfile`,
      driver: "local",
      driverOpts: { type: "tmpfs", device: "tmpfs", o: `size=16m,uid=${BACKUP_CONTAINER_UID},gid=${BACKUP_CONTAINER_UID},mode=0755` },
      labels: [{ label: "environment", value: ctx.environment }],
    },
    { provider },
  );
  return {
    ...withProviders(ctx, { docker: provider }),
    dockerNetworks: { frontend: frontend.name, backend: backend.name },
    dockerMetricsVolume: metrics.name,
  };
}
