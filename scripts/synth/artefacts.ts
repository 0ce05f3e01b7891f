import * as path from "path";
import { stringify } from "yaml";
import type { RecordedResource, Recorder } from "../../tests/helpers/mocks";
import { Redactor, SECRET_MARKER } from "./redact";

/** Files of the synth output: path relative to out/<stack>/ -> content. */
export type Files = Map<string, string>;

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const DOCKER_CONTAINER = "docker:index/container:Container";
const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** Label the Grafana sidecar watches (components/alerting-stack/kubernetes.ts DASHBOARD_LABEL). */
const DASHBOARD_LABEL = "grafana_dashboard";
/** Where the Docker target's containers read their config (components/alerting-stack/docker.ts). */
const DOCKER_PATHS = {
  alertmanager: "/etc/alertmanager/alertmanager.yml",
  prometheus: "/etc/prometheus/prometheus.yml",
  rules: "/etc/prometheus/rules/",
  dashboards: "/var/lib/grafana/dashboards/",
};

const yaml = (value: unknown) => stringify(value, { lineWidth: 0 });
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");

/** Drops the nulls the serializer leaves for unset optional inputs (the API server ignores them too). */
function prune(value: any): any {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, prune(v)]));
  }
  return value;
}

/** A Kubernetes Secret's values are secrets whatever they hold: shown as markers (`data` stays valid base64). */
function redactSecretObject(obj: any): any {
  if (obj.kind !== "Secret") return obj;
  const out = { ...obj };
  if (out.data) out.data = Object.fromEntries(Object.keys(out.data).map((k) => [k, Buffer.from(SECRET_MARKER).toString("base64")]));
  if (out.stringData) out.stringData = Object.fromEntries(Object.keys(out.stringData).map((k) => [k, SECRET_MARKER]));
  return out;
}

function isKubernetesObject(r: RecordedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE;
}

/** The review artefacts of one recorded program run, secrets replaced by markers. */
export function artefactFiles(recorder: Recorder, redactor: Redactor): Files {
  const files: Files = new Map();
  const add = (file: string, content: string) => {
    if (files.has(file)) throw new Error(`synth: two artefacts would be written to ${file}`);
    files.set(file, content);
  };

  for (const r of recorder.resources) {
    const inputs = prune(redactor.redact(r.inputs));

    if (isKubernetesObject(r)) {
      const obj = redactSecretObject(inputs);
      const ns = obj.metadata?.namespace ?? "_cluster";
      add(`kubernetes/${safe(ns)}/${safe(String(obj.kind).toLowerCase())}-${safe(obj.metadata?.name ?? r.name)}.yaml`, yaml(obj));
      if (r.type === PROMETHEUS_RULE) add(`prometheus/rules/${safe(r.name)}.yml`, yaml({ groups: obj.spec?.groups ?? [] }));
      if (obj.kind === "ConfigMap" && obj.metadata?.labels?.[DASHBOARD_LABEL] !== undefined) {
        for (const [key, json] of Object.entries(obj.data ?? {})) add(`grafana/dashboards/${safe(key)}`, String(json));
      }
    }

    if (r.type === HELM_RELEASE) {
      add(`helm/${safe(r.name)}.yaml`, yaml(inputs));
      const alertmanagerConfig = inputs.values?.alertmanager?.config;
      if (alertmanagerConfig) add("alertmanager/alertmanager.yml", yaml(alertmanagerConfig));
    }

    if (r.type === DOCKER_CONTAINER) {
      const uploads: Array<{ file: string; content?: string }> = inputs.uploads ?? [];
      const spec = {
        ...inputs,
        uploads: uploads.map((u) => ({ ...u, content: `(${Buffer.byteLength(u.content ?? "")} bytes, written to docker/${safe(r.name)}${u.file})` })),
      };
      add(`docker/${safe(r.name)}.yaml`, yaml(spec));
      for (const u of uploads) {
        const content = u.content ?? "";
        add(`docker/${safe(r.name)}${u.file}`, content);
        if (u.file === DOCKER_PATHS.alertmanager) add("alertmanager/alertmanager.yml", content);
        if (u.file === DOCKER_PATHS.prometheus) add("prometheus/prometheus.yml", content);
        if (u.file.startsWith(DOCKER_PATHS.rules)) add(`prometheus/rules/${safe(path.basename(u.file))}`, content);
        if (u.file.startsWith(DOCKER_PATHS.dashboards) && u.file.endsWith(".json")) add(`grafana/dashboards/${safe(path.basename(u.file))}`, content);
      }
    }
  }
  return files;
}
