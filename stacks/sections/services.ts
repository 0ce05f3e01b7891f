import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { SHARED_ENV_CONFIG_MAP, SHARED_ENV_MAX_BYTES, sharedEnvBytes, sharedEnvConfigMap } from "../../components/app-service/shared-env";
import { providerFor } from "../../components/lib/platform";
import { APP_SERVICE_KINDS, AppService, type AppServiceArgs, type AppServiceKind, resolveGrpcRoutes, validateAppServiceArgs } from "../../components/app-service";
import {
  autoscalingSchema,
  dockerSchema,
  networkPolicySchema,
  replicasSchema,
  serviceNameSchema,
  workloadFieldSchemas,
} from "../../components/app-service/validate";
import type { DatabaseConnection } from "../../components/lib/contracts";
import type { KafkaConnection } from "../../components/kafka-cluster";
import type { DataStoreEgress } from "../../components/lib/network-policy";
import { defaultTlsSecretName, type EdgeHost, type RouteVisibility } from "../../components/lib/gateway";
import { cpuQuantity, dnsLabel, dnsSubdomain, memoryQuantity, parseOrThrow, pinnedImage, port, keyPath, describeValue, Problems, ValidationError } from "../../components/lib/validation";
import { CONFIG_NAMESPACE } from "../config";
import type { Profile } from "../profiles";
import { DEFAULT_KAFKA_ENV_PREFIX, KAFKA_ENV_SUFFIXES, kafkaClusterOf, kafkaConnectionEnv } from "./kafka-connections";
import { mergeServiceLayers } from "./service-layers";
import type { RequiredSecret, SectionContext } from "./types";

/**
 * The `platform:services` config section: a list of AppServices.
 *
 *   services:
 *     - name: api
 *       kind: api
 *       image: registry.example.com/paimon/api:1.4.2
 *       port: 8000
 *       secretEnv: { API_KEY: apiKey }              # env name -> secret config key (pulumi config set --secret apiKey ...)
 *       connections: [{ database: orders, envPrefix: DATABASE }]
 *       ingress: { host: api.example.com }
 *       metrics: { port: 9100 }
 *
 * Settings left out take the environment profile's defaults (replicas, prod autoscaling, PDB, zone spread,
 * requests/limits).
 */
export const SECTION_KEY = "services";
const PREFIX = `${CONFIG_NAMESPACE}:${SECTION_KEY}`;
const SOURCE = "stack config";

const configKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { message: "must be a config key name like apiKey" });

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, { message: "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)" });

const connectionSchema = z.strictObject({
  database: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z][a-z0-9_]{0,30})?|kafka\/[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, {
      message: "must name a database in platform:databases, <database>/<logical database> (e.g. main-db/orders) or kafka/<cluster of platform:kafka>",
    })
    .describe(
      "Name of a database in `platform:databases`, or one of its PostgreSQL `logicalDatabases` as `<name>/<database>` " +
        "(the service then gets that database's own role and password), or a Kafka cluster of `platform:kafka` as `kafka/<cluster>` " +
        "(the service gets `<PREFIX>_BOOTSTRAP_SERVERS`, `_SECURITY_PROTOCOL`, `_SASL_MECHANISM`, `_USERNAME` and `_PASSWORD` from the cluster's Secret, " +
        "and egress to the brokers' port). Example: `main-db/orders`, `kafka/events`",
    ),
  urlEnv: envName
    .optional()
    .describe("Also inject the full connection URL (`postgresql://user:password@host:port/db?sslmode=require`, `rediss://:password@host:port/0`) under this name, read from the database's Secret on Kubernetes and as a secret env on Docker. Not for Kafka connections (Kafka has no connection URL). Example: `DATABASE_URL`"),
  envPrefix: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, { message: "must be an upper-case env prefix like DATABASE" })
    .optional()
    .describe(
      "Prefix of the injected variables `<PREFIX>_HOST`, `_PORT`, `_USER`, `_NAME` and `_PASSWORD` (the password from the database's Secret), plus `_REPLICA_HOSTS` (comma-separated) when the database has read replicas; " +
        "for a Kafka cluster `<PREFIX>_BOOTSTRAP_SERVERS`, `_SECURITY_PROTOCOL` (SASL_SSL or SASL_PLAINTEXT), `_SASL_MECHANISM`, `_USERNAME` and `_PASSWORD`. Default: `DATABASE` (`KAFKA` for a Kafka cluster). Example: `EVENTS`",
    ),
});

const partialQuantities = (which: string) =>
  z.strictObject({
    cpu: cpuQuantity.optional().describe(`CPU ${which}. Example: \`250m\``),
    memory: memoryQuantity.optional().describe(`Memory ${which}. Example: \`512Mi\``),
  });

/** Every setting of a service but its name: what serviceDefaults and serviceTemplates hold, all optional there. */
const serviceFields = {
  kind: z
    .enum(APP_SERVICE_KINDS as [AppServiceKind, ...AppServiceKind[]], { message: `must be one of ${APP_SERVICE_KINDS.join(", ")}` })
    .describe("`web` (HTTP behind the ingress), `api` (HTTP called by other services, ingress optional), `worker` (no Service), `singleton` (exactly 1 replica, Recreate, no HPA). Caution: changing it adds or removes the Service, Ingress and HPA. Required, here or through template/serviceDefaults."),
  image: pinnedImage.describe("Container image pinned by tag or digest; `latest` and untagged images are refused. Required, here or through template/serviceDefaults. Example: `registry.example.com/paimon/api:1.4.2`"),
  port: port.optional().describe("Port the container listens on; required for web and api (the Service and probes target it)."),
  command: z.array(z.string()).optional().describe("Overrides the image entrypoint. Example: `[python, -m, app.worker]`"),
  args: z.array(z.string()).optional().describe("Arguments to the entrypoint."),
  env: z.record(z.string(), z.string()).optional().describe("Plain environment variables. Never put secrets here: use secretEnv."),
  secretEnv: z
    .record(z.string(), configKey)
    .optional()
    .describe("Secret environment: variable name -> name of a secret config key (`pulumi config set --secret <key> ...`). Delivered through a Kubernetes Secret or secret Docker env. Example: `{JWT_SECRET: apiJwtSecret}`"),
  secretRefs: z
    .record(
      z.string(), // names are checked by the component, with their key path
      z.strictObject({
        name: dnsSubdomain.describe("Name of an existing Kubernetes Secret in the workload namespace."),
        key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: "must be a Secret data key ([-._a-zA-Z0-9]+)" }).describe("Key inside that Secret."),
      }),
    )
    .optional()
    .describe("Environment read from existing Kubernetes Secrets (created outside this stack, e.g. by an operator); Kubernetes target only. Example: `{STRIPE_KEY: {name: payment-keys, key: stripe}}`"),
  connections: z
    .array(connectionSchema)
    .optional()
    .describe("Databases the service uses: injects host, port, user, database name and password variables."),
  resources: z
    .strictObject({
      requests: partialQuantities("request").optional().describe("Resources the scheduler reserves."),
      limits: partialQuantities("limit").optional().describe("Hard caps; requests must fit inside them."),
    })
    .optional()
    .describe("Requests and limits, merged over the profile's (so one value can be overridden alone). Default: requests 250m/512Mi, limits 500m/1Gi."),
  replicas: replicasSchema.optional(),
  autoscaling: z
    .union([z.literal(false), autoscalingSchema])
    .optional()
    .describe("HorizontalPodAutoscaler (then no fixed replicas); `false` turns the prod default off; never for singletons. Default: prod `{min: 3, max: 10, cpuPercent: 70, memoryPercent: 80}`, none elsewhere."),
  ...workloadFieldSchemas,
  sharedEnv: z
    .boolean()
    .optional()
    .describe("Read `platform:sharedEnv`: on Kubernetes through envFrom of the `shared-env` ConfigMap, with a checksum annotation so a change of a shared value rolls the pods; on Docker as container env. The service's own env, secretEnv, secretRefs and connection variables win over a shared one of the same name. Default: true whenever platform:sharedEnv is set. Example: false"),
  runAsUser: z
    .number()
    .int()
    .min(1, { message: "must be a UID of at least 1 (0 is root)" })
    .optional()
    .describe("UID and GID the container runs as (never root). Default: 10001."),
  networkPolicy: networkPolicySchema.optional(),
  docker: dockerSchema.optional(),
};

/** One service after serviceDefaults and its template are merged in: kind and image are required now. */
const serviceSchema = z.strictObject({ name: serviceNameSchema, ...serviceFields });

/** Settings shared by several services (serviceDefaults, a template): any service field, all optional. */
const sharedServiceSchema = z.strictObject(serviceFields).partial();

const entrySchema = z.strictObject({
  name: serviceNameSchema,
  ...sharedServiceSchema.shape,
  template: dnsLabel
    .optional()
    .describe("Name of an entry of `platform:serviceTemplates` this service starts from (merged over serviceDefaults, under the entry's own settings)."),
});

/** Zod schema of `platform:services` (absent = no services). */
export const schema = z.array(entrySchema).default([]).describe("Workloads of the stack, one AppService each.");

export const DEFAULTS_KEY = "serviceDefaults";
export const TEMPLATES_KEY = "serviceTemplates";

/** `platform:serviceDefaults` */
export const defaultsSchema = sharedServiceSchema
  .optional()
  .describe(
    "Settings merged under every service (any service field but name): maps and objects merge key by key, lists and scalars are replaced by the service's own. Example: `{resources: {limits: {memory: 2Gi}}, env: {LOG_FORMAT: json}}`",
  );

/** `platform:serviceTemplates` */
export const templatesSchema = z
  .record(dnsLabel, sharedServiceSchema)
  .default({})
  .describe(
    "Named service templates for many similar services: a service with `template: <name>` starts from it (over serviceDefaults), so each entry only states what differs, e.g. name, image and port. Example: `{java-api: {kind: api, port: 8080, metrics: {path: /actuator/prometheus}}}`",
  );

export const SHARED_ENV_KEY = "sharedEnv";

/** `platform:sharedEnv` */
export const sharedEnvSchema = z
  .record(z.string(), z.string({ message: "must be a string (quote numbers and booleans in YAML)" }))
  .default({})
  .superRefine((values, ctx) => {
    const bytes = sharedEnvBytes(values);
    if (bytes > SHARED_ENV_MAX_BYTES) ctx.addIssue({ code: "custom", message: `must hold at most ${SHARED_ENV_MAX_BYTES} bytes of names and values (a ConfigMap is capped at 1 MiB); got ${bytes} bytes` });
  })
  .describe(
    "Plain environment variables shared by every service that reads them (see services[].sharedEnv, on by default): one ConfigMap `shared-env` in the workload namespace on Kubernetes, read through envFrom, container env on Docker. Never put secrets here: use secretEnv. Default: none. Example: `{LOG_FORMAT: json, REGION: eu-west-1}`",
  );

export type ServiceConfig = z.output<typeof serviceSchema>;
export type ServicesConfig = ServiceConfig[];

/** Parses `platform:sharedEnv` (absent = no shared environment). */
export function parseSharedEnv(raw: unknown): Record<string, string> {
  const prefix = `${CONFIG_NAMESPACE}:${SHARED_ENV_KEY}`;
  const values = parseOrThrow(sharedEnvSchema, raw, SOURCE, prefix);
  // Names are checked here rather than by a key schema, so the message shows the name rather than its value.
  const p = new Problems(SOURCE, prefix);
  for (const name of Object.keys(values)) {
    if (!ENV_NAME.test(name)) p.add([name], name, "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  }
  p.throwIfAny();
  return values;
}

/** Raw values of the keys that shape the services: the list itself, serviceDefaults and serviceTemplates. */
export interface RawServiceKeys {
  services?: unknown;
  serviceDefaults?: unknown;
  serviceTemplates?: unknown;
}

/**
 * Parses `platform:services` with `serviceDefaults` and `serviceTemplates` merged in (see ./service-layers.ts),
 * naming `platform:services[i].<key>`, `platform:serviceDefaults.<key>` or `platform:serviceTemplates.<name>.<key>`
 * in errors; every problem of the three keys is reported in one error.
 */
export function parseServices(raw: unknown, shared: Omit<RawServiceKeys, "services"> = {}): ServicesConfig {
  const problems: string[] = [];
  const collect = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.push(...e.problems);
      return undefined;
    }
  };
  const entries = collect(() => parseOrThrow(schema, raw, SOURCE, PREFIX));
  const defaults = collect(() => parseOrThrow(defaultsSchema, shared.serviceDefaults, SOURCE, `${CONFIG_NAMESPACE}:${DEFAULTS_KEY}`));
  const templates = collect(() => parseOrThrow(templatesSchema, shared.serviceTemplates, SOURCE, `${CONFIG_NAMESPACE}:${TEMPLATES_KEY}`));
  if (problems.length > 0 || !entries || !templates) throw new ValidationError(SOURCE, problems);

  const out: ServicesConfig = [];
  entries.forEach(({ template, ...own }, i) => {
    if (template !== undefined && !(template in templates)) {
      const known = Object.keys(templates).join(", ") || "none";
      problems.push(`${keyPath(PREFIX, [i, "template"])}: must name an entry of ${CONFIG_NAMESPACE}:${TEMPLATES_KEY} (known: ${known}) (got ${describeValue(template)})`);
      return;
    }
    const merged = mergeServiceLayers(defaults, template === undefined ? undefined : templates[template], own);
    const service = collect(() => parseOrThrow(serviceSchema, merged, SOURCE, keyPath(PREFIX, [i])));
    if (service) out.push(service);
  });
  if (problems.length > 0) throw new ValidationError(SOURCE, problems);
  return out;
}

/** Every secret config key the services read, with the setting that needs it. */
export function servicesRequiredSecrets(parsed: ServicesConfig): RequiredSecret[] {
  return parsed.flatMap((svc, i) =>
    Object.entries(svc.secretEnv ?? {}).map(([envName, key]) => ({ key, usedBy: keyPath(PREFIX, [i, "secretEnv", envName]) })),
  );
}

/** One planned service: validated component args plus what `build` resolves from secrets and databases. */
export interface ServicePlan {
  name: string;
  /** Component args, profile defaults applied, without secret values (`secretEnvKeys` names them). */
  args: AppServiceArgs;
  /** Env name -> secret config key. */
  secretEnvKeys: Record<string, string>;
  connections: Array<{ database: string; envPrefix: string; urlEnv?: string }>;
}
export type ServicesPlan = ServicePlan[];

const CONNECTION_SUFFIXES = ["HOST", "PORT", "USER", "NAME", "PASSWORD", "REPLICA_HOSTS"] as const;

/**
 * Profile defaults applied to one service's config. The Docker target runs one container per service, so the
 * profile's scaling and availability defaults (prod: HPA 3-10, PDB, zone spread) do not apply there: a prod
 * Docker stack gets one container per service unless the user asks for more (and is then told why not).
 */
function withProfile(svc: ServiceConfig, profile: Profile, target: SectionContext["platform"]["target"]): AppServiceArgs {
  const app = target === "docker" ? { ...profile.app, replicas: 1, autoscaling: undefined, podDisruptionBudget: false, zoneSpread: false } : profile.app;
  const singleton = svc.kind === "singleton";
  const profileTargets = app.autoscaling ? { cpuPercent: app.autoscaling.cpuPercent, memoryPercent: app.autoscaling.memoryPercent } : {};
  // Own bounds without own targets keep the profile's targets (prod: CPU 70 % and memory 80 %); naming either
  // target means the service chose its targets.
  const own = svc.autoscaling === false ? undefined : svc.autoscaling;
  const ownTargets = own && (own.cpuPercent !== undefined || own.memoryPercent !== undefined);
  const autoscaling =
    svc.autoscaling === false
      ? undefined
      : own
        ? { ...(ownTargets ? {} : profileTargets), ...own }
        : svc.replicas === undefined && !singleton && app.autoscaling
          ? { min: app.autoscaling.min, max: app.autoscaling.max, ...profileTargets }
          : undefined;
  const replicas = autoscaling ? svc.replicas : (svc.replicas ?? (singleton ? 1 : app.replicas));
  const minReplicas = autoscaling?.min ?? replicas ?? 1;
  const resources = {
    requests: { ...app.resources.requests, ...(svc.resources?.requests ?? {}) },
    limits: { ...app.resources.limits, ...(svc.resources?.limits ?? {}) },
  } as AppServiceArgs["resources"];
  const { secretEnv: _secretEnv, connections: _connections, name: _name, autoscaling: _a, replicas: _r, resources: _res, sharedEnv: _shared, ...rest } = svc;
  return {
    ...rest,
    resources,
    ...(replicas !== undefined ? { replicas } : {}),
    ...(autoscaling ? { autoscaling } : {}),
    // A PDB needs two replicas to leave one running during a drain; singletons never get one by default.
    podDisruptionBudget: svc.podDisruptionBudget ?? (app.podDisruptionBudget && !singleton && minReplicas >= 2),
    zoneSpread: svc.zoneSpread ?? (app.zoneSpread && !singleton),
  };
}

/**
 * Pure: validates every service (section rules and all AppService rules) and returns component args. Throws one
 * ValidationError listing every problem with its `platform:services[i]...` key path. Registers nothing.
 */
export function planServices(
  parsed: ServicesConfig,
  sctx: SectionContext,
  knownDatabases: ReadonlyArray<string>,
  sharedEnv: Readonly<Record<string, string>> = {},
  knownKafka: ReadonlyArray<string> = [],
): ServicesPlan {
  const problems: string[] = [];
  const add = (path: ReadonlyArray<PropertyKey>, value: unknown, allowed: string) =>
    problems.push(`${keyPath(PREFIX, path)}: ${allowed} (got ${describeValue(value)})`);
  const names = parsed.map((s) => s.name);

  const plan: ServicesPlan = [];
  parsed.forEach((svc, i) => {
    const first = names.indexOf(svc.name);
    if (first !== i) add([i, "name"], svc.name, `duplicates the name of platform:services[${first}]; service names must be unique`);
    // A routed gRPC port's GRPCRoute and BackendTrafficPolicy are named <service>-<port>: that must not be another
    // service's name (its HTTPRoute policy has the same kind and name).
    (svc.extraPorts ?? []).forEach((e, j) => {
      const objectName = `${svc.name}-${e.name}`;
      const other = names.indexOf(objectName);
      if (e.route && other >= 0) {
        add([i, "extraPorts", j, "name"], e.name, `names the GRPCRoute and its BackendTrafficPolicy "${objectName}", which is the name of platform:services[${other}] (whose own policy has that name); rename the port or that service`);
      }
    });
    (svc.allowedCallers ?? []).forEach((caller, j) => {
      if (!names.includes(caller)) add([i, "allowedCallers", j], caller, `must name a service in platform:services (known: ${names.join(", ")})`);
    });

    const taken = new Set([...Object.keys(svc.env ?? {}), ...Object.keys(svc.secretEnv ?? {}), ...Object.keys(svc.secretRefs ?? {})]);
    const prefixes = new Set<string>();
    const connections: ServicePlan["connections"] = [];
    (svc.connections ?? []).forEach((given, j) => {
      const cluster = kafkaClusterOf(given.database);
      const conn = { ...given, envPrefix: given.envPrefix ?? (cluster !== undefined ? DEFAULT_KAFKA_ENV_PREFIX : "DATABASE") };
      connections.push(conn);
      if (cluster !== undefined) {
        if (!knownKafka.includes(cluster)) {
          add([i, "connections", j, "database"], conn.database, `must name a Kafka cluster of platform:kafka as kafka/<cluster> (known: ${knownKafka.join(", ") || "none"})`);
        } else if (knownDatabases.includes(conn.database)) {
          add([i, "connections", j, "database"], conn.database, `is ambiguous: the Kafka cluster "${cluster}" and a logical database of the database "kafka"; rename one of them`);
        }
        if (conn.urlEnv !== undefined) add([i, "connections", j, "urlEnv"], conn.urlEnv, "is not available for a Kafka connection (Kafka has no connection URL); remove it");
      } else if (!knownDatabases.includes(conn.database)) {
        add([i, "connections", j, "database"], conn.database, `must name a database in platform:databases or one of its logical databases as <name>/<database> (known: ${knownDatabases.join(", ") || "none"})`);
      }
      if (prefixes.has(conn.envPrefix)) {
        add([i, "connections", j, "envPrefix"], conn.envPrefix, "is already used by another connection of this service");
        return;
      }
      prefixes.add(conn.envPrefix);
      const suffixes: readonly string[] = cluster !== undefined ? KAFKA_ENV_SUFFIXES : CONNECTION_SUFFIXES;
      const clash = suffixes.map((s) => `${conn.envPrefix}_${s}`).filter((n) => taken.has(n));
      if (clash.length > 0) add([i, "connections", j, "envPrefix"], conn.envPrefix, `would overwrite ${clash.join(", ")} set in env/secretEnv/secretRefs; choose another prefix`);
      suffixes.forEach((s) => taken.add(`${conn.envPrefix}_${s}`));
      if (conn.urlEnv !== undefined) {
        if (taken.has(conn.urlEnv)) add([i, "connections", j, "urlEnv"], conn.urlEnv, "is already set by env, secretEnv, secretRefs or another connection; choose another name");
        taken.add(conn.urlEnv);
      }
    });

    const args = withProfile(svc, sctx.profile, sctx.platform.target);
    const hasShared = Object.keys(sharedEnv).length > 0;
    if (svc.sharedEnv === true && !hasShared) {
      add([i, "sharedEnv"], svc.sharedEnv, `reads ${CONFIG_NAMESPACE}:${SHARED_ENV_KEY}, which is not set; set it, or remove sharedEnv`);
    }
    // The ConfigMap's name until build registers it (and passes its name as an Output, which orders the pods after it).
    if (hasShared && svc.sharedEnv !== false) args.sharedEnv = { configMap: SHARED_ENV_CONFIG_MAP, values: { ...sharedEnv } };
    try {
      // Same rules as the component, with placeholder secret values (only the names matter here).
      const placeholders = Object.fromEntries(Object.keys(svc.secretEnv ?? {}).map((k) => [k, "<secret>"]));
      validateAppServiceArgs(svc.name, { ...args, secretEnv: placeholders }, sctx.platform, { source: SOURCE, prefix: keyPath(PREFIX, [i]) });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      problems.push(...e.problems);
    }
    plan.push({ name: svc.name, args, secretEnvKeys: { ...(svc.secretEnv ?? {}) }, connections });
  });

  if (problems.length > 0) throw new ValidationError(SOURCE, problems);
  return plan;
}

/**
 * Pure: the HTTPS hosts the edge Gateways must serve, one per distinct `ingress.host` or gRPC route host
 * (`extraPorts[].route`). Services may share a host (different paths) but must agree on its visibility and
 * certificate Secret; a gRPC route on a host another route serves must name its gRPC services, and no service is
 * routed twice on one host. On the platform edge every certificate comes from the edge's ClusterIssuer
 * (cert-manager issues per Gateway). Throws one ValidationError naming each conflicting `platform:services[i]...` key.
 */
export function planEdgeHosts(plan: ServicesPlan, edgeIssuer: string): EdgeHost[] {
  const problems: string[] = [];
  const add = (path: ReadonlyArray<PropertyKey>, value: unknown, allowed: string) =>
    problems.push(`${keyPath(PREFIX, path)}: ${allowed} (got ${describeValue(value)})`);
  /** One route on a host; `who` names it in messages (the service for its HTTP route, the port's route for gRPC). */
  interface Claim { host: string; visibility: RouteVisibility; tlsSecretName: string; at: PropertyKey[]; who: string; services?: string[] }
  const httpClaims: Claim[] = [];
  const grpcClaims: Claim[] = [];
  plan.forEach((svc, i) => {
    const ing = svc.args.ingress;
    if (ing) {
      if (ing.tls?.clusterIssuer !== undefined && ing.tls.clusterIssuer !== edgeIssuer) {
        add([i, "ingress", "tls", "clusterIssuer"], ing.tls.clusterIssuer,
          `must be the edge's issuer "${edgeIssuer}" or left out: cert-manager issues the certificates of a Gateway from the one issuer annotated on it (set platform:edge.acmeServer to switch)`);
      }
      httpClaims.push({ host: ing.host, visibility: ing.visibility ?? "public", tlsSecretName: ing.tls?.secretName ?? defaultTlsSecretName(ing.host), at: [i, "ingress"], who: keyPath(PREFIX, [i]) });
    }
    const ports = svc.args.extraPorts ?? [];
    for (const route of resolveGrpcRoutes(ports, ing, { rps: 0, burst: 0 })) {
      const j = ports.findIndex((e) => e.name === route.portName);
      const at = [i, "extraPorts", j, "route"];
      grpcClaims.push({ host: route.host, visibility: route.visibility, tlsSecretName: route.tlsSecretName, at, who: keyPath(PREFIX, at), services: route.services });
    }
  });

  const hosts = new Map<string, EdgeHost & { first: Claim }>();
  const describe = (c: Claim) => c.who;
  // HTTP routes first: a gRPC route on their host uses the host's listener and certificate as they declare them.
  for (const claim of httpClaims) {
    const first = hosts.get(claim.host)?.first;
    if (!first) {
      hosts.set(claim.host, { host: claim.host, visibility: claim.visibility, tlsSecretName: claim.tlsSecretName, first: claim });
      continue;
    }
    if (first.visibility !== claim.visibility) {
      add([...claim.at, "visibility"], claim.visibility, `must match ${describe(first)} (${first.visibility}), which serves the same host ${claim.host}; a host is either public or internal`);
    }
    if (first.tlsSecretName !== claim.tlsSecretName) {
      add([...claim.at, "tls", "secretName"], claim.tlsSecretName, `must match ${describe(first)} (${first.tlsSecretName}), which serves the same host ${claim.host}; a host has one certificate`);
    }
  }
  grpcClaims.forEach((claim, n) => {
    const entry = hosts.get(claim.host);
    if (!entry) {
      hosts.set(claim.host, { host: claim.host, visibility: claim.visibility, tlsSecretName: claim.tlsSecretName, grpc: true, first: claim });
    } else {
      entry.grpc = true;
      if (entry.first !== claim && entry.visibility !== claim.visibility) {
        add([...claim.at, "visibility"], claim.visibility, `must match ${describe(entry.first)} (${entry.visibility}), which serves the same host ${claim.host}; a host is either public or internal`);
      }
    }
    const others = [...httpClaims.filter((c) => c.host === claim.host), ...grpcClaims.filter((c, m) => m !== n && c.host === claim.host)];
    if (others.length > 0 && claim.services!.length === 0) {
      add([...claim.at, "services"], undefined, `must name the gRPC services routed because ${describe(others[0])} also serves host ${claim.host} (Envoy Gateway ranks routes by path: only named services outrank an HTTP route's /); or give the route a host of its own`);
    }
    grpcClaims.slice(0, n).filter((c) => c.host === claim.host).forEach((earlier) => {
      const twice = claim.services!.filter((svc) => earlier.services!.includes(svc));
      if (twice.length > 0) add([...claim.at, "services"], twice, `are already routed by ${describe(earlier)} on host ${claim.host}; route each gRPC service to one port`);
    });
  });
  // Listeners whose certificates overlap get ALPN http/1.1 only from Envoy Gateway (against HTTP/2 connection
  // coalescing across listeners), and gRPC needs HTTP/2: a gRPC host keeps a certificate of its own.
  for (const entry of hosts.values()) {
    if (!entry.grpc) continue;
    const sharing = [...hosts.values()].filter((h) => h.host !== entry.host && h.tlsSecretName === entry.tlsSecretName).map((h) => h.host);
    if (sharing.length === 0) continue;
    const claim = grpcClaims.find((c) => c.host === entry.host)!;
    add([...claim.at, "host"], entry.host,
      `shares the certificate Secret ${entry.tlsSecretName} with ${sharing.join(", ")}; Envoy Gateway offers only HTTP/1.1 on listeners with overlapping certificates and gRPC needs HTTP/2: give one of the hosts its own ingress.tls.secretName`);
  }
  if (problems.length > 0) throw new ValidationError(SOURCE, problems);
  return [...hosts.values()].map(({ host, visibility, tlsSecretName, grpc }) => ({ host, visibility, tlsSecretName, ...(grpc ? { grpc } : {}) }));
}

/** Environment a service gets from one database connection. */
export function connectionEnv(
  conn: DatabaseConnection,
  use: { envPrefix: string; urlEnv?: string },
  target: SectionContext["platform"]["target"],
): Pick<AppServiceArgs, "env" | "secretEnv" | "secretRefs"> {
  const { envPrefix, urlEnv } = use;
  const env: Record<string, pulumi.Input<string>> = {
    [`${envPrefix}_HOST`]: conn.host,
    [`${envPrefix}_PORT`]: conn.port.apply(String),
  };
  if (conn.user) env[`${envPrefix}_USER`] = conn.user;
  if (conn.database) env[`${envPrefix}_NAME`] = conn.database;
  // Read replicas share port, user and password; read-only traffic picks a host from the list.
  if (conn.replicaHosts?.length) env[`${envPrefix}_REPLICA_HOSTS`] = pulumi.all(conn.replicaHosts).apply((hosts) => hosts.join(","));
  // Prefer the data store's own Secret on Kubernetes; otherwise the password (and URL) travel as Pulumi secrets.
  if (target === "kubernetes" && conn.secretRef) {
    const ref = conn.secretRef;
    return {
      env,
      secretRefs: {
        [`${envPrefix}_PASSWORD`]: { name: ref.name, key: ref.passwordKey },
        ...(urlEnv ? { [urlEnv]: { name: ref.name, key: ref.urlKey } } : {}),
      },
    };
  }
  if (urlEnv && !conn.url) throw new Error(`services: connection ${envPrefix} asks for ${urlEnv} but the database publishes no URL`);
  return {
    env,
    secretEnv: { [`${envPrefix}_PASSWORD`]: pulumi.secret(conn.password), ...(urlEnv ? { [urlEnv]: pulumi.secret(conn.url!) } : {}) },
  };
}

export interface ServicesDeps {
  /** Connections of the databases built before the services, by database name. */
  connections: Record<string, DatabaseConnection>;
  /** Connections of the Kafka clusters built before the services, by cluster name (`connections: [{database: kafka/<name>}]`). */
  kafka?: Record<string, KafkaConnection>;
  /**
   * ClusterIssuer the foundation's edge installed (e.g. `letsencrypt-staging` on staging); recorded on every
   * ingress whose config names none. @default the AppService default, "letsencrypt-prod"
   */
  clusterIssuer?: string;
  /** Where the data stores live (the VPC CIDR); services get egress there on their stores' ports. @default any address */
  dataStoreCidrs?: string[];
}

/** Registers one AppService per planned service. Call only with a plan from `planServices`. */
export function buildServices(plan: ServicesPlan, sctx: SectionContext, deps: ServicesDeps): Record<string, AppService> {
  const out: Record<string, AppService> = {};
  const sharedEnv = buildSharedEnv(plan, sctx);
  for (const svc of plan) {
    const args: AppServiceArgs = {
      ...svc.args,
      ...(svc.args.sharedEnv && sharedEnv ? { sharedEnv: { ...svc.args.sharedEnv, configMap: sharedEnv.metadata.name } } : {}),
      env: { ...(svc.args.env ?? {}) },
      secretEnv: Object.fromEntries(Object.entries(svc.secretEnvKeys).map(([envName, key]) => [envName, sctx.secrets.get(key)])),
      secretRefs: { ...(svc.args.secretRefs ?? {}) },
    };
    const dataStores: DataStoreEgress[] = [];
    for (const use of svc.connections) {
      const cluster = kafkaClusterOf(use.database);
      let extra: ReturnType<typeof connectionEnv>;
      if (cluster !== undefined) {
        const kafka = deps.kafka?.[cluster];
        if (!kafka) throw new Error(`services: Kafka cluster "${cluster}" used by service "${svc.name}" was not built; build Kafka before services`);
        extra = kafkaConnectionEnv(kafka, use.envPrefix, sctx.platform.target);
        dataStores.push({ cidrs: deps.dataStoreCidrs ?? [], port: kafka.port });
      } else {
        const conn = deps.connections[use.database];
        if (!conn) throw new Error(`services: database "${use.database}" used by service "${svc.name}" was not built; build databases before services`);
        extra = connectionEnv(conn, use, sctx.platform.target);
        dataStores.push({ cidrs: deps.dataStoreCidrs ?? [], port: conn.port });
      }
      Object.assign(args.env!, extra.env);
      Object.assign(args.secretEnv!, extra.secretEnv ?? {});
      Object.assign(args.secretRefs!, extra.secretRefs ?? {});
    }
    if (Object.keys(args.secretRefs!).length === 0) delete args.secretRefs;
    if (dataStores.length > 0) args.networkPolicy = { ...args.networkPolicy, dataStores };
    if (args.ingress && deps.clusterIssuer && !args.ingress.tls?.clusterIssuer) {
      args.ingress = { ...args.ingress, tls: { ...args.ingress.tls, clusterIssuer: deps.clusterIssuer } };
    }
    out[svc.name] = new AppService(svc.name, args, sctx.platform);
  }
  return out;
}

/** Kubernetes: the shared-env ConfigMap, when a service reads it (the values are the same in every plan). */
function buildSharedEnv(plan: ServicesPlan, sctx: SectionContext): k8s.core.v1.ConfigMap | undefined {
  const values = plan.find((p) => p.args.sharedEnv)?.args.sharedEnv?.values;
  if (!values || sctx.platform.target !== "kubernetes") return undefined;
  return new k8s.core.v1.ConfigMap("shared-env", sharedEnvConfigMap(values, sctx.platform), { ...providerFor(sctx.platform, "kubernetes") });
}

/** Section contract names (see ./types.ts). */
export const plan = planServices;
export const build = buildServices;
