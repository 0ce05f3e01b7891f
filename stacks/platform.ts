import * as k8s from "@pulumi/kubernetes";
import type { AppService } from "../components/app-service";
import type { BackupJob } from "../components/backup-job";
import { POD_IDENTITY_INJECTION_LABEL } from "../components/backup-job/identity";
import type { AlertingStack } from "../components/alerting-stack";
import type { MonitoredDatabase } from "../components/monitored-database";
import type { KafkaCluster } from "../components/kafka-cluster";
import type { EdgeProxy } from "../components/edge-proxy";
import type { MonitoredService } from "../components/lib/contracts";
import { mergeMonitoring } from "../components/lib/monitoring";
import { namespaceAllowDns, namespaceDefaultDeny } from "../components/lib/network-policy";
import type { PlatformContext } from "../components/lib/platform";
import { dockerContext, withProviders } from "./context";
import type { PlatformPlan } from "./plan";
import { buildAlerting } from "./sections/alerting";
import { publicProbeUrl } from "../components/alerting-stack/probes";
import { CERT_MANAGER_NAMESPACE } from "../components/foundation/edge-values";
import { buildBackups } from "./sections/backups";
import { buildDatabases, databaseConnections, LOGICAL_SEPARATOR } from "./sections/databases";
import { buildDockerEdge } from "./sections/docker-edge";
import { buildFoundation, type FoundationBuild } from "./sections/foundation";
import { buildKafka } from "./sections/kafka";
import { buildServices } from "./sections/services";
import { buildLogging } from "./sections/logging";
import { buildTracing } from "./sections/tracing";
import type { TracePipeline } from "../components/trace-pipeline";
import type { LogPipeline } from "../components/log-pipeline";
import type { GrafanaDatasource } from "../components/lib/datasources";
import { logPipelineMonitoring, tracePipelineMonitoring } from "../components/lib/pipeline-monitoring";
import type { SectionContext } from "./sections/types";

/** Everything a stack built, for outputs and tests. */
export interface Platform {
  foundation: FoundationBuild;
  namespace?: k8s.core.v1.Namespace;
  /** Kubernetes: the namespace's default-deny (ingress and egress) and allow-dns NetworkPolicies. */
  namespacePolicies?: k8s.networking.v1.NetworkPolicy[];
  databases: Record<string, MonitoredDatabase>;
  kafka: Record<string, KafkaCluster>;
  services: Record<string, AppService>;
  /** Docker target: the edge proxy in front of the services with an ingress. */
  dockerEdge?: EdgeProxy;
  backups: Record<string, BackupJob>;
  alerting: AlertingStack;
  /** The log pipeline, when platform:logging is enabled. */
  logging?: LogPipeline;
  /** The trace pipeline, when platform:tracing is enabled. */
  tracing?: TracePipeline;
}

/**
 * Workload namespace with the "restricted" Pod Security Standard enforced, so the API server itself refuses
 * a pod that slipped past the components' security contexts.
 */
function workloadNamespace(ctx: PlatformContext, provider: k8s.Provider): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    "namespace",
    {
      metadata: {
        name: ctx.namespace,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
          "app.kubernetes.io/part-of": ctx.project,
          environment: ctx.environment,
          // RRSA credentials for the backup jobs' OSS access are injected only into labelled namespaces.
          ...(ctx.cloud === "alicloud" ? POD_IDENTITY_INJECTION_LABEL : {}),
        },
      },
    },
    { provider },
  );
}

/**
 * The build context for workloads. On Docker: the engine provider and tier networks. On Kubernetes: a provider
 * whose default namespace is the workload namespace, so every workload waits for the namespace to exist.
 */
function workloadContext(
  plan: PlatformPlan,
  built: FoundationBuild,
): { ctx: PlatformContext; namespace?: k8s.core.v1.Namespace; namespacePolicies?: k8s.networking.v1.NetworkPolicy[] } {
  const base = plan.sctx.platform;
  if (base.target === "docker") return { ctx: dockerContext(base) };
  const clusterProvider = built.kubernetesProvider!;
  const namespace = workloadNamespace(base, clusterProvider);
  const provider = new k8s.Provider("workloads", {
    kubeconfig: built.outputs.kubeconfig!,
    namespace: namespace.metadata.name,
  });
  // Deny by default, both directions, for every pod of the namespace; components open what their pods need.
  const labels = { "app.kubernetes.io/part-of": base.project, environment: base.environment };
  const namespacePolicies = [
    new k8s.networking.v1.NetworkPolicy("namespace-default-deny", namespaceDefaultDeny(base.namespace, labels), { provider }),
    new k8s.networking.v1.NetworkPolicy("namespace-allow-dns", namespaceAllowDns(base.namespace, labels), { provider }),
  ];
  return { ctx: withProviders(base, { kubernetes: provider }), namespace, namespacePolicies };
}

/**
 * Registers the platform from a complete plan, in dependency order:
 * foundation -> data stores (databases, Kafka) -> services -> backups -> alerting. Data stores depend on the network only
 * (not on the cluster), so the cloud can create them in parallel with the cluster.
 */
export function buildPlatform(plan: PlatformPlan): Platform {
  const foundation = buildFoundation(plan.foundation, plan.sctx);
  const { ctx, namespace, namespacePolicies } = workloadContext(plan, foundation);
  const sctx: SectionContext = { ...plan.sctx, platform: ctx };

  const databases = buildDatabases(plan.databases, sctx, { placement: foundation.placement, keys: foundation.keys });
  const kafka = buildKafka(plan.kafka, sctx, { placement: foundation.placement, keys: foundation.keys });
  const services = buildServices(plan.services, sctx, {
    connections: databaseConnections(databases),
    kafka: Object.fromEntries(Object.entries(kafka).map(([name, cluster]) => [name, cluster.connection])),
    clusterIssuer: foundation.outputs.clusterIssuer,
    ...(plan.foundation.enabled && plan.foundation.args.network ? { dataStoreCidrs: [plan.foundation.args.network.cidr] } : {}),
  });
  const dockerEdge = buildDockerEdge(plan.dockerEdge, sctx, services);
  const backups = buildBackups(plan.backups, sctx, {
    // A logical database (`<store>/<database>`) is dumped with its own role; the store's native backups cover it too.
    databases: Object.fromEntries(
      Object.entries(databases).flatMap(([name, db]) => [
        [name, { connection: db.connection, nativeBackup: db.nativeBackup }],
        ...Object.entries(db.logicalConnections).map(([logical, connection]) => [`${name}${LOGICAL_SEPARATOR}${logical}`, { connection, nativeBackup: db.nativeBackup }]),
      ]),
    ),
    identity: foundation.identity,
    keys: foundation.keys,
  });
  const alerting = buildAlerting(plan.alerting, sctx, {
    monitoring: mergeMonitoring(
      foundation.monitoring,
      ...Object.values(services).map((s) => s.monitoring),
      ...Object.values(databases).map((d) => d.monitoring),
      ...Object.values(kafka).map((k) => k.monitoring),
      ...Object.values(backups).map((b) => b.monitoring),
      plan.logging?.enabled ? logPipelineMonitoring(ctx.target) : undefined,
      plan.tracing?.enabled ? tracePipelineMonitoring(ctx.target) : undefined,
    ),
    services: Object.values(services)
      .map((s) => s.monitoredService)
      .filter((s): s is MonitoredService => s !== undefined),
    managedControlPlane: foundation.managedControlPlane,
    // Ingress hosts are public (TLS through the edge) only on Kubernetes; dev's Docker services are local.
    probeTargets:
      sctx.platform.target === "kubernetes"
        ? Object.values(services)
            .map((s) => publicProbeUrl(s.settings))
            .filter((u): u is string => u !== undefined)
        : [],
    certManagerNamespace: foundation.foundation?.edge ? CERT_MANAGER_NAMESPACE : undefined,
    datasources: [plan.logging?.datasource, plan.tracing?.datasource].filter((d): d is GrafanaDatasource => d !== undefined),
  });
  const logging = buildLogging(plan.logging, sctx);
  const tracing = buildTracing(plan.tracing, sctx);
  return { foundation, namespace, namespacePolicies, databases, kafka, services, dockerEdge, backups, alerting, logging, tracing };
}
