/** Kubernetes helpers shared by the rule modules: pod templates, containers, label selectors. */

/** Type token prefix of every Kubernetes resource (`kubernetes:<group>/<version>:<Kind>`). */
export const K8S = "kubernetes:";

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
export const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
export const JOB = "kubernetes:batch/v1:Job";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
export const POD = "kubernetes:core/v1:Pod";
export const SERVICE = "kubernetes:core/v1:Service";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
export const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
export const GRPC_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute";
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Pod template (metadata + spec) by workload type. */
const TEMPLATE_PATHS: Record<string, (props: any) => any> = {
  [DEPLOYMENT]: (p) => p.spec?.template,
  [STATEFUL_SET]: (p) => p.spec?.template,
  [DAEMON_SET]: (p) => p.spec?.template,
  [JOB]: (p) => p.spec?.template,
  [CRON_JOB]: (p) => p.spec?.jobTemplate?.spec?.template,
  [POD]: (p) => ({ metadata: p.metadata, spec: p.spec }),
};

export const WORKLOAD_TYPES = Object.keys(TEMPLATE_PATHS);
/** Long-running, replicated workloads (a Service may select them; replicas, PDB and HPA apply). */
export const REPLICATED_TYPES = [DEPLOYMENT, STATEFUL_SET];
export const BATCH_TYPES = [JOB, CRON_JOB];

export interface Container {
  name: string;
  init: boolean;
  spec: any;
}

export interface Workload {
  podLabels: Record<string, string>;
  podSpec: any;
  containers: Container[];
  batch: boolean;
}

/** The pod template of a workload, or undefined for other types. */
export function workloadOf(type: string, props: any): Workload | undefined {
  const path = TEMPLATE_PATHS[type];
  if (!path) return undefined;
  const template = path(props) ?? {};
  const podSpec = template.spec ?? {};
  const containers: Container[] = [
    ...(podSpec.initContainers ?? []).map((c: any) => ({ name: c.name, init: true, spec: c })),
    ...(podSpec.containers ?? []).map((c: any) => ({ name: c.name, init: false, spec: c })),
  ];
  return { podLabels: { ...(template.metadata?.labels ?? {}) }, podSpec, containers, batch: BATCH_TYPES.includes(type) };
}

/** `init container "dump"` / `container "app"`: how messages name a container. */
export function containerLabel(c: Container): string {
  return `${c.init ? "init container" : "container"} "${c.name}"`;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Kubernetes label-selector semantics; an empty selector selects everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** A Service's plain `selector` map as a label selector (a Service without selector selects nothing). */
export function serviceSelects(service: any, labels: Record<string, string>): boolean {
  const sel = service.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  return selectorMatches({ matchLabels: sel }, labels);
}

export function namespaceOf(props: any): string | undefined {
  return props.metadata?.namespace ?? props.namespace;
}

export function kindOf(type: string): string {
  return type.split(":").pop() ?? type;
}
