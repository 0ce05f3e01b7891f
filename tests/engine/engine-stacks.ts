import * as fs from "fs";
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
 *   - the cloud-managed data stores, their backups and the services' connections to them (they need the cloud);
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
  const services = (config["platform:services"] as Array<Record<string, unknown>> | undefined) ?? [];
  config["platform:services"] = services.map(({ connections: _connections, ...svc }) => svc);
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
