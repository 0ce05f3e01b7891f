import { cidrEgress, dataStoreEgress, DNS_EGRESS } from "../lib/network-policy";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from "../lib/k8s";
import { selectorLabels, standardLabels } from "../lib/labels";
import { k8sName } from "../lib/naming";
import { type PlatformContext, providerFor } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { hasService } from "./args";
import { gatewayFor, GRPC_STREAM_IDLE_SECONDS, httpsListenerName } from "../lib/gateway";
import { rateLimitBuckets } from "./ingress";
import type { ResolvedAppServiceArgs } from "./validate";
import { SHARED_ENV_CHECKSUM_ANNOTATION } from "./shared-env";
import type { ResolvedJob } from "./jobs";
import { grpcRouteManifest, grpcRouteName } from "./grpc-route";

import Input = k8s.types.input;

/** Container name inside the pod (stable so `kubectl logs -c app` works for every service). */
export const CONTAINER_NAME = "app";
const HTTP_PORT_NAME = "http";
const METRICS_PORT_NAME = "metrics";
/** Scrape interval of the ServiceMonitor/PodMonitor; the alerting rules' `rate()` windows assume 30s. */
export const SCRAPE_INTERVAL = "30s";

/** Plain manifests (args of each Kubernetes resource) for one service. Pure: registers nothing. */
export interface KubernetesManifests {
  serviceAccount: k8s.core.v1.ServiceAccountArgs;
  secret?: k8s.core.v1.SecretArgs;
  deployment: k8s.apps.v1.DeploymentArgs;
  service?: k8s.core.v1.ServiceArgs;
  httpRoute?: k8s.apiextensions.CustomResourceArgs;
  backendTrafficPolicy?: k8s.apiextensions.CustomResourceArgs;
  /** One per routed extra port, with its policy (rate limit, stream timeouts). */
  grpcRoutes: GrpcRouteManifest[];
  hpa?: k8s.autoscaling.v2.HorizontalPodAutoscalerArgs;
  pdb?: k8s.policy.v1.PodDisruptionBudgetArgs;
  networkPolicy: k8s.networking.v1.NetworkPolicyArgs;
  serviceMonitor?: k8s.apiextensions.CustomResourceArgs;
  podMonitor?: k8s.apiextensions.CustomResourceArgs;
  jobs: JobManifest[];
  jobsNetworkPolicy?: k8s.networking.v1.NetworkPolicyArgs;
}

export interface GrpcRouteManifest {
  portName: string;
  route: k8s.apiextensions.CustomResourceArgs;
  policy: k8s.apiextensions.CustomResourceArgs;
}

export type JobManifest =
  | { job: ResolvedJob; kind: "Job"; args: k8s.batch.v1.JobArgs }
  | { job: ResolvedJob; kind: "CronJob"; args: k8s.batch.v1.CronJobArgs };

/** Object names in the namespace. Physical names because other services and the edge address them by name. */
export function kubernetesNames(name: string) {
  return {
    workload: k8sName(name),
    secret: k8sName(name, "env"),
  };
}

/** Whether metrics need a `metrics` port of their own (not the HTTP port, not an extra port). */
function separateMetricsPort(r: ResolvedAppServiceArgs): boolean {
  return r.metrics?.portName === METRICS_PORT_NAME;
}

function containerPorts(r: ResolvedAppServiceArgs): Input.core.v1.ContainerPort[] {
  const ports: Input.core.v1.ContainerPort[] = [];
  if (r.port !== undefined) ports.push({ name: HTTP_PORT_NAME, containerPort: r.port, protocol: "TCP" });
  if (separateMetricsPort(r)) ports.push({ name: METRICS_PORT_NAME, containerPort: r.metrics!.port, protocol: "TCP" });
  for (const e of r.extraPorts) ports.push({ name: e.name, containerPort: e.port, protocol: "TCP" });
  return ports;
}

function envVars(r: ResolvedAppServiceArgs): Input.core.v1.EnvVar[] {
  const names = kubernetesNames(r.name);
  return [
    ...Object.entries(r.env).map(([name, value]) => ({ name, value })),
    // Secret values live only in the service's Secret; the pod references them by key.
    ...Object.keys(r.secretEnv).map((name) => ({ name, valueFrom: { secretKeyRef: { name: names.secret, key: name } } })),
    ...Object.entries(r.secretRefs).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } })),
  ];
}

function probes(r: ResolvedAppServiceArgs): Partial<Pick<Input.core.v1.Container, "livenessProbe" | "readinessProbe" | "startupProbe">> {
  const { port, livenessPath, readinessPath, startup, livenessCommand } = r.probes;
  const httpGet = (path: string) => ({ path, port: HTTP_PORT_NAME });
  if (livenessCommand) {
    // Exec liveness (a worker's command or heartbeat file): no port needed; a Service still gets HTTP readiness.
    return {
      livenessProbe: { exec: { command: livenessCommand }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
      ...(port !== undefined && readinessPath ? { readinessProbe: { httpGet: httpGet(readinessPath), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 } } : {}),
    };
  }
  if (port === undefined) return {};
  // Each probe may be turned off on its own (health.livenessPath / readinessPath: false).
  return {
    // The startup probe holds liveness off until the app has started, instead of a fixed initial delay.
    ...(startup && livenessPath ? { startupProbe: { httpGet: httpGet(livenessPath), periodSeconds: startup.periodSeconds, failureThreshold: startup.failureThreshold, timeoutSeconds: 3 } } : {}),
    ...(livenessPath ? { livenessProbe: { httpGet: httpGet(livenessPath), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } } : {}),
    ...(readinessPath ? { readinessProbe: { httpGet: httpGet(readinessPath), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 } } : {}),
  };
}

function topologySpread(r: ResolvedAppServiceArgs): Input.core.v1.TopologySpreadConstraint[] | undefined {
  if (!r.zoneSpread) return undefined;
  const labelSelector = { matchLabels: selectorLabels(r.name) };
  return [
    // Zones: hard, so losing one zone never takes all replicas; nodes: soft, so a small cluster still schedules.
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector },
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector },
  ];
}

/**
 * The app container: image, env (shared env through envFrom, own env winning), resources and the restricted
 * security context. Jobs run the same container with their own image/command/args and without ports and probes.
 */
function appContainer(r: ResolvedAppServiceArgs, run: { image: string; command?: string[]; args?: string[] }, service: boolean): Input.core.v1.Container {
  const tmp = tmpVolume();
  return {
    name: CONTAINER_NAME,
    image: run.image,
    imagePullPolicy: "IfNotPresent",
    ...(run.command ? { command: run.command } : {}),
    ...(run.args ? { args: run.args } : {}),
    ...(service ? { ports: containerPorts(r) } : {}),
    // Shared values first: any `env` entry of the same name wins over envFrom.
    ...(r.sharedEnv ? { envFrom: [{ configMapRef: { name: r.sharedEnv.configMap } }] } : {}),
    env: envVars(r),
    resources: { requests: { ...r.resources.requests }, limits: { ...r.resources.limits } },
    securityContext: { ...restrictedContainerSecurityContext(), runAsUser: r.runAsUser, runAsGroup: r.runAsUser },
    ...(service ? probes(r) : {}),
    volumeMounts: [tmp.mount],
  };
}

/** Pod-template annotations: the default container, and the shared env's checksum so a change rolls the pods. */
function podAnnotations(r: ResolvedAppServiceArgs): Record<string, string> {
  return {
    "kubectl.kubernetes.io/default-container": CONTAINER_NAME,
    // envFrom is read at container start only: a new checksum rolls the pods onto the new values.
    ...(r.sharedEnv ? { [SHARED_ENV_CHECKSUM_ANNOTATION]: r.sharedEnv.checksum } : {}),
  };
}

function deployment(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.apps.v1.DeploymentArgs {
  const names = kubernetesNames(r.name);
  const labels = standardLabels(ctx, r.name, r.kind);
  const tmp = tmpVolume();
  return {
    metadata: { name: names.workload, namespace: ctx.namespace, labels },
    spec: {
      // With an HPA the autoscaler owns the replica count; a fixed value here would fight it on every update.
      ...(r.replicas !== undefined ? { replicas: r.replicas } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(r.name) },
      strategy:
        r.kind === "singleton"
          ? { type: "Recreate" } // never two listeners at once, even during a rollout
          : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, // keep full capacity
      template: {
        metadata: { labels, annotations: podAnnotations(r) },
        spec: {
          serviceAccountName: names.workload,
          automountServiceAccountToken: r.serviceAccountToken,
          securityContext: restrictedPodSecurityContext(r.runAsUser),
          topologySpreadConstraints: topologySpread(r),
          terminationGracePeriodSeconds: 30,
          containers: [appContainer(r, r, true)],
          volumes: [tmp.volume],
        },
      },
    },
  };
}

/**
 * Labels of the service's job pods: the service's name (so services admitting it as a caller admit its jobs too)
 * but their own instance, so neither the Deployment nor the Service ever selects them.
 */
function jobPodLabels(r: ResolvedAppServiceArgs, ctx: PlatformContext, job: ResolvedJob): Record<string, string> {
  return { ...standardLabels(ctx, r.name, job.schedule ? "cronjob" : "job"), ...jobSelectorLabels(r), "platform.io/job": job.name };
}

function jobSelectorLabels(r: ResolvedAppServiceArgs): Record<string, string> {
  return { "app.kubernetes.io/name": r.name, "app.kubernetes.io/instance": `${r.name}-jobs` };
}

function jobSpec(r: ResolvedAppServiceArgs, ctx: PlatformContext, job: ResolvedJob): Input.batch.v1.JobSpec {
  const names = kubernetesNames(r.name);
  const tmp = tmpVolume();
  return {
    backoffLimit: job.backoffLimit,
    activeDeadlineSeconds: job.activeDeadlineSeconds,
    ttlSecondsAfterFinished: job.ttlSecondsAfterFinished,
    template: {
      metadata: { labels: jobPodLabels(r, ctx, job), annotations: podAnnotations(r) },
      spec: {
        restartPolicy: "Never",
        serviceAccountName: names.workload,
        automountServiceAccountToken: r.serviceAccountToken,
        securityContext: restrictedPodSecurityContext(r.runAsUser),
        containers: [appContainer(r, job, false)],
        volumes: [tmp.volume],
      },
    },
  };
}

/** One Job or CronJob per `jobs` entry. */
function jobs(r: ResolvedAppServiceArgs, ctx: PlatformContext): JobManifest[] {
  return r.jobs.map((job) => {
    const metadata = { name: job.objectName, namespace: ctx.namespace, labels: jobPodLabels(r, ctx, job) };
    if (!job.schedule) return { job, kind: "Job", args: { metadata, spec: jobSpec(r, ctx, job) } };
    return {
      job,
      kind: "CronJob",
      args: {
        metadata,
        spec: {
          schedule: job.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid", // a slow run is never overlapped by the next
          startingDeadlineSeconds: 300,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: { metadata: { labels: jobPodLabels(r, ctx, job) }, spec: jobSpec(r, ctx, job) },
        },
      },
    };
  });
}

/** The job pods' policy: the service's egress, no ingress (nothing calls a Job). */
function jobsNetworkPolicy(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.networking.v1.NetworkPolicyArgs {
  return {
    metadata: { name: k8sName(r.name, "jobs"), namespace: ctx.namespace, labels: standardLabels(ctx, r.name, "job") },
    spec: { podSelector: { matchLabels: jobSelectorLabels(r) }, policyTypes: ["Ingress", "Egress"], ingress: [], egress: egressRules(r) },
  };
}

function service(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.core.v1.ServiceArgs {
  const ports: Input.core.v1.ServicePort[] = [{ name: HTTP_PORT_NAME, port: r.port!, targetPort: HTTP_PORT_NAME, protocol: "TCP" }];
  if (separateMetricsPort(r)) {
    ports.push({ name: METRICS_PORT_NAME, port: r.metrics!.port, targetPort: METRICS_PORT_NAME, protocol: "TCP" });
  }
  for (const e of r.extraPorts) {
    ports.push({ name: e.name, port: e.port, targetPort: e.name, protocol: "TCP", ...(e.appProtocol ? { appProtocol: e.appProtocol } : {}) });
  }
  return {
    metadata: { name: kubernetesNames(r.name).workload, namespace: ctx.namespace, labels: standardLabels(ctx, r.name, r.kind) },
    // Same port as the container, so `http://<name>:<port>` works on Docker and Kubernetes alike.
    spec: { type: "ClusterIP", selector: selectorLabels(r.name), ports },
  };
}

const GATEWAY_API = "gateway.networking.k8s.io";

/**
 * The service's route on the edge Gateway of its visibility: host and path prefix to the Service's HTTP port,
 * with the security headers set on every response by the standard ResponseHeaderModifier filter. TLS is
 * terminated by the Gateway's listener for the host (certificate from cert-manager's Gateway integration).
 */
function httpRoute(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.apiextensions.CustomResourceArgs {
  const ing = r.ingress!;
  const gateway = gatewayFor(ing.visibility);
  return {
    apiVersion: `${GATEWAY_API}/v1`,
    kind: "HTTPRoute",
    metadata: { name: kubernetesNames(r.name).workload, namespace: ctx.namespace, labels: standardLabels(ctx, r.name, r.kind) },
    spec: {
      // Bound to the host's HTTPS listener only: nothing but the redirect is served on plain HTTP.
      parentRefs: [{ group: GATEWAY_API, kind: "Gateway", name: gateway.name, namespace: gateway.namespace, sectionName: httpsListenerName(ing.host) }],
      hostnames: [ing.host],
      rules: [{
        matches: [{ path: { type: "PathPrefix", value: ing.path } }],
        filters: [{
          type: "ResponseHeaderModifier",
          responseHeaderModifier: { set: Object.entries(ing.headers).map(([name, value]) => ({ name, value })) },
        }],
        backendRefs: [{ group: "", kind: "Service", name: kubernetesNames(r.name).workload, port: r.port! }],
      }],
    },
  };
}

/**
 * Envoy Gateway policy on the route: the per-client-IP rate limit (one bucket per client address, IPv4 and IPv6,
 * see `rateLimitBuckets`) and the request body ceiling (HTTP 413 above it).
 */
function backendTrafficPolicy(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.apiextensions.CustomResourceArgs {
  const ing = r.ingress!;
  const name = kubernetesNames(r.name).workload;
  const rules = rateLimitRules(ing.rateLimit);
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "BackendTrafficPolicy",
    metadata: { name, namespace: ctx.namespace, labels: standardLabels(ctx, r.name, r.kind) },
    spec: {
      targetRefs: [{ group: GATEWAY_API, kind: "HTTPRoute", name }],
      ...(rules.length > 0 ? { rateLimit: { local: { rules } } } : {}),
      requestBuffer: { limit: ing.maxRequestBodySize },
    },
  };
}

/** Envoy local rate-limit rules: the buckets per distinct client address, IPv4 and IPv6. */
function rateLimitRules(limit: { rps: number; burst: number } | undefined) {
  if (!limit) return [];
  const perClient = (cidr: string) => [{ sourceCIDR: { type: "Distinct", value: cidr } }];
  return ["0.0.0.0/0", "::/0"].flatMap((cidr) =>
    rateLimitBuckets(limit).map((b) => ({ clientSelectors: perClient(cidr), limit: { requests: b.requests, unit: b.unit } })));
}

/** The GRPCRoute of each routed extra port (see ./grpc-route.ts). */
function grpcRoutes(r: ResolvedAppServiceArgs, ctx: PlatformContext): GrpcRouteManifest[] {
  const workload = kubernetesNames(r.name).workload;
  const labels = standardLabels(ctx, r.name, r.kind);
  return r.grpcRoutes.map((route) => {
    const name = grpcRouteName(workload, route.portName);
    const rules = rateLimitRules(route.rateLimit);
    return {
      portName: route.portName,
      route: grpcRouteManifest(route, workload, { namespace: ctx.namespace, labels }),
      // No request buffer (it would hold client-streaming calls until the stream ends) and no whole-call timeout
      // (Envoy's 15 s default would cut streaming calls); a stream idle for GRPC_STREAM_IDLE_SECONDS is reset.
      policy: {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "BackendTrafficPolicy",
        metadata: { name, namespace: ctx.namespace, labels },
        spec: {
          targetRefs: [{ group: GATEWAY_API, kind: "GRPCRoute", name }],
          ...(rules.length > 0 ? { rateLimit: { local: { rules } } } : {}),
          timeout: { http: { requestTimeout: "0s", streamIdleTimeout: `${GRPC_STREAM_IDLE_SECONDS}s` } },
        },
      },
    };
  });
}

function hpa(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.autoscaling.v2.HorizontalPodAutoscalerArgs {
  const a = r.autoscaling!;
  const metrics: Input.autoscaling.v2.MetricSpec[] = [];
  if (a.cpuPercent !== undefined) {
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.cpuPercent } } });
  }
  if (a.memoryPercent !== undefined) {
    metrics.push({ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: a.memoryPercent } } });
  }
  return {
    metadata: { name: kubernetesNames(r.name).workload, namespace: ctx.namespace, labels: standardLabels(ctx, r.name, r.kind) },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: kubernetesNames(r.name).workload },
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics,
    },
  };
}

function pdb(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.policy.v1.PodDisruptionBudgetArgs {
  return {
    metadata: { name: kubernetesNames(r.name).workload, namespace: ctx.namespace, labels: standardLabels(ctx, r.name, r.kind) },
    spec: {
      // One pod at a time whatever the HPA has scaled to; validation guarantees at least two replicas.
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(r.name) },
      // Crash-looping pods must not block node drains.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

function namespaceSelector(namespace: string): Input.meta.v1.LabelSelector {
  return { matchLabels: { "kubernetes.io/metadata.name": namespace } };
}

/**
 * Ingress only from the edge proxies (for exposed services), listed callers and Prometheus; egress only to other
 * pods of the namespace (each admits only its allowedCallers), the connected data stores and the listed external
 * destinations. DNS comes from the namespace's allow-dns policy.
 */
function networkPolicy(r: ResolvedAppServiceArgs, ctx: PlatformContext): k8s.networking.v1.NetworkPolicyArgs {
  const rules: Input.networking.v1.NetworkPolicyIngressRule[] = [];
  const httpPort = r.port !== undefined ? [{ protocol: "TCP", port: r.port }] : [];
  // The edge proxies reach the HTTP port (with an ingress) and each port a GRPCRoute targets; nothing else.
  const edgePorts = [...(r.ingress ? httpPort : []), ...r.grpcRoutes.map((g) => ({ protocol: "TCP", port: g.port }))];
  if (edgePorts.length > 0) rules.push({ from: [{ namespaceSelector: namespaceSelector(r.networkPolicy.ingressControllerNamespace) }], ports: edgePorts });
  if (r.allowedCallers.length > 0) {
    // Callers reach every port the Service offers them: HTTP and the extra (e.g. gRPC) ports.
    rules.push({
      from: r.allowedCallers.map((caller) => ({ podSelector: { matchLabels: { "app.kubernetes.io/name": caller } } })),
      ports: [...httpPort, ...r.extraPorts.map((e) => ({ protocol: "TCP", port: e.port }))],
    });
  }
  if (r.metrics) {
    rules.push({ from: [{ namespaceSelector: namespaceSelector(r.networkPolicy.monitoringNamespace) }], ports: [{ protocol: "TCP", port: r.metrics.port }] });
  }
  return {
    metadata: { name: kubernetesNames(r.name).workload, namespace: ctx.namespace, labels: standardLabels(ctx, r.name, r.kind) },
    spec: {
      podSelector: { matchLabels: selectorLabels(r.name) },
      policyTypes: ["Ingress", "Egress"],
      ingress: rules,
      egress: egressRules(r),
    },
  };
}

function egressRules(r: ResolvedAppServiceArgs): Input.networking.v1.NetworkPolicyEgressRule[] {
  return [
    DNS_EGRESS,
    { to: [{ podSelector: {} }] },
    ...dataStoreEgress(r.networkPolicy.dataStores),
    ...r.networkPolicy.egress.map((e) => cidrEgress([e.cidr], e.ports)),
  ];
}

function monitor(r: ResolvedAppServiceArgs, ctx: PlatformContext): Pick<KubernetesManifests, "serviceMonitor" | "podMonitor"> {
  if (!r.metrics) return {};
  const metadata = {
    name: kubernetesNames(r.name).workload,
    namespace: ctx.namespace,
    labels: { ...standardLabels(ctx, r.name, r.kind), ...ctx.monitoringLabels },
  };
  const endpoint = { port: r.metrics.portName, path: r.metrics.path, interval: SCRAPE_INTERVAL, scheme: "http" };
  if (hasService(r.kind)) {
    // A ServiceMonitor sets job and service to the Service name, which is the service name.
    return {
      serviceMonitor: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata,
        spec: { selector: { matchLabels: selectorLabels(r.name) }, namespaceSelector: { matchNames: [ctx.namespace] }, endpoints: [endpoint] },
      },
    };
  }
  // Workers have no Service: scrape the pods, and relabel so job/service match what a ServiceMonitor would give.
  return {
    podMonitor: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata,
      spec: {
        selector: { matchLabels: selectorLabels(r.name) },
        namespaceSelector: { matchNames: [ctx.namespace] },
        podMetricsEndpoints: [
          {
            ...endpoint,
            relabelings: [
              { action: "replace", targetLabel: "job", replacement: r.name },
              { action: "replace", targetLabel: "service", replacement: r.name },
            ],
          },
        ],
      },
    },
  };
}

/** Builds every Kubernetes object of one service as plain args. */
export function kubernetesManifests(r: ResolvedAppServiceArgs, ctx: PlatformContext): KubernetesManifests {
  const names = kubernetesNames(r.name);
  const labels = standardLabels(ctx, r.name, r.kind);
  const secretNames = Object.keys(r.secretEnv);
  return {
    serviceAccount: { metadata: { name: names.workload, namespace: ctx.namespace, labels }, automountServiceAccountToken: false },
    ...(secretNames.length > 0
      ? {
          secret: {
            metadata: { name: names.secret, namespace: ctx.namespace, labels },
            type: "Opaque",
            // Each value stays a Pulumi secret: encrypted in state, masked in previews and logs.
            stringData: Object.fromEntries(Object.entries(r.secretEnv).map(([k, v]) => [k, pulumi.secret(v)])),
          },
        }
      : {}),
    deployment: deployment(r, ctx),
    ...(hasService(r.kind) ? { service: service(r, ctx) } : {}),
    ...(r.ingress ? { httpRoute: httpRoute(r, ctx), backendTrafficPolicy: backendTrafficPolicy(r, ctx) } : {}),
    grpcRoutes: grpcRoutes(r, ctx),
    ...(r.autoscaling ? { hpa: hpa(r, ctx) } : {}),
    ...(r.podDisruptionBudget ? { pdb: pdb(r, ctx) } : {}),
    networkPolicy: networkPolicy(r, ctx),
    ...monitor(r, ctx),
    jobs: jobs(r, ctx),
    ...(r.jobs.length > 0 ? { jobsNetworkPolicy: jobsNetworkPolicy(r, ctx) } : {}),
  };
}

/** The registered Kubernetes children of one AppService. */
export interface KubernetesChildren {
  serviceAccount: k8s.core.v1.ServiceAccount;
  secret?: k8s.core.v1.Secret;
  deployment: k8s.apps.v1.Deployment;
  service?: k8s.core.v1.Service;
  httpRoute?: k8s.apiextensions.CustomResource;
  backendTrafficPolicy?: k8s.apiextensions.CustomResource;
  /** GRPCRoutes (and their rate limit policies) by extra port name. */
  grpcRoutes: Record<string, { route: k8s.apiextensions.CustomResource; policy: k8s.apiextensions.CustomResource }>;
  hpa?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  pdb?: k8s.policy.v1.PodDisruptionBudget;
  networkPolicy: k8s.networking.v1.NetworkPolicy;
  serviceMonitor?: k8s.apiextensions.CustomResource;
  podMonitor?: k8s.apiextensions.CustomResource;
  /** One-off Jobs and CronJobs by job name. */
  jobs: Record<string, k8s.batch.v1.Job | k8s.batch.v1.CronJob>;
  jobsNetworkPolicy?: k8s.networking.v1.NetworkPolicy;
}

/** Registers the manifests as children of `parent`, applying per-child transforms. */
export function registerKubernetes(
  parent: pulumi.Resource,
  r: ResolvedAppServiceArgs,
  ctx: PlatformContext,
): KubernetesChildren {
  const m = kubernetesManifests(r, ctx);
  const opts = { parent, ...providerFor(ctx, "kubernetes") };
  const t = <T>(role: string, args: T): T => applyTransform(r.transforms, role, args);
  const child = (role: string) => `${r.name}-${role}`;

  const serviceAccount = new k8s.core.v1.ServiceAccount(child("service-account"), t("serviceAccount", m.serviceAccount), opts);
  const secret = m.secret ? new k8s.core.v1.Secret(child("secret-env"), t("secret", m.secret), opts) : undefined;
  // Pods reference the Secret and service account by name, so order them explicitly.
  const podDeps = [serviceAccount, ...(secret ? [secret] : [])];
  // The job pods' policy first, so a migration never starts without its egress to the database.
  const jobsNetworkPolicy = m.jobsNetworkPolicy
    ? new k8s.networking.v1.NetworkPolicy(child("jobs-network-policy"), t("networkPolicy", m.jobsNetworkPolicy), opts)
    : undefined;
  const jobDeps = [...podDeps, ...(jobsNetworkPolicy ? [jobsNetworkPolicy] : [])];
  const jobs: KubernetesChildren["jobs"] = {};
  const beforeRollout: pulumi.Resource[] = [];
  for (const j of m.jobs) {
    if (j.kind === "CronJob") {
      jobs[j.job.name] = new k8s.batch.v1.CronJob(child(`cron-job-${j.job.name}`), t("cronJob", j.args), { ...opts, dependsOn: jobDeps });
      continue;
    }
    // The provider waits for a Job to complete (or fail), so a Deployment depending on it rolls out only after it.
    const job = new k8s.batch.v1.Job(child(`job-${j.job.name}`), t("job", j.args), {
      ...opts,
      dependsOn: jobDeps,
      customTimeouts: { create: `${j.job.activeDeadlineSeconds + 300}s`, update: `${j.job.activeDeadlineSeconds + 300}s` },
    });
    jobs[j.job.name] = job;
    if (j.job.when === "beforeRollout") beforeRollout.push(job);
  }
  const deployment = new k8s.apps.v1.Deployment(child("deployment"), t("deployment", m.deployment), {
    ...opts,
    dependsOn: [...podDeps, ...beforeRollout],
  });
  const service = m.service ? new k8s.core.v1.Service(child("service"), t("service", m.service), opts) : undefined;
  const httpRoute = m.httpRoute
    ? new k8s.apiextensions.CustomResource(child("http-route"), t("httpRoute", m.httpRoute), { ...opts, dependsOn: service ? [service] : [] })
    : undefined;
  // The policy targets the route by name; created after it so the limits apply from the route's first request.
  const backendTrafficPolicy = m.backendTrafficPolicy && httpRoute
    ? new k8s.apiextensions.CustomResource(child("backend-traffic-policy"), t("backendTrafficPolicy", m.backendTrafficPolicy), { ...opts, dependsOn: [httpRoute] })
    : undefined;
  const grpcRoutes: KubernetesChildren["grpcRoutes"] = {};
  for (const g of m.grpcRoutes) {
    const route = new k8s.apiextensions.CustomResource(child(`grpc-route-${g.portName}`), t("grpcRoute", g.route), { ...opts, dependsOn: service ? [service] : [] });
    const policy = new k8s.apiextensions.CustomResource(child(`grpc-traffic-policy-${g.portName}`), t("backendTrafficPolicy", g.policy), { ...opts, dependsOn: [route] });
    grpcRoutes[g.portName] = { route, policy };
  }
  const hpa = m.hpa ? new k8s.autoscaling.v2.HorizontalPodAutoscaler(child("hpa"), t("hpa", m.hpa), { ...opts, dependsOn: [deployment] }) : undefined;
  const pdb = m.pdb ? new k8s.policy.v1.PodDisruptionBudget(child("pdb"), t("pdb", m.pdb), opts) : undefined;
  const networkPolicy = new k8s.networking.v1.NetworkPolicy(child("network-policy"), t("networkPolicy", m.networkPolicy), opts);
  const serviceMonitor = m.serviceMonitor
    ? new k8s.apiextensions.CustomResource(child("service-monitor"), t("serviceMonitor", m.serviceMonitor), opts)
    : undefined;
  const podMonitor = m.podMonitor
    ? new k8s.apiextensions.CustomResource(child("pod-monitor"), t("podMonitor", m.podMonitor), opts)
    : undefined;
  return { serviceAccount, secret, deployment, service, httpRoute, backendTrafficPolicy, grpcRoutes, hpa, pdb, networkPolicy, serviceMonitor, podMonitor, jobs, jobsNetworkPolicy };
}
