import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { artefactFiles } from "../../scripts/synth/artefacts";
import { Redactor } from "../../scripts/synth/redact";
import { MOCK_SECRET_PREFIX, plaintextStrings, unwrapSecrets, type Recorder, type RecordedResource } from "../helpers/mocks";
import { buildStack, readStackFile, REPO_ROOT, type BuiltStack } from "../helpers/stack";

// Plain-JS script shared with `npm run up:dev`; tests/scripts/required-secrets.test.ts keeps it in step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { requiredSecrets } = require("../../scripts/required-secrets.js") as { requiredSecrets(c: Record<string, unknown>): string[] };

/**
 * Builds the example stacks (examples/<system>/Pulumi.<env>.yaml) under Pulumi mocks, as `pulumi up` would run
 * them, and reads back what the seed's figures turn into: rules, Alertmanager config, Kubernetes objects and
 * Docker containers. The secret values are made up here, never committed.
 */
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");

export interface PromRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface BuiltExample extends BuiltStack {
  system: string;
  env: string;
  /** Test values of every secret the stack file references (key -> value). */
  secrets: Record<string, string>;
  /** Every alerting rule the stack provisions (one alert name may occur once per database, backup, ...). */
  alerts: PromRule[];
  /** The rule groups as Prometheus loads them ({ name, rules }), every rule file together. */
  ruleGroups: Array<{ name: string; rules: PromRule[] }>;
  /** The Alertmanager configuration (chart values on Kubernetes, the config file on Docker). */
  alertmanager: any;
}

export function exampleDir(system: string): string {
  return path.join(EXAMPLES_DIR, system);
}

/** A distinct, recognisable test value for every secret the example's stack file references. */
export function exampleSecrets(system: string, env: string): Record<string, string> {
  const config = readStackFile(env, exampleDir(system));
  return Object.fromEntries(requiredSecrets(config).map((key) => [key, `example-${system}-${env}-${key}-value`]));
}

export async function buildExample(system: string, env: string): Promise<BuiltExample> {
  const secrets = exampleSecrets(system, env);
  const built = await buildStack(env, {}, { projectDir: exampleDir(system), secrets });
  const files = artefactFiles(built.recorder, new Redactor(secrets));
  const alerts: PromRule[] = [];
  const ruleGroups: BuiltExample["ruleGroups"] = [];
  for (const [file, content] of files) {
    if (!file.startsWith("prometheus/rules/")) continue;
    for (const group of parse(content)?.groups ?? []) {
      ruleGroups.push(group);
      for (const rule of group.rules as PromRule[]) if (rule.alert) alerts.push(rule);
    }
  }
  const am = files.get("alertmanager/alertmanager.yml");
  return { ...built, system, env, secrets, alerts, ruleGroups, alertmanager: am ? parse(am) : undefined };
}

/** Every registered input holding a secret value (or a generated password) outside a secret wrapper. */
export function plaintextSecrets(built: BuiltStack): string[] {
  return built.recorder.resources.flatMap((r) =>
    plaintextStrings(r.inputs)
      .filter(({ value }) => value.includes(MOCK_SECRET_PREFIX) || built.secretValues.some((s) => value.includes(s)))
      .map(({ path: p }) => `${r.type} ${r.name} ${p}`),
  );
}

/** Alert names whose runbook_url names no file in docs/runbooks/. */
export function missingRunbooks(built: BuiltExample): string[] {
  return built.alerts
    .filter((r) => !fs.existsSync(path.join(REPO_ROOT, "docs/runbooks", path.basename(r.annotations?.runbook_url ?? "none"))))
    .map((r) => r.alert!);
}

/** The one alert named `name` whose labels include `labels`; throws naming what exists otherwise. */
export function alert(built: BuiltExample, name: string, labels: Record<string, string> = {}): PromRule {
  const found = built.alerts.filter((r) => r.alert === name && Object.entries(labels).every(([k, v]) => r.labels?.[k] === v));
  if (found.length !== 1) throw new Error(`expected one alert ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  return found[0];
}

/** The threshold a simple `<expr> > N` / `< N` alert compares against. */
export function thresholdOf(rule: PromRule | undefined): number {
  const m = rule ? /[<>]=?\s*(-?[\d.]+)\s*$/.exec(rule.expr.trim()) : null;
  if (!m) throw new Error(`no trailing threshold in ${rule?.alert}: ${rule?.expr}`);
  return Number(m[1]);
}

/** Receiver names of the route that matches `severity` (the routing tree's first level). */
export function receiversFor(alertmanager: any, severity: string): string[] {
  const route = (alertmanager.route.routes as any[]).find((r) =>
    (r.matchers ?? []).some((m: string) => m.replace(/\s/g, "") === `severity="${severity}"` || m.replace(/\s/g, "") === `severity=${severity}`),
  );
  if (!route) throw new Error(`no route for severity ${severity}`);
  const names = new Set<string>([route.receiver, ...((route.routes ?? []) as any[]).map((r) => r.receiver)]);
  return [...names].filter(Boolean);
}

export function receiver(alertmanager: any, name: string): any {
  const r = (alertmanager.receivers as any[]).find((x) => x.name === name);
  if (!r) throw new Error(`no receiver ${name}; have ${(alertmanager.receivers as any[]).map((x) => x.name).join(", ")}`);
  return r;
}

/** Kubernetes object of `type` whose metadata.name is `name`, inputs unwrapped. */
export function k8s(rec: Recorder, type: string, name: string): any {
  const found = rec.byType(type).filter((r) => unwrapSecrets(r.inputs).metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return unwrapSecrets(found[0].inputs);
}

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const CRONJOB = "kubernetes:batch/v1:CronJob";
export const TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy";
export const HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
export const CONTAINER = "docker:index/container:Container";

/** The app container of a Deployment. */
export function appContainer(deployment: any): any {
  return deployment.spec.template.spec.containers[0];
}

/** Per-second and per-minute token buckets of a service's BackendTrafficPolicy (IPv4 rules). */
export function rateBuckets(policy: any): { perSecond: number; perMinute: number } {
  const rules = (policy.spec.rateLimit.local.rules as any[]).filter((r) => r.clientSelectors[0].sourceCIDR.value === "0.0.0.0/0");
  return {
    perSecond: rules.find((r) => r.limit.unit === "Second").limit.requests,
    perMinute: rules.find((r) => r.limit.unit === "Minute").limit.requests,
  };
}

/** Docker container by resource name, inputs unwrapped. */
export function container(rec: Recorder, name: string): any {
  return unwrapSecrets(rec.one(CONTAINER, name).inputs);
}

/** Content of a file uploaded into a Docker container. */
export function upload(c: any, file: string): string {
  const u = (c.uploads ?? []).find((x: any) => x.file === file);
  if (!u) throw new Error(`no upload ${file}; have ${(c.uploads ?? []).map((x: any) => x.file).join(", ")}`);
  return u.content;
}

/** Component resources of a type, e.g. every BackupJob, by name. */
export function components(rec: Recorder, type: string): Map<string, RecordedResource> {
  return new Map(rec.byType(type).map((r) => [r.name, r]));
}
