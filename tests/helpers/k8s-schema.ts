import { spawnSync } from "child_process";
import * as path from "path";
import { crdSchemaProblems, hasCrdSchema } from "./crd-schema";
import { type Recorder, unwrapSecrets } from "./mocks";

/**
 * Kubernetes schema validation for what components register.
 *
 * The OpenAPI validators come from the installed `kubernetes-models` package. It is ESM-only (no `require`
 * export), which jest's CommonJS runtime cannot load, so validation runs in a child `node` process that imports
 * the models natively and reports every schema error. Those validators check types, formats (quantities, ports),
 * enums and required fields; they do NOT reject unknown fields, which the typed @pulumi/kubernetes args catch at
 * compile time instead.
 *
 * Gateway API and Envoy Gateway objects are validated against their real CRDs, read from the Go module cache at
 * test time (./crd-schema.ts). monitoring.coreos.com ServiceMonitor/PodMonitor/PrometheusRule get a small
 * hand-written structural check of the fields the components emit (see `crdProblems`).
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: Record<string, any>;
  [key: string]: any;
}

const ROOT = path.resolve(__dirname, "..", "..");

/** Drops nulls/undefined the serializer may leave for unset optional inputs (the API server ignores them too). */
function prune(value: any): any {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, prune(v)]),
    );
  }
  return value;
}

/** Turns every recorded `kubernetes:*` registration (not providers) into a manifest, secrets unwrapped. */
export function recordedK8sObjects(recorder: Recorder): K8sObject[] {
  return recorder.resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.custom)
    .map((r) => {
      const inputs = prune(unwrapSecrets(r.inputs));
      if (typeof inputs.apiVersion !== "string" || typeof inputs.kind !== "string") {
        throw new Error(`recorded ${r.type} ${r.name} has no apiVersion/kind in its inputs`);
      }
      return inputs as K8sObject;
    });
}

/** Module of the kubernetes-models class for an apiVersion/kind, e.g. apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment. */
function modelModule(obj: K8sObject): string {
  return `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
}

const CRD_GROUPS = ["monitoring.coreos.com/"];

function isCrd(obj: K8sObject): boolean {
  return CRD_GROUPS.some((g) => obj.apiVersion.startsWith(g)) || hasCrdSchema(obj.apiVersion);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems of a custom resource with a CRD from the module cache, plus its object name. */
function crdObjectProblems(o: K8sObject): string[] {
  const name = o.metadata?.name;
  const nameProblems = name !== undefined && (typeof name !== "string" || name.length > 253 || !DNS_SUBDOMAIN.test(name))
    ? ["metadata.name must be a DNS subdomain"]
    : [];
  return [...nameProblems, ...crdSchemaProblems(o)];
}

// Runs in the child process: imports each object's model class and collects its validation errors.
const ESM_VALIDATOR = `
import { readFileSync } from "node:fs";
const objects = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const { module, object } of objects) {
  let Model;
  try {
    const mod = await import(module);
    Model = mod[object.kind];
  } catch (e) {
    results.push("no schema for " + object.apiVersion + " " + object.kind + " (" + module + "): " + e.message);
    continue;
  }
  if (!Model) { results.push("no model class " + object.kind + " in " + module); continue; }
  try { new Model(object).validate(); results.push(null); }
  catch (e) { results.push(e.message); }
}
process.stdout.write(JSON.stringify(results));
`;

/** Schema problems per object (undefined when valid), in input order. CRDs use the structural check. */
export function k8sSchemaProblems(objects: K8sObject[]): Array<string | undefined> {
  const builtIn = objects.filter((o) => !isCrd(o));
  let builtInResults: Array<string | null> = [];
  if (builtIn.length > 0) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", ESM_VALIDATOR], {
      cwd: ROOT,
      input: JSON.stringify(builtIn.map((object) => ({ module: modelModule(object), object }))),
      encoding: "utf8",
    });
    if (run.status !== 0) {
      throw new Error(`kubernetes-models validator failed (is the kubernetes-models package installed? run npm ci)\n${run.stderr}`);
    }
    builtInResults = JSON.parse(run.stdout);
  }
  let i = 0;
  return objects.map((o) => {
    if (isCrd(o)) {
      const problems = hasCrdSchema(o.apiVersion) ? crdObjectProblems(o) : crdProblems(o);
      return problems.length > 0 ? problems.join("; ") : undefined;
    }
    return builtInResults[i++] ?? undefined;
  });
}

/** Throws with the schema errors of `obj`, naming its kind and name. */
export function validateK8sObject(obj: K8sObject): void {
  validateK8sObjects([obj]);
}

/** Throws one error listing every invalid object and its schema errors. */
export function validateK8sObjects(objects: K8sObject[]): void {
  const problems = k8sSchemaProblems(objects)
    .map((p, i) => (p ? `${objects[i].apiVersion} ${objects[i].kind} ${objects[i].metadata?.name ?? "(unnamed)"}: ${p}` : undefined))
    .filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new Error(`invalid Kubernetes objects:\n${problems.join("\n")}`);
}

// ---------------------------------------------------------------------------------------------
// Hand-written structural check of the prometheus-operator CRD fields the components emit.
// ---------------------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

function labelSelectorProblems(sel: any, where: string): string[] {
  if (!sel || typeof sel !== "object") return [`${where} must be a label selector object`];
  const labels = sel.matchLabels ?? {};
  const out: string[] = [];
  if (Object.keys(labels).length === 0 && !sel.matchExpressions) out.push(`${where} must select something (an empty selector matches everything)`);
  for (const [k, v] of Object.entries(labels)) if (typeof v !== "string") out.push(`${where}.matchLabels.${k} must be a string`);
  return out;
}

/**
 * A PodMonitor endpoint names a container port (IANA_SVC_NAME, at most 15 characters); a ServiceMonitor
 * endpoint names a Service port, which is a DNS label (cert-manager's is `tcp-prometheus-servicemonitor`).
 */
function endpointProblems(ep: any, where: string, portKind: "container" | "service" = "container"): string[] {
  const out: string[] = [];
  if (typeof ep !== "object" || ep === null) return [`${where} must be an object`];
  if (portKind === "container" && (typeof ep.port !== "string" || !/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(ep.port))) {
    out.push(`${where}.port must be a named container port (IANA_SVC_NAME)`);
  }
  if (portKind === "service" && (typeof ep.port !== "string" || !DNS_LABEL.test(ep.port))) out.push(`${where}.port must be a named Service port (DNS label)`);
  if (ep.path !== undefined && (typeof ep.path !== "string" || !ep.path.startsWith("/"))) out.push(`${where}.path must start with '/'`);
  if (ep.interval !== undefined && !DURATION.test(ep.interval)) out.push(`${where}.interval must be a duration like 30s`);
  if (ep.scheme !== undefined && !["http", "https"].includes(ep.scheme)) out.push(`${where}.scheme must be http or https`);
  for (const [j, rl] of (ep.relabelings ?? []).entries()) {
    if (typeof rl.targetLabel !== "string" || rl.targetLabel === "") out.push(`${where}.relabelings[${j}].targetLabel is required for replace`);
    if (rl.action !== undefined && !["replace", "Replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"].includes(rl.action)) {
      out.push(`${where}.relabelings[${j}].action ${rl.action} is not a relabel action`);
    }
  }
  return out;
}

/** PrometheusRule: the rule-file structure Prometheus loads (promtool checks the PromQL itself). */
function prometheusRuleProblems(spec: any): string[] {
  const out: string[] = [];
  if (!Array.isArray(spec.groups) || spec.groups.length === 0) return ["spec.groups must list at least one group"];
  const groupNames = new Set<string>();
  spec.groups.forEach((g: any, i: number) => {
    const where = `spec.groups[${i}]`;
    if (typeof g.name !== "string" || g.name === "") out.push(`${where}.name is required`);
    else if (groupNames.has(g.name)) out.push(`${where}.name ${g.name} is duplicated`);
    groupNames.add(g.name);
    if (g.interval !== undefined && !DURATION.test(g.interval)) out.push(`${where}.interval must be a duration`);
    if (!Array.isArray(g.rules) || g.rules.length === 0) out.push(`${where}.rules must list at least one rule`);
    (g.rules ?? []).forEach((r: any, j: number) => {
      const rw = `${where}.rules[${j}]`;
      if ((r.alert === undefined) === (r.record === undefined)) out.push(`${rw} must have exactly one of alert or record`);
      if (typeof r.expr !== "string" || r.expr.trim() === "") out.push(`${rw}.expr is required`);
      if (r.for !== undefined && !DURATION.test(r.for)) out.push(`${rw}.for must be a duration`);
      for (const key of ["labels", "annotations"]) {
        for (const [k, v] of Object.entries(r[key] ?? {})) if (typeof v !== "string") out.push(`${rw}.${key}.${k} must be a string`);
      }
    });
  });
  return out;
}

/** Probe (Prometheus Operator): a prober address, a module and static targets (the fields we emit). */
function probeProblems(spec: any): string[] {
  const out: string[] = [];
  if (typeof spec.prober?.url !== "string" || !/^[a-z0-9.-]+:\d+$/.test(spec.prober.url)) out.push("spec.prober.url must be host:port (no scheme)");
  if (typeof spec.module !== "string" || spec.module === "") out.push("spec.module must name a blackbox module");
  if (spec.jobName !== undefined && typeof spec.jobName !== "string") out.push("spec.jobName must be a string");
  const targets = spec.targets?.staticConfig?.static;
  if (!Array.isArray(targets) || targets.length === 0 || targets.some((t: unknown) => typeof t !== "string")) {
    out.push("spec.targets.staticConfig.static must list the URLs to probe");
  }
  for (const key of ["interval", "scrapeTimeout"]) {
    if (spec[key] !== undefined && !/^\d+(ms|s|m|h)$/.test(spec[key])) out.push(`spec.${key} must be a duration like 30s`);
  }
  return out;
}

/**
 * Structural problems of a ServiceMonitor, PodMonitor or PrometheusRule (fields we emit), [] when fine.
 * `metadata.name` may be absent: Pulumi auto-names such objects at deployment.
 */
export function crdProblems(obj: K8sObject): string[] {
  const out: string[] = [];
  if (obj.apiVersion !== "monitoring.coreos.com/v1") out.push(`apiVersion ${obj.apiVersion} is not monitoring.coreos.com/v1`);
  const name = obj.metadata?.name;
  if (name !== undefined && (typeof name !== "string" || !DNS_LABEL.test(name))) out.push("metadata.name must be a DNS label");
  const spec = obj.spec;
  if (!spec || typeof spec !== "object") return [...out, "spec is required"];
  if (obj.kind === "PrometheusRule") return [...out, ...prometheusRuleProblems(spec)];
  if (obj.kind === "Probe") return [...out, ...probeProblems(spec)];
  out.push(...labelSelectorProblems(spec.selector, "spec.selector"));
  if (spec.namespaceSelector !== undefined && !Array.isArray(spec.namespaceSelector.matchNames) && spec.namespaceSelector.any !== true) {
    out.push("spec.namespaceSelector must have matchNames or any: true");
  }
  if (obj.kind === "ServiceMonitor") {
    if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) out.push("spec.endpoints must list at least one endpoint");
    else spec.endpoints.forEach((ep: any, i: number) => out.push(...endpointProblems(ep, `spec.endpoints[${i}]`, "service")));
  } else if (obj.kind === "PodMonitor") {
    if (!Array.isArray(spec.podMetricsEndpoints) || spec.podMetricsEndpoints.length === 0) out.push("spec.podMetricsEndpoints must list at least one endpoint");
    else spec.podMetricsEndpoints.forEach((ep: any, i: number) => out.push(...endpointProblems(ep, `spec.podMetricsEndpoints[${i}]`)));
  } else {
    out.push(`no structural check for ${obj.kind}; add one to tests/helpers/k8s-schema.ts`);
  }
  return out;
}
