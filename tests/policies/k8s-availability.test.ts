import { availabilityPolicies, pdbRequired } from "../../policies/rules/k8s-availability";
import { UNKNOWN } from "../helpers/policy";
import { describeChecks, messages } from "./cases";
import { deployment, k8s, selector, service } from "./fixtures";

const pdb = (name: string, spec: Record<string, unknown>) =>
  k8s("PodDisruptionBudget", "kubernetes:policy/v1:PodDisruptionBudget", `${name}-pdb`, { metadata: { name, namespace: "platform" }, spec: { selector: { matchLabels: selector(name) }, ...spec } });

const hpa = (name: string, spec: Record<string, unknown> = {}) =>
  k8s("HorizontalPodAutoscaler", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `${name}-hpa`, {
    metadata: { name, namespace: "platform" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      ...spec,
    },
  });

const singleton = deployment("listener", (p) => {
  p.spec.replicas = 1;
  p.metadata.labels["app.kubernetes.io/component"] = "singleton";
});

describeChecks(availabilityPolicies, {
  "k8s-pdb-required": {
    good: [deployment(), pdb("api", { maxUnavailable: 1 }), singleton],
    bad: [deployment(), pdb("web", { maxUnavailable: 1 })],
    expect: ['Deployment "api" has no PodDisruptionBudget'],
  },
  "k8s-pdb-allows-eviction": {
    good: [pdb("api", { maxUnavailable: 1 }), pdb("web", { minAvailable: "50%" })],
    bad: [pdb("api", { maxUnavailable: 0 }), pdb("web", { minAvailable: "100%" })],
    expect: ["maxUnavailable 0 blocks every eviction", "minAvailable 100% blocks every eviction"],
  },
  "k8s-pdb-below-replicas": {
    good: [deployment(), hpa("api"), pdb("api", { minAvailable: 2 })],
    bad: [deployment(), hpa("api"), pdb("api", { minAvailable: 3 })],
    expect: ['minAvailable 3 is not below the HPA\'s minReplicas 3 of "api"'],
  },
  "k8s-hpa-sane": {
    good: hpa("api"),
    bad: [hpa("api", { minReplicas: 1, maxReplicas: 1 }), hpa("web", { metrics: [{ type: "Resource", resource: { name: "cpu", target: { averageUtilization: 99 } } }] })],
    expect: ["minReplicas 1 is below 3", "maxReplicas 1 is not above minReplicas 1", "cpu target 99% is outside 10-95%"],
    config: { minReplicas: 3 },
  },
  "k8s-hpa-no-fixed-replicas": {
    good: [deployment(), hpa("api"), deployment("web", (p) => (p.spec.replicas = 2))],
    bad: [deployment("api", (p) => (p.spec.replicas = 3)), hpa("api")],
    expect: ['"api" sets spec.replicas 3 but is scaled by an HPA'],
  },
  "k8s-readiness-probe": {
    good: [deployment(), service(), deployment("worker", (p) => delete p.spec.template.spec.containers[0].readinessProbe)],
    bad: [deployment("api", (p) => delete p.spec.template.spec.containers[0].readinessProbe), service()],
    expect: ['container "app" of "api" is behind a Service but has no readiness probe'],
  },
});

describe("availability checks scope", () => {
  it("require PDBs only in the configured environments", () => {
    const staging = deployment("api", (p) => (p.metadata.labels.environment = "staging"));
    expect(messages(pdbRequired, [staging])).toEqual([]);
    expect(messages(pdbRequired, [staging], { config: { environments: ["prod", "staging"] } })).toEqual(['Deployment "api" has no PodDisruptionBudget']);
  });
  it("leave a workload whose template is unknown during preview undecided", () => {
    const unknown = deployment("api", (p) => (p.spec.template = UNKNOWN));
    expect(messages(pdbRequired, [unknown])).toEqual([]);
  });
});
