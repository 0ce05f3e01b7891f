/**
 * Kubernetes workloads: Deployments, StatefulSets, DaemonSets, Jobs, CronJob templates and bare Pods, init
 * containers included. What Polaris / kube-score / checkov check, for the objects this library registers.
 */
import { environmentOf, ENVIRONMENTS_PARAM, isPinnedImage } from "./common";
import { PlatformResourcePolicy, resourceCheck, ResourceCheck, Subject } from "./framework";
import { literalSecretProblem } from "./secret-names";
import {
  Container,
  containerLabel,
  CONFIG_MAP,
  CRON_JOB,
  DAEMON_SET,
  HELM_RELEASE,
  JOB,
  K8S,
  NAMESPACE,
  POD,
  REPLICATED_TYPES,
  SERVICE,
  Workload,
  workloadOf,
  WORKLOAD_TYPES,
} from "./k8s";

/** A check over each container of a workload (init containers included unless `mainOnly`). */
function containerCheck<C>(
  meta: Omit<ResourceCheck<C>, "validate" | "types">,
  problem: (c: Container, w: Workload, config: C, r: Subject) => string | undefined,
  options: { mainOnly?: boolean; skipBatch?: boolean; onlyBatch?: boolean } = {},
): PlatformResourcePolicy {
  return resourceCheck<C>({
    ...meta,
    types: WORKLOAD_TYPES,
    validate: (r, config) => {
      const w = workloadOf(r.type, r.props)!;
      if (options.skipBatch && w.batch) return [];
      if (options.onlyBatch && !w.batch) return [];
      return w.containers
        .filter((c) => !(options.mainOnly && c.init))
        .map((c) => problem(c, w, config, r))
        .filter((p): p is string => p !== undefined);
    },
  });
}

/** A check over the pod spec of a workload. */
function podCheck<C>(meta: Omit<ResourceCheck<C>, "validate" | "types">, problems: (w: Workload, config: C, r: Subject) => string[]): PlatformResourcePolicy {
  return resourceCheck<C>({ ...meta, types: WORKLOAD_TYPES, validate: (r, config) => problems(workloadOf(r.type, r.props)!, config, r) });
}

const sc = (c: Container) => c.spec.securityContext ?? {};

/**
 * Node agents: DaemonSets that exist to read the node's own files. The log shipper (components/log-pipeline) tails
 * /var/log/containers, whose files are root-owned 0640, and keeps its read positions on the node; it runs as UID 0
 * with every capability dropped, no escalation and a read-only root. Only DaemonSets carrying one of these
 * component labels may mount hostPath volumes and run as UID 0; every other check still applies to them.
 */
const NODE_AGENT_PARAM = {
  nodeAgentComponents: {
    type: "array" as const,
    items: { type: "string" as const },
    default: ["log-shipper"],
    description: "app.kubernetes.io/component values of node-agent DaemonSets (the log shipper) that may mount hostPath volumes and run as UID 0.",
  },
};

function isNodeAgent(r: Subject, w: Workload, components: string[]): boolean {
  return r.type === DAEMON_SET && components.includes(w.podLabels["app.kubernetes.io/component"] ?? r.props.metadata?.labels?.["app.kubernetes.io/component"]);
}

export const imagePinned = containerCheck(
  {
    name: "k8s-image-pinned",
    description: "Container images are pinned by tag or digest; 'latest' or untagged images cannot be rolled back to.",
    severity: "high",
    remediation: "Set the image to an immutable version tag (app:1.4.2) or a digest (app@sha256:...).",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => (isPinnedImage(c.spec.image) ? undefined : `${containerLabel(c)} image "${c.spec.image}" is not pinned by tag or digest`),
);

export const requests = containerCheck(
  {
    name: "k8s-resource-requests",
    description: "Every container requests CPU and memory, so the scheduler places it on a node with room.",
    severity: "medium",
    remediation: "Set resources.requests.cpu and resources.requests.memory (AppService: the resources key or the profile).",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => {
    const r = c.spec.resources?.requests ?? {};
    const missing = ["cpu", "memory"].filter((k) => !r[k]);
    return missing.length ? `${containerLabel(c)} has no ${missing.join("/")} request` : undefined;
  },
);

export const memoryLimit = containerCheck(
  {
    name: "k8s-memory-limit",
    description: "Every container has a memory limit, so a leak kills the container instead of starving the node.",
    severity: "high",
    remediation: "Set resources.limits.memory.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => (c.spec.resources?.limits?.memory ? undefined : `${containerLabel(c)} has no memory limit`),
);

export const ephemeralStorage = podCheck(
  {
    name: "k8s-ephemeral-storage-bounded",
    description: "Scratch space is bounded: every disk-backed emptyDir has a sizeLimit (or every container an ephemeral-storage limit), so a large write cannot fill the node's disk and evict its neighbours.",
    severity: "medium",
    remediation: "Give each emptyDir a sizeLimit, or set resources.limits.ephemeral-storage on every container.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (w) => {
    const allLimited = w.containers.length > 0 && w.containers.every((c) => c.spec.resources?.limits?.["ephemeral-storage"]);
    if (allLimited) return [];
    return (w.podSpec.volumes ?? [])
      .filter((v: any) => v.emptyDir && v.emptyDir.medium !== "Memory" && !v.emptyDir.sizeLimit)
      .map((v: any) => `emptyDir volume "${v.name}" has no sizeLimit and not every container limits ephemeral-storage`);
  },
);

export const livenessProbe = containerCheck(
  {
    name: "k8s-liveness-probe",
    description: "Long-running containers have a liveness probe, so a hung process is restarted.",
    severity: "medium",
    remediation: "Add a livenessProbe (AppService: health.livenessPath, or an exec/heartbeat probe for workers).",
    enforcementLevel: "advisory",
    category: "kubernetes-workload",
  },
  (c) => (c.spec.livenessProbe ? undefined : `${containerLabel(c)} has no liveness probe`),
  { mainOnly: true, skipBatch: true },
);

export const probesDistinct = containerCheck(
  {
    name: "k8s-probes-distinct",
    description: "Liveness and readiness probes differ: an identical pair restarts pods that are merely busy instead of taking them out of rotation.",
    severity: "medium",
    remediation: "Point liveness at a cheap 'process is alive' endpoint and readiness at a 'can serve' endpoint (dependencies checked).",
    enforcementLevel: "advisory",
    category: "kubernetes-workload",
  },
  (c) => {
    const { livenessProbe: l, readinessProbe: r } = c.spec;
    if (!l || !r) return undefined;
    const action = (p: any) => JSON.stringify({ httpGet: p.httpGet, tcpSocket: p.tcpSocket, exec: p.exec, grpc: p.grpc });
    return action(l) === action(r) ? `${containerLabel(c)} uses the same check for liveness and readiness` : undefined;
  },
  { mainOnly: true },
);

export const noProbesInJobs = containerCheck(
  {
    name: "k8s-no-probes-in-jobs",
    description: "Job and CronJob containers have no readiness or liveness probes: nothing routes to them and a probe only kills a long dump.",
    severity: "low",
    remediation: "Remove the probes from the job's containers; bound the run with activeDeadlineSeconds instead.",
    enforcementLevel: "advisory",
    category: "kubernetes-workload",
  },
  (c) => {
    const probes = ["livenessProbe", "readinessProbe", "startupProbe"].filter((p) => c.spec[p]);
    return probes.length ? `${containerLabel(c)} of a job has ${probes.join(", ")}` : undefined;
  },
  { onlyBatch: true },
);

export const runAsNonRoot = containerCheck<{ nodeAgentComponents: string[] }>(
  {
    name: "k8s-run-as-non-root",
    description: "Containers run as a non-root user (runAsNonRoot: true, never UID 0); only listed node agents may run as UID 0.",
    severity: "high",
    remediation: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod or the container.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
    config: { ...NODE_AGENT_PARAM },
  },
  (c, w, config, r) => {
    if (isNodeAgent(r, w, config.nodeAgentComponents)) return undefined;
    const pod = w.podSpec.securityContext ?? {};
    const uid = sc(c).runAsUser ?? pod.runAsUser;
    if (uid === 0) return `${containerLabel(c)} runs as UID 0`;
    return sc(c).runAsNonRoot === true || (pod.runAsNonRoot === true && sc(c).runAsNonRoot !== false)
      ? undefined
      : `${containerLabel(c)} does not set runAsNonRoot: true`;
  },
);

export const notPrivileged = containerCheck(
  {
    name: "k8s-no-privileged",
    description: "No container runs privileged (full access to the host's devices and kernel).",
    severity: "critical",
    remediation: "Remove securityContext.privileged or set it to false.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => (sc(c).privileged === true ? `${containerLabel(c)} is privileged` : undefined),
);

export const noPrivilegeEscalation = containerCheck(
  {
    name: "k8s-no-privilege-escalation",
    description: "Containers set allowPrivilegeEscalation: false, so setuid binaries cannot gain privileges.",
    severity: "high",
    remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => (sc(c).allowPrivilegeEscalation === false ? undefined : `${containerLabel(c)} does not set allowPrivilegeEscalation: false`),
);

export const capabilitiesDropped = containerCheck<{ allowedAdd: string[] }>(
  {
    name: "k8s-capabilities-dropped",
    description: "Containers drop ALL Linux capabilities and add back at most the allowed ones.",
    severity: "high",
    remediation: 'Set securityContext.capabilities.drop: ["ALL"]; add back only what the process needs (NET_BIND_SERVICE).',
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
    config: {
      allowedAdd: { type: "array", items: { type: "string" }, default: ["NET_BIND_SERVICE"], description: "Capabilities a container may add back." },
    },
  },
  (c, _w, config) => {
    const caps = sc(c).capabilities ?? {};
    if (!(caps.drop ?? []).includes("ALL")) return `${containerLabel(c)} does not drop ALL capabilities`;
    const extra = (caps.add ?? []).filter((a: string) => !config.allowedAdd.includes(a));
    return extra.length ? `${containerLabel(c)} adds capabilities ${extra.join(", ")}` : undefined;
  },
);

export const readOnlyRootFs = containerCheck(
  {
    name: "k8s-read-only-root-filesystem",
    description: "Containers mount their root filesystem read-only; writable paths are explicit volumes.",
    severity: "medium",
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir (with sizeLimit) where the process writes.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => (sc(c).readOnlyRootFilesystem === true ? undefined : `${containerLabel(c)} has a writable root filesystem`),
);

export const seccomp = containerCheck(
  {
    name: "k8s-seccomp-runtime-default",
    description: "Containers run under the RuntimeDefault (or a Localhost) seccomp profile, never Unconfined.",
    severity: "medium",
    remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c, w) => {
    const type = sc(c).seccompProfile?.type ?? w.podSpec.securityContext?.seccompProfile?.type;
    return type === "RuntimeDefault" || type === "Localhost" ? undefined : `${containerLabel(c)} has seccomp profile ${type ?? "unset"}`;
  },
);

export const noHostNamespaces = podCheck(
  {
    name: "k8s-no-host-namespaces",
    description: "Pods do not share the host's network, PID or IPC namespace.",
    severity: "critical",
    remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (w) => ["hostNetwork", "hostPID", "hostIPC"].filter((k) => w.podSpec[k] === true).map((k) => `pod sets ${k}: true`),
);

export const noHostPath = podCheck<{ nodeAgentComponents: string[] }>(
  {
    name: "k8s-no-host-path",
    description: "Pods mount no hostPath volumes (the node's filesystem); only listed node agents may.",
    severity: "high",
    remediation: "Use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
    config: { ...NODE_AGENT_PARAM },
  },
  (w, config, r) =>
    isNodeAgent(r, w, config.nodeAgentComponents)
      ? []
      : (w.podSpec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => `volume "${v.name}" mounts host path ${v.hostPath.path}`),
);

export const noHostPorts = containerCheck(
  {
    name: "k8s-no-host-ports",
    description: "Containers bind no host ports; traffic reaches them through Services.",
    severity: "medium",
    remediation: "Remove ports[].hostPort and expose the port through a Service.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => {
    const host = (c.spec.ports ?? []).filter((p: any) => p.hostPort).map((p: any) => p.hostPort);
    return host.length ? `${containerLabel(c)} binds host port(s) ${host.join(", ")}` : undefined;
  },
);

export const serviceAccountToken = podCheck<{ allowedServiceAccounts: string[] }>(
  {
    name: "k8s-service-account-token",
    description: "Pods mount a service-account token only when they call the Kubernetes API (listed service accounts).",
    severity: "medium",
    remediation: "Set automountServiceAccountToken: false on the pod, or list its service account in this policy's allowedServiceAccounts.",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
    config: {
      // The log shipper's kubernetes filter reads pod metadata from the API (RBAC get/list/watch on pods and namespaces).
      allowedServiceAccounts: { type: "array", items: { type: "string" }, default: ["logging-fluent-bit"], description: "Service accounts whose pods may mount an API token (the log shipper's, which reads pod metadata)." },
    },
  },
  (w, config) => {
    const account = w.podSpec.serviceAccountName ?? "default";
    if (w.podSpec.automountServiceAccountToken === false || config.allowedServiceAccounts.includes(account)) return [];
    return [`pod mounts a token of service account "${account}" (automountServiceAccountToken is not false)`];
  },
);

export const noSecretEnv = containerCheck(
  {
    name: "k8s-no-secret-env-literals",
    description: "Credentials reach containers through secretKeyRef, never as literal env values (they would sit in the manifest, the state and `kubectl describe`). A credential is a URL with a password, or a value under a credential name (PASSWORD, SECRET, API_KEY, TOKEN, *AUTH...) unless the name ends in a setting word (_MINUTES, _TTL, _URL, _ENABLED, _NAME...) or, for TOKEN/AUTH names, the value is a number, boolean or URL without userinfo.",
    severity: "critical",
    remediation: "Move the value into a Secret and reference it with env[].valueFrom.secretKeyRef (AppService: secretEnv).",
    enforcementLevel: "mandatory",
    category: "kubernetes-workload",
  },
  (c) => {
    const found = (c.spec.env ?? []).map((e: any) => literalSecretProblem(e.name, e.value)).filter(Boolean);
    return found.length ? `${containerLabel(c)} env ${found.join("; ")}` : undefined;
  },
);

export const noSecretConfigMap = resourceCheck({
  name: "k8s-no-secrets-in-configmaps",
  description: "ConfigMaps hold no credentials (URLs with passwords, or values under credential names; judged like k8s-no-secret-env-literals).",
  severity: "critical",
  remediation: "Store credentials in a Secret (or the cloud's secret store) and mount that instead.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [CONFIG_MAP],
  validate: (r) =>
    Object.entries(r.props.data ?? {})
      .map(([k, v]) => literalSecretProblem(k, v))
      .filter((p): p is string => p !== undefined)
      .map((p) => `ConfigMap key ${p}`),
});

/** Replicated workloads whose component label says they are meant to run once. */
const SINGLETON_PARAM = {
  singletonComponents: {
    type: "array" as const,
    items: { type: "string" as const },
    // trace-collector: tail sampling needs every span of a trace in one collector; trace-store (Jaeger on
    // Badger) and log-store (single-binary Loki) keep their data on one volume.
    default: ["singleton", "metrics-exporter", "trace-collector", "trace-store", "log-store"],
    description: "app.kubernetes.io/component values of workloads that run one replica by design (exempt from replica minimums): singleton services, exporters, the tail-sampling trace collector, Jaeger and Loki.",
  },
};

function isSingleton(props: any, components: string[]): boolean {
  return components.includes(props.metadata?.labels?.["app.kubernetes.io/component"]);
}

export const minReplicas = resourceCheck<{ minReplicas: number; singletonComponents: string[]; environments: string[] }>({
  name: "k8s-min-replicas",
  description: "Replicated workloads run enough replicas to survive a node loss (or leave replicas to an HPA).",
  severity: "high",
  remediation: "Raise spec.replicas (or enable autoscaling, which manages replicas); mark true singletons with app.kubernetes.io/component: singleton.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: REPLICATED_TYPES,
  config: {
    minReplicas: { type: "integer", minimum: 1, default: 2, description: "Minimum spec.replicas." },
    ...SINGLETON_PARAM,
    ...ENVIRONMENTS_PARAM,
  },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props)) || isSingleton(r.props, config.singletonComponents)) return [];
    const replicas = r.props.spec?.replicas;
    if (replicas === undefined) return []; // HPA-managed (k8s-hpa-no-fixed-replicas checks the pairing)
    return replicas < config.minReplicas ? [`spec.replicas is ${replicas}; at least ${config.minReplicas} required`] : [];
  },
});

export const zoneSpread = resourceCheck<{ topologyKey: string; singletonComponents: string[]; environments: string[] }>({
  name: "k8s-zone-spread",
  description: "Replicated workloads spread their pods across zones (topologySpreadConstraints or pod anti-affinity on the zone key).",
  severity: "medium",
  remediation: "Add a topologySpreadConstraint on topology.kubernetes.io/zone (AppService: zoneSpread).",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: REPLICATED_TYPES,
  config: {
    topologyKey: { type: "string", default: "topology.kubernetes.io/zone", description: "Node label that names the zone." },
    ...SINGLETON_PARAM,
    ...ENVIRONMENTS_PARAM,
  },
  validate: (r, config) => {
    if (!config.environments.includes(environmentOf(r.urn, r.props)) || isSingleton(r.props, config.singletonComponents)) return [];
    if (r.props.spec?.replicas === 1) return [];
    const spec = r.props.spec?.template?.spec ?? {};
    const spread = (spec.topologySpreadConstraints ?? []).some((t: any) => t.topologyKey === config.topologyKey);
    const anti = [
      ...(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p: any) => p.podAffinityTerm),
    ].some((t: any) => t?.topologyKey === config.topologyKey);
    return spread || anti ? [] : [`pods are not spread across ${config.topologyKey}`];
  },
});

export const noBarePods = resourceCheck({
  name: "k8s-no-bare-pods",
  description: "No bare Pods: a controller (Deployment, StatefulSet, Job) recreates pods lost with their node.",
  severity: "medium",
  remediation: "Wrap the pod template in a Deployment (long-running) or a Job (run to completion).",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [POD],
  validate: () => ["bare Pod: nothing recreates it when its node goes away"],
});

export const cronJobConcurrency = resourceCheck({
  name: "k8s-cronjob-concurrency",
  description: "CronJobs forbid (or replace) overlapping runs and give up on runs that could not start in time.",
  severity: "medium",
  remediation: "Set spec.concurrencyPolicy: Forbid and spec.startingDeadlineSeconds.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [CRON_JOB],
  validate: (r) => {
    const spec = r.props.spec ?? {};
    const out: string[] = [];
    if (spec.concurrencyPolicy !== "Forbid" && spec.concurrencyPolicy !== "Replace") out.push(`concurrencyPolicy is ${spec.concurrencyPolicy ?? "Allow (default)"}; runs may overlap`);
    if (spec.startingDeadlineSeconds === undefined) out.push("no startingDeadlineSeconds: missed runs start late in a burst");
    return out;
  },
});

export const jobBounded = resourceCheck<{ maxBackoffLimit: number }>({
  name: "k8s-job-bounded",
  description: "Jobs (and CronJob job templates) have a deadline and a bounded retry count.",
  severity: "medium",
  remediation: "Set activeDeadlineSeconds and a small backoffLimit on the job spec.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [JOB, CRON_JOB],
  config: { maxBackoffLimit: { type: "integer", minimum: 0, default: 6, description: "Largest backoffLimit allowed." } },
  validate: (r, config) => {
    const spec = r.type === CRON_JOB ? r.props.spec?.jobTemplate?.spec ?? {} : r.props.spec ?? {};
    const out: string[] = [];
    if (spec.activeDeadlineSeconds === undefined) out.push("job has no activeDeadlineSeconds: a hung run never ends");
    const backoff = spec.backoffLimit ?? 6;
    if (backoff > config.maxBackoffLimit) out.push(`backoffLimit ${backoff} is above ${config.maxBackoffLimit}`);
    return out;
  },
});

export const jobCleanup = resourceCheck<{ maxHistory: number }>({
  name: "k8s-job-cleanup",
  description: "Finished jobs are cleaned up: ttlSecondsAfterFinished on Jobs, bounded history on CronJobs.",
  severity: "low",
  remediation: "Set ttlSecondsAfterFinished on the job spec and successfulJobsHistoryLimit/failedJobsHistoryLimit on CronJobs.",
  enforcementLevel: "advisory",
  category: "kubernetes-workload",
  types: [JOB, CRON_JOB],
  config: { maxHistory: { type: "integer", minimum: 0, default: 3, description: "Largest CronJob history limit allowed." } },
  validate: (r, config) => {
    const out: string[] = [];
    const jobSpec = r.type === CRON_JOB ? r.props.spec?.jobTemplate?.spec ?? {} : r.props.spec ?? {};
    if (jobSpec.ttlSecondsAfterFinished === undefined) out.push("job has no ttlSecondsAfterFinished");
    if (r.type === CRON_JOB) {
      for (const key of ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
        const v = r.props.spec?.[key] ?? (key.startsWith("s") ? 3 : 1);
        if (v > config.maxHistory) out.push(`${key} ${v} is above ${config.maxHistory}`);
      }
    }
    return out;
  },
});

const RECOMMENDED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of"];

export const recommendedLabels = resourceCheck<{ labels: string[] }>({
  name: "k8s-recommended-labels",
  description: "Workloads and their Services carry the Kubernetes recommended labels, so dashboards, alerts and cost reports can group them.",
  severity: "low",
  remediation: "Add the app.kubernetes.io/* labels (the library's labels helper sets them).",
  enforcementLevel: "advisory",
  category: "kubernetes-workload",
  types: [...WORKLOAD_TYPES, SERVICE],
  config: { labels: { type: "array", items: { type: "string" }, default: RECOMMENDED_LABELS, description: "Labels every workload and Service must carry." } },
  validate: (r, config) => {
    const labels = r.props.metadata?.labels ?? {};
    const missing = config.labels.filter((l) => !labels[l]);
    return missing.length ? [`missing label(s) ${missing.join(", ")}`] : [];
  },
});

/** Kinds that live outside namespaces (no metadata.namespace expected). */
const CLUSTER_SCOPED = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "CustomResourceDefinition", "StorageClass", "PersistentVolume",
  "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "IngressClass", "GatewayClass", "Node", "RuntimeClass",
]);

export const noDefaultNamespace = resourceCheck({
  name: "k8s-no-default-namespace",
  description: "Namespaced objects never land in the `default` namespace (no Pod Security labels, shared by everyone).",
  severity: "medium",
  remediation: "Set metadata.namespace to the platform namespace (or use the stack's namespaced provider).",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  validate: (r) => {
    if (!r.type.startsWith(K8S) || r.type.startsWith("kubernetes:helm.sh") || r.type.startsWith("kubernetes:yaml")) {
      if (r.type === HELM_RELEASE && r.props.namespace === "default") return ['Helm release installs into namespace "default"'];
      return [];
    }
    const kind = r.type.split(":").pop()!;
    if (CLUSTER_SCOPED.has(kind)) return [];
    return r.props.metadata?.namespace === "default" ? [`${kind} is in namespace "default"`] : [];
  },
});

/** API versions removed or deprecated upstream (type token group/version → replacement). */
const DEPRECATED_APIS: Record<string, string> = {
  "extensions/v1beta1": "apps/v1 or networking.k8s.io/v1",
  "apps/v1beta1": "apps/v1",
  "apps/v1beta2": "apps/v1",
  "batch/v1beta1": "batch/v1",
  "policy/v1beta1": "policy/v1",
  "autoscaling/v2beta1": "autoscaling/v2",
  "autoscaling/v2beta2": "autoscaling/v2",
  "networking.k8s.io/v1beta1": "networking.k8s.io/v1",
  "rbac.authorization.k8s.io/v1beta1": "rbac.authorization.k8s.io/v1",
  "storage.k8s.io/v1beta1": "storage.k8s.io/v1",
  "apiextensions.k8s.io/v1beta1": "apiextensions.k8s.io/v1",
  "admissionregistration.k8s.io/v1beta1": "admissionregistration.k8s.io/v1",
  "flowcontrol.apiserver.k8s.io/v1beta1": "flowcontrol.apiserver.k8s.io/v1",
  "flowcontrol.apiserver.k8s.io/v1beta2": "flowcontrol.apiserver.k8s.io/v1",
  "flowcontrol.apiserver.k8s.io/v1beta3": "flowcontrol.apiserver.k8s.io/v1",
  "discovery.k8s.io/v1beta1": "discovery.k8s.io/v1",
  "gateway.networking.k8s.io/v1beta1": "gateway.networking.k8s.io/v1",
};

export const noDeprecatedApis = resourceCheck({
  name: "k8s-no-deprecated-api",
  description: "Objects use current API versions, not ones deprecated or removed upstream.",
  severity: "high",
  remediation: "Switch to the replacement API version named in the message.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  validate: (r) => {
    const m = /^kubernetes:([^:]+):(.+)$/.exec(r.type);
    if (!m) return [];
    const replacement = DEPRECATED_APIS[m[1]] ?? (m[1] === "core/v1" && m[2] === "ComponentStatus" ? "none" : undefined);
    return replacement ? [`${m[2]} uses deprecated API ${m[1]}; use ${replacement}`] : [];
  },
});

export const namespacePodSecurity = resourceCheck<{ privilegedNamespaces: string[] }>({
  name: "k8s-namespace-pod-security",
  description: "Namespaces enforce a Pod Security Standard (restricted, or baseline); only listed system namespaces may be privileged.",
  severity: "high",
  remediation: 'Label the namespace pod-security.kubernetes.io/enforce: restricted (or list it in privilegedNamespaces with a reason).',
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [NAMESPACE],
  config: {
    privilegedNamespaces: {
      type: "array",
      items: { type: "string" },
      default: ["monitoring", "logging"],
      description: "Namespaces that may enforce `privileged` (node-exporter in the monitoring namespace and the log shipper in the logging namespace read the host).",
    },
  },
  validate: (r, config) => {
    const name = r.props.metadata?.name ?? r.name;
    const level = r.props.metadata?.labels?.["pod-security.kubernetes.io/enforce"];
    if (level === "restricted" || level === "baseline") return [];
    if (level === "privileged" && config.privilegedNamespaces.includes(name)) return [];
    return [`namespace "${name}" enforces ${level ?? "no"} Pod Security level`];
  },
});

export const noExternalIps = resourceCheck({
  name: "k8s-service-no-external-ips",
  description: "Services set no externalIPs (CVE-2020-8554: any namespace could intercept traffic to those addresses).",
  severity: "high",
  remediation: "Remove spec.externalIPs; expose through the edge (Ingress/Gateway) instead.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [SERVICE],
  validate: (r) => ((r.props.spec?.externalIPs ?? []).length ? [`Service sets externalIPs ${r.props.spec.externalIPs.join(", ")}`] : []),
});

const EXACT_VERSION = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;

export const helmChartPinned = resourceCheck({
  name: "helm-chart-pinned",
  description: "Helm releases pin an exact chart version, so a preview shows exactly what will change.",
  severity: "high",
  remediation: "Set version to an exact chart version (1.19.1), not a range or nothing.",
  enforcementLevel: "mandatory",
  category: "kubernetes-workload",
  types: [HELM_RELEASE, "kubernetes:helm.sh/v4:Chart"],
  validate: (r) => (EXACT_VERSION.test(r.props.version ?? "") ? [] : [`chart "${r.props.chart}" version ${JSON.stringify(r.props.version ?? null)} is not an exact version`]),
});

export const workloadPolicies = [
  imagePinned,
  requests,
  memoryLimit,
  ephemeralStorage,
  livenessProbe,
  probesDistinct,
  noProbesInJobs,
  runAsNonRoot,
  notPrivileged,
  noPrivilegeEscalation,
  capabilitiesDropped,
  readOnlyRootFs,
  seccomp,
  noHostNamespaces,
  noHostPath,
  noHostPorts,
  serviceAccountToken,
  noSecretEnv,
  noSecretConfigMap,
  minReplicas,
  zoneSpread,
  noBarePods,
  cronJobConcurrency,
  jobBounded,
  jobCleanup,
  recommendedLabels,
  noDefaultNamespace,
  noDeprecatedApis,
  namespacePodSecurity,
  noExternalIps,
  helmChartPinned,
];
