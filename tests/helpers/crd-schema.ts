import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv, { type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { ENVOY_GATEWAY_MODULE, GATEWAY_API_MODULE } from "../../components/foundation/edge-values";

/**
 * Validation of custom resources against the real CRDs of the versions the library pins, read at test time from
 * the Go module cache (nothing of theirs is committed):
 * - Gateway API (`sigs.k8s.io/gateway-api`, config/crd/standard): GatewayClass, Gateway, HTTPRoute, ...
 * - Envoy Gateway (`github.com/envoyproxy/gateway`, the chart's generated CRDs): EnvoyProxy, ClientTrafficPolicy,
 *   BackendTrafficPolicy, ...
 * A module missing from the cache is fetched with `go mod download` (Go module proxy), so a fresh CI machine needs
 * only the Go toolchain.
 *
 * What is checked is what the API server checks structurally: types, required fields, enums, patterns, lengths,
 * item/property counts, int-or-string, nullable. Unknown fields are reported too (the API server would silently
 * prune them, so the setting would be lost). CEL rules (`x-kubernetes-validations`) are not evaluated here: the
 * engine tier applies the objects to a real API server, which does.
 */

interface CrdSource {
  module: { path: string; version: string };
  /** Directories inside the module holding CRD YAML. */
  dirs: string[];
}

export const CRD_SOURCES: CrdSource[] = [
  { module: GATEWAY_API_MODULE, dirs: ["config/crd/standard"] },
  { module: ENVOY_GATEWAY_MODULE, dirs: ["charts/gateway-helm/charts/crds/crds/generated"] },
];

/** Directory of a module in the Go module cache, downloading it first when absent. */
export function goModuleDir(module: { path: string; version: string }): string {
  const env = { ...process.env, GOFLAGS: "-mod=mod" };
  let go: string;
  try {
    go = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8", env }).trim();
  } catch {
    throw new Error(`the Go toolchain is needed to read the ${module.path} CRDs from the module cache: install Go (https://go.dev/dl/); .ci/run does`);
  }
  // Module cache paths escape upper-case letters as "!" + lower case.
  const escaped = module.path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  const dir = path.join(go, `${escaped}@${module.version}`);
  if (fs.existsSync(dir)) return dir;
  const out = execFileSync("go", ["mod", "download", "-json", `${module.path}@${module.version}`], {
    encoding: "utf8",
    env,
    cwd: fs.mkdtempSync(path.join(require("os").tmpdir(), "gomod-")),
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir || info.Error) throw new Error(`go mod download ${module.path}@${module.version} failed: ${info.Error ?? out}`);
  return info.Dir;
}

type Schema = Record<string, any>;

/**
 * OpenAPI v3 (Kubernetes structural schema) to JSON Schema for ajv: int-or-string, nullable, and closed objects
 * unless the schema preserves unknown fields.
 */
export function toJsonSchema(s: Schema): Schema {
  if (!s || typeof s !== "object") return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith("x-kubernetes-") || k === "description" || k === "nullable" || k === "format") continue;
    if (k === "properties" || k === "patternProperties") out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else if (k === "items" || k === "additionalProperties" || k === "not") out[k] = typeof v === "object" ? toJsonSchema(v) : v;
    else if (k === "allOf" || k === "anyOf" || k === "oneOf") out[k] = (v as Schema[]).map(toJsonSchema);
    else out[k] = v;
  }
  if (s["x-kubernetes-int-or-string"]) {
    delete out.type;
    out.anyOf = [...(out.anyOf ?? []), { type: "integer" }, { type: "string" }];
  }
  if (s.nullable && typeof out.type === "string") out.type = [out.type, "null"];
  if (out.type === "object" && out.properties && out.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

interface LoadedCrd {
  group: string;
  kind: string;
  validators: Record<string, ValidateFunction>;
}

let loaded: Map<string, LoadedCrd> | undefined;

/** Every CRD of the pinned modules, by `<group>/<Kind>`. */
export function loadCrds(): Map<string, LoadedCrd> {
  if (loaded) return loaded;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false });
  const map = new Map<string, LoadedCrd>();
  for (const source of CRD_SOURCES) {
    const root = goModuleDir(source.module);
    for (const dir of source.dirs) {
      const full = path.join(root, dir);
      for (const file of fs.readdirSync(full).filter((f) => f.endsWith(".yaml")).sort()) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(full, file), "utf8"))) {
          const crd = doc.toJS();
          if (crd?.kind !== "CustomResourceDefinition") continue;
          const validators: Record<string, ValidateFunction> = {};
          for (const v of crd.spec.versions) {
            if (!v.served || !v.schema?.openAPIV3Schema) continue;
            const schema = toJsonSchema(v.schema.openAPIV3Schema);
            // apiVersion/kind/metadata are checked by the API server itself, not by the CRD schema.
            validators[v.name] = ajv.compile({ ...schema, properties: { ...schema.properties, status: {} } });
          }
          map.set(`${crd.spec.group}/${crd.spec.names.kind}`, { group: crd.spec.group, kind: crd.spec.names.kind, validators });
        }
      }
    }
  }
  if (map.size === 0) throw new Error("no CRDs found in the pinned Gateway API / Envoy Gateway modules");
  loaded = map;
  return map;
}

/** API groups whose objects are validated against a CRD from the module cache. */
export const CRD_SCHEMA_GROUPS = ["gateway.networking.k8s.io", "gateway.envoyproxy.io"];

export function hasCrdSchema(apiVersion: string): boolean {
  return CRD_SCHEMA_GROUPS.includes(apiVersion.split("/")[0]);
}

/** Schema problems of one custom resource against its CRD ([] when valid). */
export function crdSchemaProblems(obj: { apiVersion: string; kind: string; [k: string]: any }): string[] {
  const [group, version] = obj.apiVersion.split("/");
  const crd = loadCrds().get(`${group}/${obj.kind}`);
  if (!crd) return [`no CRD ${obj.kind} in group ${group} in the pinned modules`];
  const validate = crd.validators[version];
  if (!validate) return [`CRD ${group}/${obj.kind} serves no version ${version} (serves ${Object.keys(crd.validators).join(", ")})`];
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  if (validate(rest)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(root)";
    const extra = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : "";
    return `${where}: ${e.message}${extra}`;
  });
}
