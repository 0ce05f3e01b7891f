import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isPinnedImage } from "./common";

/** Pod templates by workload kind (type token -> how to reach the pod spec from props). */
const POD_SPEC_PATHS: Record<string, (props: any) => any> = {
  "kubernetes:apps/v1:Deployment": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:StatefulSet": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:DaemonSet": (p) => p.spec?.template?.spec,
  "kubernetes:batch/v1:Job": (p) => p.spec?.template?.spec,
  "kubernetes:batch/v1:CronJob": (p) => p.spec?.jobTemplate?.spec?.template?.spec,
  "kubernetes:core/v1:Pod": (p) => p.spec,
};

/** Every container (init containers included) of a workload, or undefined for non-workloads. */
export function workloadContainers(type: string, props: any): { podSpec: any; containers: any[] } | undefined {
  const path = POD_SPEC_PATHS[type];
  if (!path) return undefined;
  const podSpec = path(props) ?? {};
  return { podSpec, containers: [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])] };
}

/** Problems of one container against the restricted pod security standard. */
export function containerSecurityProblems(podSpec: any, container: any): string[] {
  const sc = container.securityContext ?? {};
  const podSc = podSpec.securityContext ?? {};
  const problems: string[] = [];
  if (sc.privileged === true) problems.push("is privileged");
  if (sc.allowPrivilegeEscalation !== false) problems.push("does not set allowPrivilegeEscalation: false");
  if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) problems.push("does not set runAsNonRoot: true");
  if (sc.runAsUser === 0 || (sc.runAsUser === undefined && podSc.runAsUser === 0)) problems.push("runs as UID 0");
  const drops: string[] = sc.capabilities?.drop ?? [];
  if (!drops.includes("ALL")) problems.push("does not drop ALL capabilities");
  if ((sc.capabilities?.add ?? []).length > 0) problems.push(`adds capabilities ${JSON.stringify(sc.capabilities.add)}`);
  return problems;
}

export const podSecurity: ResourceValidationPolicy = {
  name: "k8s-restricted-pod-security",
  description: "Containers run as non-root, without privilege escalation, with all capabilities dropped.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const workload = workloadContainers(args.type, args.props);
    if (!workload) return;
    for (const container of workload.containers) {
      for (const problem of containerSecurityProblems(workload.podSpec, container)) {
        reportViolation(`container "${container.name}" ${problem}`);
      }
    }
    if (workload.podSpec.hostNetwork === true) reportViolation("pod uses the host network");
  },
};

export const pinnedImages: ResourceValidationPolicy = {
  name: "k8s-pinned-images",
  description: "Container images are pinned by tag or digest; 'latest' or untagged images cannot be rolled back to.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const workload = workloadContainers(args.type, args.props);
    if (!workload) return;
    for (const c of workload.containers) {
      if (!isPinnedImage(c.image)) reportViolation(`container "${c.name}" image "${c.image}" is not pinned by tag or digest`);
    }
  },
};

export const resourceBounds: ResourceValidationPolicy = {
  name: "k8s-requests-and-limits",
  description: "Every container declares CPU and memory requests and a memory limit.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const workload = workloadContainers(args.type, args.props);
    if (!workload) return;
    for (const c of workload.containers) {
      const r = c.resources ?? {};
      if (!r.requests?.cpu || !r.requests?.memory) reportViolation(`container "${c.name}" has no CPU/memory requests`);
      if (!r.limits?.memory) reportViolation(`container "${c.name}" has no memory limit`);
    }
  },
};

export const ingressTls: ResourceValidationPolicy = {
  name: "k8s-ingress-tls",
  description: "Ingresses terminate TLS for every host they serve.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== "kubernetes:networking.k8s.io/v1:Ingress") return;
    const hosts: string[] = (args.props.spec?.rules ?? []).map((r: any) => r.host).filter(Boolean);
    const tlsHosts = new Set<string>((args.props.spec?.tls ?? []).flatMap((t: any) => t.hosts ?? []));
    if (hosts.length === 0) reportViolation("ingress has no host rules");
    for (const host of hosts) if (!tlsHosts.has(host)) reportViolation(`host "${host}" is served without TLS`);
  },
};

export const kubernetesPolicies: ResourceValidationPolicy[] = [podSecurity, pinnedImages, resourceBounds, ingressTls];
