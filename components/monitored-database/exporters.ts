import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { exporterWorkload as sharedExporterWorkload } from "../lib/exporter-workload";
import type { DatabaseConnection } from "../lib/contracts";
import type { ScrapeTarget } from "../lib/monitoring";
import { k8sName } from "../lib/naming";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import type { Engine } from "./args";
import { PASSWORD_KEY, URL_KEY } from "./credentials";
import { dockerHardening } from "./docker-common";
import type { ResolvedDatabase } from "./validate";

/**
 * Prometheus exporters, pinned. postgres_exporter: prometheus-community (quay.io); redis_exporter:
 * oliver006 (Docker Hub); mongodb_exporter: Percona (Docker Hub). All run as `nobody` (65534) and need no
 * writable filesystem. mongodb_exporter reads replica-set state through getDiagnosticData and adds the lag in
 * seconds with `--compatible-mode` (see alerts.ts for the series the rules use).
 */
export const EXPORTERS: Record<Engine, { image: string; port: number; uid: number; args?: string[] }> = {
  postgres: { image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1", port: 9187, uid: 65534 },
  redis: { image: "oliver006/redis_exporter:v1.67.0", port: 9121, uid: 65534 },
  mongodb: {
    image: "percona/mongodb_exporter:0.47.1",
    port: 9216,
    uid: 65534,
    args: ["--collector.diagnosticdata", "--collector.replicasetstatus", "--compatible-mode", "--web.listen-address=:9216"],
  },
};

/** Name of the exporter's Service / container alias; also the Prometheus `job` label of its scrape. */
export function exporterJob(name: string, engine: Engine): string {
  return k8sName(name, engine, "exporter");
}

export interface ExporterInput {
  parent: pulumi.Resource;
  name: string;
  db: ResolvedDatabase;
  ctx: PlatformContext;
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  tls: boolean;
  password: pulumi.Output<string>;
  url: pulumi.Output<string>;
  /** Kubernetes: the credentials Secret the exporter reads its password/DSN from. */
  secretName?: pulumi.Output<string>;
  /** Redis cluster mode (ElastiCache): the nodes, each scraped through the exporter with `shard` and `node` labels. */
  redisNodes?: Array<{ shard: string; node: string; host: pulumi.Output<string> }>;
  /** Kubernetes: the CA bundle that verifies the server's certificate (DocumentDB: the Amazon RDS CAs). */
  caBundle?: DatabaseConnection["caBundle"];
}

/**
 * ServiceMonitor endpoints that scrape every node of a Redis cluster through redis_exporter's multi-target
 * `/scrape?target=` (the exporter's REDIS_PASSWORD authenticates each), labelled with its shard and node so one
 * shard's memory or replication trouble is an alert of its own instead of hiding behind the configuration endpoint.
 */
export function redisClusterEndpoints(
  nodes: NonNullable<ExporterInput["redisNodes"]>,
  port: pulumi.Input<number>,
  tls: boolean,
): Array<Record<string, unknown>> {
  return nodes.map((n) => ({
    port: "metrics",
    path: "/scrape",
    interval: "30s",
    scrapeTimeout: "10s",
    params: { target: [pulumi.interpolate`${tls ? "rediss" : "redis"}://${n.host}:${port}`] },
    relabelings: [
      { targetLabel: "instance", replacement: n.host },
      { targetLabel: "shard", replacement: n.shard },
      { targetLabel: "node", replacement: n.node },
    ],
  }));
}

export interface ExporterOutput {
  job: string;
  children: Record<string, pulumi.Resource>;
  scrapeTargets: ScrapeTarget[];
}

function redisAddress(input: ExporterInput): pulumi.Output<string> {
  return pulumi.interpolate`${input.tls ? "rediss" : "redis"}://${input.host}:${input.port}`;
}

/** Exporter as a Deployment + Service + ServiceMonitor next to the workloads, credentials from the Secret. */
export function kubernetesExporter(input: ExporterInput): ExporterOutput {
  const { name, db } = input;
  const secretName = input.secretName!;
  const env: k8s.types.input.core.v1.EnvVar[] = {
    postgres: [
      { name: "DATA_SOURCE_NAME", valueFrom: { secretKeyRef: { name: secretName, key: URL_KEY } } },
      { name: "PG_EXPORTER_AUTO_DISCOVER_DATABASES", value: "false" },
    ],
    redis: [
      { name: "REDIS_ADDR", value: redisAddress(input) },
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: PASSWORD_KEY } } },
    ],
    mongodb: mongodbExporterEnv(secretName, input.caBundle),
  }[db.engine];
  return exporterWorkload(input, exporterJob(name, db.engine), `${name}-exporter`, env);
}

/**
 * mongodb_exporter's MONGODB_URI from the credentials Secret. With a CA bundle the URL gets `tlsCAFile` by Kubernetes'
 * `$(VAR)` expansion of the Secret-sourced variable, so the exporter verifies the server while the password stays
 * in the Secret (never in the spec), and services reading the same Secret URL are not tied to the mount path.
 */
export function mongodbExporterEnv(secretName: pulumi.Input<string>, caBundle?: ExporterInput["caBundle"]): k8s.types.input.core.v1.EnvVar[] {
  const fromSecret = { valueFrom: { secretKeyRef: { name: secretName, key: URL_KEY } } };
  if (!caBundle) return [{ name: "MONGODB_URI", ...fromSecret }];
  // The generated URL always has a query (authSource, tls, ...), so the option is appended with `&`.
  return [
    { name: "MONGODB_SECRET_URI", ...fromSecret },
    { name: "MONGODB_URI", value: `$(MONGODB_SECRET_URI)&tlsCAFile=${caBundle.file}` },
  ];
}

/** Prometheus `job` of the exporter of PostgreSQL read replica `index` (1-based). */
export function replicaExporterJob(name: string, index: number): string {
  return k8sName(name, "replica", String(index), "exporter");
}

/** Regex (PromQL `=~`) matching the jobs of every replica exporter of a database. */
export function replicaJobPattern(name: string): string {
  return `${name}-replica-[0-9]+-exporter`;
}

/**
 * postgres_exporter reading one read replica, so replication lag is measured where it happens (the primary
 * always reports 0). The DSN is split so the password still comes from the credentials Secret only.
 */
export function kubernetesReplicaExporter(input: ExporterInput, index: number, host: pulumi.Output<string>, port: pulumi.Output<number>): ExporterOutput {
  const { name, db } = input;
  const env: k8s.types.input.core.v1.EnvVar[] = [
    { name: "DATA_SOURCE_URI", value: pulumi.interpolate`${host}:${port}/${db.databaseName}?sslmode=${input.tls ? "require" : "disable"}` },
    { name: "DATA_SOURCE_USER", value: db.username },
    { name: "DATA_SOURCE_PASS", valueFrom: { secretKeyRef: { name: input.secretName!, key: PASSWORD_KEY } } },
    { name: "PG_EXPORTER_AUTO_DISCOVER_DATABASES", value: "false" },
  ];
  const out = exporterWorkload(input, replicaExporterJob(name, index), `${name}-replica-${index}-exporter`, env);
  const roles: Record<string, string> = { exporterDeployment: "Deployment", exporterService: "Service", serviceMonitor: "ServiceMonitor" };
  return {
    ...out,
    children: Object.fromEntries(Object.entries(out.children).map(([role, r]) => [`replica${index}${roles[role] ?? role}`, r])),
  };
}

function exporterWorkload(input: ExporterInput, job: string, childName: string, env: k8s.types.input.core.v1.EnvVar[]): ExporterOutput {
  const { parent, name, db, ctx } = input;
  // Replica exporters read one PostgreSQL replica; only a Redis cluster's primary exporter scrapes its nodes.
  const nodes = db.engine === "redis" && childName === `${name}-exporter` ? input.redisNodes : undefined;
  const spec = EXPORTERS[db.engine];
  const w = sharedExporterWorkload({
    parent,
    ctx,
    transforms: db.transforms,
    childName,
    policyName: childName,
    job,
    ownerLabels: { "platform.example.org/database": name },
    image: spec.image,
    port: spec.port,
    uid: spec.uid,
    env,
    ...(spec.args ? { args: spec.args } : {}),
    ...(nodes ? { endpoints: redisClusterEndpoints(nodes, input.port, input.tls) } : {}),
    egressPorts: [input.port],
    ...(input.caBundle && childName === `${name}-exporter`
      ? { configMapMounts: [{ volume: "ca-bundle", configMap: input.caBundle.configMap, mountPath: input.caBundle.file.replace(/\/[^/]+$/, "") }] }
      : {}),
  });
  return {
    job,
    children: { exporterDeployment: w.deployment, exporterService: w.service, serviceMonitor: w.serviceMonitor, exporterNetworkPolicy: w.networkPolicy },
    scrapeTargets: [],
  };
}

/** Exporter as a container on the backend network, scraped through a static target. */
export function dockerExporter(input: ExporterInput): ExporterOutput {
  const { parent, name, db, ctx } = input;
  const spec = EXPORTERS[db.engine];
  const job = exporterJob(name, db.engine);
  const opts = { parent, ...providerFor(ctx, "docker") };
  const t = db.transforms;
  const envs = {
    postgres: () => input.url.apply((u) => [`DATA_SOURCE_NAME=${u}`, "PG_EXPORTER_AUTO_DISCOVER_DATABASES=false"]),
    redis: () => pulumi.all([redisAddress(input), input.password]).apply(([addr, pw]) => [`REDIS_ADDR=${addr}`, `REDIS_PASSWORD=${pw}`]),
    mongodb: () => input.url.apply((u) => [`MONGODB_URI=${u}`]),
  }[db.engine]();
  const image = new docker.RemoteImage(`${name}-exporter-image`, applyTransform(t, "exporterImage", { name: spec.image, keepLocally: true }), opts);
  const container = new docker.Container(
    `${name}-exporter`,
    applyTransform(t, "exporterContainer", {
      image: image.imageId,
      hostname: job,
      user: `${spec.uid}:${spec.uid}`,
      ...(spec.args ? { command: spec.args } : {}),
      envs: pulumi.secret(envs),
      memory: 128,
      ...dockerHardening(ctx, job, "metrics-exporter"),
    } satisfies docker.ContainerArgs),
    opts,
  );
  return {
    job,
    children: { exporterImage: image, exporterContainer: container },
    scrapeTargets: [{ job, targets: [`${job}:${spec.port}`], labels: { database: name } }],
  };
}
