import { ENVOY_PROXY_RESOURCES } from "../components/foundation/gateway-manifests";
import { NODE_INSTANCE_TYPES, type ClusterArgs } from "../components/foundation/args";
import {
  CLUSTER_AUTOSCALER_RESOURCES, LOAD_BALANCER_CONTROLLER_REPLICAS, LOAD_BALANCER_CONTROLLER_RESOURCES,
} from "../components/foundation/aws/controllers-policy";
import type { AppServiceArgs } from "../components/app-service";
import { cpuMillis, memoryBytes } from "../components/lib/validation";

/**
 * Plan-time node capacity check: do the services' requests at their minimum replicas, their Jobs and CronJobs,
 * plus what the platform itself runs, fit into the node pool at its maximum size? Pending pods are the failure it prevents: the
 * playbooks' Potato Chat system requests 7.35 vCPU and would not fit 3 x t3.large (5.19 vCPU left to pods).
 *
 * Every figure is documented here and in the README; all requests, no limits (the scheduler places by requests).
 */

/** vCPU and memory of each instance type the node sizes map to (the clouds' published shapes). */
export const INSTANCE_SHAPES: Record<string, { vcpu: number; memoryGiB: number }> = {
  "t3.medium": { vcpu: 2, memoryGiB: 4 },
  "t3.large": { vcpu: 2, memoryGiB: 8 },
  "m5.xlarge": { vcpu: 4, memoryGiB: 16 },
  "ecs.g7.large": { vcpu: 2, memoryGiB: 8 },
  "ecs.g7.xlarge": { vcpu: 4, memoryGiB: 16 },
  "ecs.g7.2xlarge": { vcpu: 8, memoryGiB: 32 },
};

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/**
 * What the kubelet leaves to pods on one node: capacity minus the system/kube reservation and the eviction
 * threshold, by the tiered formula GKE and AKS publish (EKS and ACK reserve amounts of the same order):
 * CPU 6 % of the first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above; memory 25 % of the first 4 GiB,
 * 20 % of the next 4, 10 % of the next 8, 6 % of the next 112, plus 100 MiB eviction threshold.
 */
export function allocatable(shape: { vcpu: number; memoryGiB: number }): { cpuMillis: number; memoryBytes: number } {
  const cores = shape.vcpu;
  const reservedCpu = 1000 * (0.06 * Math.min(cores, 1) + 0.01 * clamp(cores - 1, 0, 1) + 0.005 * clamp(cores - 2, 0, 2) + 0.0025 * Math.max(cores - 4, 0));
  const m = shape.memoryGiB;
  const reservedMem = GiB * (0.25 * Math.min(m, 4) + 0.2 * clamp(m - 4, 0, 4) + 0.1 * clamp(m - 8, 0, 8) + 0.06 * clamp(m - 16, 0, 112)) + 100 * MiB;
  return { cpuMillis: cores * 1000 - reservedCpu, memoryBytes: m * GiB - reservedMem };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** DaemonSet pods on every node: kube-proxy 100m/64Mi, CNI (aws-node / Terway) 25m/64Mi, node-exporter 50m/64Mi, CSI node plugin 25m/64Mi. */
export const PER_NODE_OVERHEAD = { cpuMillis: 200, memoryBytes: 256 * MiB };

/**
 * Cluster-wide system pods, at their requests: CoreDNS 2 x 100m/70Mi; monitoring (Prometheus Operator
 * 100m/128Mi, Prometheus 500m/2Gi and Alertmanager 50m/64Mi per replica, Grafana 100m/256Mi,
 * kube-state-metrics 50m/128Mi, as components/alerting-stack/kubernetes.ts sets them); the edge (Envoy Gateway
 * controller 100m/256Mi per replica, Envoy proxies per Gateway and replica as gateway-manifests.ts sets them,
 * cert-manager 50m/128Mi); the node autoscaler 100m/600Mi (the EKS Cluster Autoscaler's requests; counted on ACK
 * too); on EKS the AWS Load Balancer Controller, 2 x 100m/128Mi (components/foundation/aws/controllers-policy.ts).
 */
export function systemOverhead(input: { monitoringReplicas: number; proxyReplicas: number; gateways: number; edge: boolean; cloud?: "aws" | "alicloud" }): { cpuMillis: number; memoryBytes: number } {
  const autoscaler = CLUSTER_AUTOSCALER_RESOURCES.requests;
  let cpu = 2 * 100 + 100 + input.monitoringReplicas * (500 + 50) + 100 + 50 + cpuMillis(autoscaler.cpu);
  let mem = 2 * 70 * MiB + 128 * MiB + input.monitoringReplicas * (2 * GiB + 64 * MiB) + 256 * MiB + 128 * MiB + memoryBytes(autoscaler.memory);
  if (input.edge) {
    const controllers = input.proxyReplicas > 1 ? 2 : 1;
    cpu += controllers * 100 + input.gateways * input.proxyReplicas * cpuMillis(ENVOY_PROXY_RESOURCES.requests.cpu) + 50;
    mem += controllers * 256 * MiB + input.gateways * input.proxyReplicas * memoryBytes(ENVOY_PROXY_RESOURCES.requests.memory) + 128 * MiB;
  }
  if (input.cloud === "aws") {
    cpu += LOAD_BALANCER_CONTROLLER_REPLICAS * cpuMillis(LOAD_BALANCER_CONTROLLER_RESOURCES.requests.cpu);
    mem += LOAD_BALANCER_CONTROLLER_REPLICAS * memoryBytes(LOAD_BALANCER_CONTROLLER_RESOURCES.requests.memory);
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

/** AppService's default requests (components/app-service/args.ts `resources`). */
const DEFAULT_REQUESTS = { cpu: "250m", memory: "512Mi" };

/** Requests of the services at their minimum replicas (the HPA minimum, the fixed count, or 1). */
export function serviceRequests(services: ReadonlyArray<{ args: AppServiceArgs }>): { cpuMillis: number; memoryBytes: number } {
  let cpu = 0;
  let mem = 0;
  for (const { args } of services) {
    const replicas = args.kind === "singleton" ? 1 : (args.autoscaling?.min ?? args.replicas ?? 1);
    const requests = args.resources?.requests ?? DEFAULT_REQUESTS;
    cpu += replicas * cpuMillis(requests.cpu);
    mem += replicas * memoryBytes(requests.memory);
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

/**
 * Pods of the services' `jobs` that can run at the same time, at the service's requests (job pods run with the
 * service's resources, one pod per run): a CronJob's `concurrencyPolicy: Forbid` bounds it to one running Job, and
 * every one-off Job runs during a rollout beside the service's pods (a `beforeRollout` Job before the surge pod,
 * a `withRollout` Job with it), so each counts once. All of them are assumed to coincide: schedules overlap and a
 * deploy starts every service's Jobs together.
 */
export function jobRequests(services: ReadonlyArray<{ args: AppServiceArgs }>): { cpuMillis: number; memoryBytes: number; pods: number } {
  let cpu = 0;
  let mem = 0;
  let pods = 0;
  for (const { args } of services) {
    const count = args.jobs?.length ?? 0;
    if (count === 0) continue;
    const requests = args.resources?.requests ?? DEFAULT_REQUESTS;
    pods += count;
    cpu += count * cpuMillis(requests.cpu);
    mem += count * memoryBytes(requests.memory);
  }
  return { cpuMillis: cpu, memoryBytes: mem, pods };
}

export interface CapacityInput {
  cloud: "aws" | "alicloud";
  cluster: Pick<ClusterArgs, "nodeSize" | "nodes">;
  services: ReadonlyArray<{ args: AppServiceArgs }>;
  monitoringReplicas: number;
  /** Edge installed (proxy replicas per Gateway and number of Gateways), or undefined. */
  edge?: { proxyReplicas: number; gateways: number };
}

const vcpu = (m: number) => (m / 1000).toFixed(2);
const gib = (b: number) => (b / GiB).toFixed(1);

/**
 * Problems (key path relative to `platform:`, value, message) when the load cannot fit the node pool at its
 * maximum size, the most nodes the autoscaler may add (`cluster.nodes.max` is the EKS node group's and the ACK
 * node pool's max); [] when it fits.
 */
export function capacityProblems(input: CapacityInput): Array<{ path: string; value: unknown; allowed: string }> {
  const type = NODE_INSTANCE_TYPES[input.cloud][input.cluster.nodeSize];
  const shape = INSTANCE_SHAPES[type];
  if (!shape) return [];
  const perNode = allocatable(shape);
  const max = input.cluster.nodes.max;
  const pool = {
    cpuMillis: max * (perNode.cpuMillis - PER_NODE_OVERHEAD.cpuMillis),
    memoryBytes: max * (perNode.memoryBytes - PER_NODE_OVERHEAD.memoryBytes),
  };
  const services = serviceRequests(input.services);
  const system = systemOverhead({
    monitoringReplicas: input.monitoringReplicas,
    proxyReplicas: input.edge?.proxyReplicas ?? 0,
    gateways: input.edge?.gateways ?? 0,
    edge: input.edge !== undefined,
    cloud: input.cloud,
  });
  const jobs = jobRequests(input.services);
  const need = {
    cpuMillis: services.cpuMillis + jobs.cpuMillis + system.cpuMillis,
    memoryBytes: services.memoryBytes + jobs.memoryBytes + system.memoryBytes,
  };
  // Named only when there are job pods, so the common message stays short.
  const jobsCpu = jobs.pods > 0 ? ` + ${jobs.pods} job pod${jobs.pods > 1 ? "s" : ""} ${vcpu(jobs.cpuMillis)}` : "";
  const jobsMem = jobs.pods > 0 ? ` + ${jobs.pods} job pod${jobs.pods > 1 ? "s" : ""} ${gib(jobs.memoryBytes)}` : "";
  const out: Array<{ path: string; value: unknown; allowed: string }> = [];
  const fix = `raise cluster.nodes.max or cluster.nodeSize, or lower the services' requests or minimum replicas${jobs.pods > 0 ? " or their jobs" : ""}`;
  if (need.cpuMillis > pool.cpuMillis) {
    out.push({
      path: "cluster.nodes.max",
      value: max,
      allowed: `is too small: the pods request ${vcpu(need.cpuMillis)} vCPU (services at minimum replicas ${vcpu(services.cpuMillis)}${jobsCpu} + system ${vcpu(system.cpuMillis)}) but the node autoscaler's maximum, ${max} x ${type}, offers at most ${vcpu(pool.cpuMillis)} vCPU to them; ${fix}`,
    });
  }
  if (need.memoryBytes > pool.memoryBytes) {
    out.push({
      path: "cluster.nodes.max",
      value: max,
      allowed: `is too small: the pods request ${gib(need.memoryBytes)} GiB memory (services at minimum replicas ${gib(services.memoryBytes)}${jobsMem} + system ${gib(system.memoryBytes)}) but the node autoscaler's maximum, ${max} x ${type}, offers at most ${gib(pool.memoryBytes)} GiB to them; ${fix}`,
    });
  }
  return out;
}
