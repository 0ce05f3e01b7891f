/**
 * Availability: PodDisruptionBudgets and HorizontalPodAutoscalers, alone and matched to the workloads they
 * govern (stack checks, matching selectors and scale targets as Kubernetes does).
 */
import { environmentOf, ENVIRONMENTS_PARAM } from "./common";
import { known, resourceCheck, StackCheck, stackCheck, StackProblem, StackResource, StackView } from "./framework";
import { containerLabel, HPA, kindOf, namespaceOf, PDB, REPLICATED_TYPES, selectorMatches, SERVICE, serviceSelects, workloadOf } from "./k8s";

interface Replicated {
  resource: StackResource;
  name: string;
  namespace: string | undefined;
  podLabels: Record<string, string>;
  replicas: number | undefined;
  component: string | undefined;
}

/** Deployments/StatefulSets whose pod template is known; one with unknown parts is left out (undecided). */
function replicatedWorkloads(stack: StackView): Replicated[] {
  const out: Replicated[] = [];
  for (const r of stack.ofType(...REPLICATED_TYPES)) {
    const w = known(() => ({
      resource: r,
      name: r.props.metadata?.name ?? r.name,
      namespace: namespaceOf(r.props),
      podLabels: workloadOf(r.type, r.props)!.podLabels,
      replicas: r.props.spec?.replicas,
      component: r.props.metadata?.labels?.["app.kubernetes.io/component"],
    }));
    if (w) out.push(w);
  }
  return out;
}

function hpaFor(stack: StackView, w: Replicated): StackResource | undefined {
  return stack.ofType(HPA).find((h) =>
    known(() => {
      const ref = h.props.spec?.scaleTargetRef ?? {};
      return ref.kind === kindOf(w.resource.type) && ref.name === w.name && namespaceOf(h.props) === w.namespace;
    }),
  );
}

function pdbsFor(stack: StackView, w: Replicated): StackResource[] {
  return stack.ofType(PDB).filter((p) => known(() => namespaceOf(p.props) === w.namespace && selectorMatches(p.props.spec?.selector, w.podLabels)));
}

const SINGLETONS = {
  singletonComponents: {
    type: "array" as const,
    items: { type: "string" as const },
    default: ["singleton", "metrics-exporter"],
    description: "app.kubernetes.io/component values of workloads that run one replica by design (no PDB needed).",
  },
};

export const pdbRequired = stackCheck<{ environments: string[]; singletonComponents: string[] }>({
  name: "k8s-pdb-required",
  description: "Every replicated prod workload has a PodDisruptionBudget, so node drains and upgrades keep it serving.",
  severity: "high",
  remediation: "Add a PodDisruptionBudget selecting the workload's pods (AppService: podDisruptionBudget, on by default in prod).",
  enforcementLevel: "mandatory",
  category: "availability",
  config: { ...ENVIRONMENTS_PARAM, ...SINGLETONS },
  validate: (stack, config) =>
    replicatedWorkloads(stack)
      .filter((w) => config.environments.includes(environmentOf(w.resource.urn, w.resource.props)))
      .filter((w) => !config.singletonComponents.includes(w.component ?? "") && w.replicas !== 1)
      .filter((w) => pdbsFor(stack, w).length === 0)
      .map((w) => ({ urn: w.resource.urn, message: `${kindOf(w.resource.type)} "${w.name}" has no PodDisruptionBudget` })),
});

export const pdbAllowsEviction = resourceCheck({
  name: "k8s-pdb-allows-eviction",
  description: "A PodDisruptionBudget still allows at least one eviction (maxUnavailable 0 or minAvailable 100% blocks every node drain).",
  severity: "high",
  remediation: "Use maxUnavailable: 1 (or a minAvailable below the replica count).",
  enforcementLevel: "mandatory",
  category: "availability",
  types: [PDB],
  validate: (r) => {
    const spec = r.props.spec ?? {};
    if (spec.maxUnavailable === 0 || spec.maxUnavailable === "0%" || spec.maxUnavailable === "0") return ["maxUnavailable 0 blocks every eviction"];
    if (spec.minAvailable === "100%") return ["minAvailable 100% blocks every eviction"];
    return [];
  },
});

export const pdbBelowHpaMin = stackCheck({
  name: "k8s-pdb-below-replicas",
  description: "A PodDisruptionBudget's minAvailable stays below the workload's replicas (the HPA's minReplicas when autoscaled), so a drain can proceed.",
  severity: "high",
  remediation: "Lower minAvailable below the minimum replica count, or use maxUnavailable: 1.",
  enforcementLevel: "mandatory",
  category: "availability",
  validate: (stack) => {
    const problems: StackProblem[] = [];
    for (const w of replicatedWorkloads(stack)) {
      const hpa = hpaFor(stack, w);
      const floor = hpa ? known(() => hpa.props.spec?.minReplicas ?? 1) : w.replicas ?? 1;
      if (typeof floor !== "number") continue;
      for (const pdb of pdbsFor(stack, w)) {
        const min = known(() => pdb.props.spec?.minAvailable);
        if (typeof min === "number" && min >= floor) {
          problems.push({ urn: pdb.urn, message: `minAvailable ${min} is not below ${hpa ? "the HPA's minReplicas" : "replicas"} ${floor} of "${w.name}": no pod can be evicted` });
        }
      }
    }
    return problems;
  },
});

export const hpaSane = resourceCheck<{ minReplicas: number; environments: string[] }>({
  name: "k8s-hpa-sane",
  description: "HPAs scale between a minimum that survives a node loss and a larger maximum, on at least one metric with a utilisation target between 10% and 95%.",
  severity: "medium",
  remediation: "Set minReplicas ≥ the environment's minimum, maxReplicas > minReplicas and CPU/memory utilisation targets such as 70/80%.",
  enforcementLevel: "mandatory",
  category: "availability",
  types: [HPA],
  config: {
    minReplicas: { type: "integer", minimum: 1, default: 2, description: "Lowest minReplicas allowed in the environments listed." },
    ...ENVIRONMENTS_PARAM,
  },
  validate: (r, config) => {
    const spec = r.props.spec ?? {};
    const out: string[] = [];
    const min = spec.minReplicas ?? 1;
    if (config.environments.includes(environmentOf(r.urn, r.props)) && min < config.minReplicas) out.push(`minReplicas ${min} is below ${config.minReplicas}`);
    if (!(spec.maxReplicas > min)) out.push(`maxReplicas ${spec.maxReplicas} is not above minReplicas ${min}`);
    const metrics: any[] = spec.metrics ?? [];
    if (metrics.length === 0) out.push("no scaling metrics");
    for (const m of metrics) {
      const u = m.resource?.target?.averageUtilization;
      if (typeof u === "number" && (u < 10 || u > 95)) out.push(`${m.resource.name} target ${u}% is outside 10-95%`);
    }
    return out;
  },
});

export const hpaNoFixedReplicas = stackCheck({
  name: "k8s-hpa-no-fixed-replicas",
  description: "A workload scaled by an HPA does not also set spec.replicas (every update would reset the HPA's choice).",
  severity: "medium",
  remediation: "Remove spec.replicas from the Deployment/StatefulSet the HPA targets.",
  enforcementLevel: "mandatory",
  category: "availability",
  validate: (stack) =>
    replicatedWorkloads(stack)
      .filter((w) => w.replicas !== undefined && hpaFor(stack, w))
      .map((w) => ({ urn: w.resource.urn, message: `"${w.name}" sets spec.replicas ${w.replicas} but is scaled by an HPA` })),
});

export const readinessProbe: StackCheck = {
  name: "k8s-readiness-probe",
  description: "Containers behind a Service have a readiness probe, so traffic only reaches pods that can serve it.",
  severity: "high",
  remediation: "Add a readinessProbe (AppService: health.readinessPath) to every container of a workload a Service selects.",
  enforcementLevel: "mandatory",
  category: "availability",
  validate: (stack) => {
    const services = stack.ofType(SERVICE);
    const problems: StackProblem[] = [];
    for (const w of replicatedWorkloads(stack)) {
      const selected = services.some((s) => known(() => namespaceOf(s.props) === w.namespace && serviceSelects(s.props, w.podLabels)));
      if (!selected) continue;
      const containers = known(() => workloadOf(w.resource.type, w.resource.props)!.containers.filter((c) => !c.init && !c.spec.readinessProbe)) ?? [];
      for (const c of containers) problems.push({ urn: w.resource.urn, message: `${containerLabel(c)} of "${w.name}" is behind a Service but has no readiness probe` });
    }
    return problems;
  },
};

export const availabilityPolicies = [pdbRequired, pdbAllowsEviction, pdbBelowHpaMin, hpaSane, hpaNoFixedReplicas, stackCheck(readinessProbe)];
