import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

// Plain-JS script shared with `npm run up:dev`; its test keeps it in step with the sections' secret lists.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { requiredSecrets } = require("../../scripts/required-secrets.js") as { requiredSecrets(c: Record<string, unknown>): string[] };

/**
 * The Kubernetes part of a bundled stack, as the engine tier deploys it onto the local control plane.
 *
 * Derived from `Pulumi.<stack>.yaml` with only what the local machine cannot provide taken out:
 *   - `cloud: none` and `cluster.mode: existing` with the local kubeconfig as a secret (no AWS/Alibaba Cloud
 *     provider can run here, so the VPC, the managed cluster, RDS/ElastiCache/OSS/S3 stay under mocks);
 *   - the cloud-managed data stores and Kafka clusters (MSK / ApsaraMQ), their backups and the services'
 *     connections to them (they need the cloud);
 *   - charts pointed at local fixture charts (no chart repository is reachable);
 *   - every referenced secret set to a marker value (so the state can be scanned for plaintext).
 * Everything else (services, probes, HPA/PDB, NetworkPolicies, ingress, the monitoring stack's objects, the
 * edge) is the bundled stack's own config.
 */
export interface EngineStack {
  /** Stack name in the local backend, e.g. `engine-staging`. */
  name: string;
  /** Plain config, namespaced keys (`platform:services`, ...), values as the YAML would hold them. */
  config: Record<string, unknown>;
  /** Secret config: namespaced key -> plaintext marker value. */
  secrets: Record<string, string>;
}

/** A plaintext value that must never appear in state or output (scanned for after `up`). */
export function secretMarker(key: string): string {
  return `engine-secret-${key}-7f3c9a`;
}

export function readStackConfig(repoRoot: string, stackFile: string): Record<string, unknown> {
  const doc = parse(fs.readFileSync(path.join(repoRoot, stackFile), "utf8")) ?? {};
  return { ...(doc.config ?? {}) };
}

export function engineStack(
  repoRoot: string,
  stack: string,
  kubeconfig: string,
  charts: Record<string, { path: string }>,
  stackFile = `Pulumi.${stack}.yaml`,
): EngineStack {
  const config = readStackConfig(repoRoot, stackFile);
  for (const key of Object.keys(config)) if (!key.startsWith("platform:")) delete config[key];
  if (config["platform:target"] !== "kubernetes") throw new Error(`${stackFile} has no Kubernetes part (target ${String(config["platform:target"])})`);

  config["platform:cloud"] = "none";
  config["platform:cluster"] = { mode: "existing", kubeconfigSecret: "kubeconfig" };
  delete config["platform:network"];
  delete config["platform:databases"];
  delete config["platform:backups"];
  delete config["platform:kafka"];
  const services = (config["platform:services"] as Array<Record<string, unknown>> | undefined) ?? [];
  config["platform:services"] = services.map(({ connections: _connections, ...svc }) => svc);
  // Templates and defaults may carry connections too (stacks/sections/service-layers.ts).
  if (config["platform:serviceDefaults"]) {
    const { connections: _c, ...defaults } = config["platform:serviceDefaults"] as Record<string, unknown>;
    config["platform:serviceDefaults"] = defaults;
  }
  if (config["platform:serviceTemplates"]) {
    const templates = config["platform:serviceTemplates"] as Record<string, Record<string, unknown>>;
    config["platform:serviceTemplates"] = Object.fromEntries(Object.entries(templates).map(([k, { connections: _c, ...t }]) => [k, t]));
  }
  const edge = (config["platform:edge"] as Record<string, unknown> | undefined) ?? {};
  // CDN and DNS records are cloud resources.
  const { cdn: _cdn, dns: _dns, ...k8sEdge } = edge;
  if (Object.keys(edge).length > 0) config["platform:edge"] = k8sEdge;
  config["platform:charts"] = charts;

  const secrets: Record<string, string> = {};
  const plain = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v]));
  for (const key of requiredSecrets(plain)) secrets[`platform:${key}`] = key === "kubeconfig" ? kubeconfig : secretMarker(key);
  return { name: `engine-${stack}`, config, secrets };
}

/** The stack config file `pulumi --config-file` reads (plain values only; secrets are set by the CLI). */
export function stackConfigYaml(stack: EngineStack): string {
  return stringify({ config: stack.config });
}

/**
 * A stack file the engine tier deploys: a bundled one (`Pulumi.prod.yaml`) or an example environment
 * (`examples/<system>/Pulumi.<env>.yaml`), each with a Kubernetes part.
 */
export interface EngineTarget {
  /** `prod`, or `<system>-<env>` for an example; the engine stack is `engine-<label>`. */
  label: string;
  /** Environment of the stack file (`staging`, `prod`): selects the policy pack config and the profile checks. */
  environment: string;
  /** Stack file, relative to the repository root. */
  stackFile: string;
  /** Example system (`examples/<system>`), run from its own project directory; undefined for a bundled stack. */
  system?: string;
}

/** Bundled staging and prod, then every example environment whose target is Kubernetes (Docker ones have no k8s part). */
export function engineTargets(repoRoot: string): EngineTarget[] {
  const bundled: EngineTarget[] = ["staging", "prod"].map((env) => ({ label: env, environment: env, stackFile: `Pulumi.${env}.yaml` }));
  const examplesDir = path.join(repoRoot, "examples");
  const examples = fs.existsSync(examplesDir) ? fs.readdirSync(examplesDir).filter((d) => fs.existsSync(path.join(examplesDir, d, "Pulumi.yaml"))).sort() : [];
  const fromExamples = examples.flatMap((system) =>
    fs
      .readdirSync(path.join(examplesDir, system))
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((env): env is string => env !== undefined)
      .sort()
      .map((env) => ({ label: `${system}-${env}`, environment: env, stackFile: path.join("examples", system, `Pulumi.${env}.yaml`), system }))
      .filter((t) => readStackConfig(repoRoot, t.stackFile)["platform:target"] === "kubernetes"),
  );
  return [...bundled, ...fromExamples];
}

/**
 * A throwaway copy of an example's project directory that the real CLI runs as a user would, from
 * examples/<system>/ with its own Pulumi.yaml and index.ts: the example's `../../index` resolves to the
 * repository's program through symlinks. Returns the example directory inside it.
 */
export function exampleProjectDir(repoRoot: string, system: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "engine-example-"));
  for (const entry of ["index.ts", "components", "stacks", "node_modules", "package.json", "tsconfig.json"]) {
    fs.symlinkSync(path.join(repoRoot, entry), path.join(root, entry));
  }
  const dir = path.join(root, "examples", system);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(repoRoot, "examples", system, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const entry of ["index.ts", "tsconfig.json"]) fs.symlinkSync(path.join(repoRoot, "examples", system, entry), path.join(dir, entry));
  return dir;
}

/**
 * The services of a stack config with serviceDefaults and their template applied (shallow, as far as the engine
 * checks need: name, kind, metrics), so templated services are checked like the others.
 */
export function resolvedServices(config: Record<string, unknown>): Array<Record<string, any>> {
  const defaults = (config["platform:serviceDefaults"] as Record<string, unknown> | undefined) ?? {};
  const templates = (config["platform:serviceTemplates"] as Record<string, Record<string, unknown>> | undefined) ?? {};
  const services = (config["platform:services"] as Array<Record<string, any>> | undefined) ?? [];
  return services.map((s) => ({ ...defaults, ...(s.template ? templates[s.template] : {}), ...s }));
}

/**
 * Static PersistentVolumes for one engine stack. The local control plane has no storage provisioner (the clouds'
 * CSI drivers provision volumes in a real cluster), so a StatefulSet's claim (Loki, Jaeger) would stay Pending and
 * `pulumi up` would wait for it until it times out. Claims without a storage class bind to any Available volume
 * that is large enough; kwok never mounts it. The volumes are Retained and released when the stack's namespaces
 * go, so every stack gets fresh ones.
 */
export function staticVolumes(label: string, count = 4): object[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: `engine-${label}-pv-${i}`, labels: { "engine.platform/stack": label } },
    spec: {
      capacity: { storage: "1Ti" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      hostPath: { path: `/var/lib/engine-volumes/${label}-${i}`, type: "DirectoryOrCreate" },
    },
  }));
}
