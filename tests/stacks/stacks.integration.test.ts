import { validateK8sObjects, recordedK8sObjects } from "../helpers/k8s-schema";
import { Recorder, unwrapSecrets } from "../helpers/mocks";
import { buildStack, type BuiltStack } from "../helpers/stack";
import { promtoolCheckRules } from "../helpers/tools";
import { SECRETS_BY_STACK } from "./fixtures";

/**
 * The bundled stacks end to end: every Kubernetes object they produce validates against the Kubernetes schema
 * for its kind (Gateway API and Envoy Gateway objects against their CRDs from the Go module cache), and every rule
 * group they provision passes `promtool check rules`.
 */
const variants: Array<[string, string, Record<string, unknown>]> = [
  ["staging-aws", "staging", {}],
  ["prod-aws", "prod", {}],
  ["staging-alicloud", "staging", { cloud: "alicloud" }],
  ["prod-alicloud", "prod", { cloud: "alicloud" }],
];
const built: Record<string, BuiltStack> = {};

beforeAll(async () => {
  for (const [key, stack, overrides] of variants) built[key] = await buildStack(stack, overrides, { secrets: SECRETS_BY_STACK[stack] });
}, 180_000);

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";

/** The recorded resources that are plain Kubernetes objects or prometheus-operator CRDs. */
function manifestsOf(rec: Recorder) {
  const subset = new Recorder();
  subset.resources.push(...rec.resources.filter((r) => r.type !== HELM_RELEASE && r.type !== CLUSTER_ISSUER));
  return recordedK8sObjects(subset);
}

describe.each(variants.map(([key]) => key))("%s", (key) => {
  it("every Kubernetes object validates against its schema", () => {
    const objects = manifestsOf(built[key].recorder);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      "Deployment", "Service", "NetworkPolicy", "CronJob", "Secret", "ConfigMap", "ServiceMonitor", "PodMonitor", "PrometheusRule",
      "GatewayClass", "Gateway", "HTTPRoute", "EnvoyProxy", "ClientTrafficPolicy", "BackendTrafficPolicy",
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(() => validateK8sObjects(objects)).not.toThrow();
  });

  it("the ACME ClusterIssuer has the fields cert-manager requires", () => {
    const issuer = unwrapSecrets(built[key].recorder.one(CLUSTER_ISSUER).inputs);
    expect(issuer.spec.acme.server).toMatch(/^https:\/\/acme(-staging-v02)?(-v02)?\.api\.letsencrypt\.org\/directory$/);
    expect(issuer.spec.acme.email).toMatch(/@/);
    expect(issuer.spec.acme.privateKeySecretRef.name).toBeTruthy();
    expect(issuer.spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0]).toMatchObject({ kind: "Gateway", name: "public", sectionName: "http" });
  });

  it("every provisioned rule group passes promtool check rules", () => {
    const rules = built[key].recorder.byType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rules.length).toBeGreaterThan(0);
    const groups = rules.flatMap((r) => unwrapSecrets(r.inputs).spec.groups);
    const output = promtoolCheckRules({ groups });
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });
});
