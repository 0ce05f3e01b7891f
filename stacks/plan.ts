import { capacityProblems } from "./capacity";
import * as alerting from "./sections/alerting";
import * as backups from "./sections/backups";
import * as databases from "./sections/databases";
import * as dockerEdge from "./sections/docker-edge";
import * as foundation from "./sections/foundation";
import * as kafka from "./sections/kafka";
import * as logging from "./sections/logging";
import * as tracing from "./sections/tracing";
import * as services from "./sections/services";
import { Problems, ValidationError } from "../components/lib/validation";
import { CONFIG_KEYS } from "./config-keys";
import { CONFIG_NAMESPACE, configKeyProblems, parseRoot, PLANNING_KEYS, readRawConfig, rootForPlanning, rootSchema, type RootConfig } from "./config";
import { derivedNameProblems } from "./names";
import { planningContext } from "./context";
import type { HostPortClaim } from "../components/lib/host-ports";
import { assertNoHostPortCollisions } from "./ports";
import { profileFor } from "./profiles";
import { SecretConfig } from "./secrets";
import type { SectionContext } from "./sections/types";

/** Every top-level key a stack may set (besides secrets referenced by other settings). */
export const KNOWN_KEYS = CONFIG_KEYS;

/** The validated, defaulted plan of a whole stack. Building it is the only step that registers resources. */
export interface PlatformPlan {
  root: RootConfig;
  sctx: SectionContext;
  foundation: foundation.FoundationPlan;
  databases: databases.DatabasesPlan;
  kafka: kafka.KafkaClustersPlan;
  services: services.ServicesPlan;
  backups: backups.BackupsPlan;
  alerting: alerting.AlertingPlan;
  logging: logging.LoggingPlan;
  tracing: tracing.TracingPlan;
  /** Docker target: the edge proxy in front of the services with an ingress (undefined when none). */
  dockerEdge?: dockerEdge.DockerEdgePlan;
  /** Docker target: every published host port and the setting that decides it (checked for collisions). */
  hostPorts: HostPortClaim[];
}

/**
 * Reads the stack config and checks everything in one pass: the root keys, every section's schema, unknown keys
 * (with typo suggestions), the secrets settings reference (present, encrypted, typos reported at the setting that
 * holds them), every section's plan and the names derived from them. Throws one ValidationError listing every
 * problem, naming key paths, values and what is allowed. Registers nothing: run it to completion before building.
 *
 * A section whose schema fails is not planned (its values are not known). A root key that fails is reported and the
 * sections are still planned, with that key at its default; only when environment, target or cloud is invalid (the
 * profile and every plan depend on them) are the sections checked against their schemas alone, which the report
 * says once.
 */
export function planPlatform(): PlatformPlan {
  const raw = readRawConfig(CONFIG_NAMESPACE);
  const problems = new Problems("stack config");
  const root = problems.collect(() => parseRoot(raw));
  const planningRoot = root ?? rootForPlanning(raw);

  const parsed = {
    services: problems.collect(() =>
      services.parseServices(raw[services.SECTION_KEY], { serviceDefaults: raw[services.DEFAULTS_KEY], serviceTemplates: raw[services.TEMPLATES_KEY] }),
    ),
    sharedEnv: problems.collect(() => services.parseSharedEnv(raw[services.SHARED_ENV_KEY])),
    databases: problems.collect(() => databases.parseDatabases(raw[databases.SECTION_KEY])),
    kafka: problems.collect(() => kafka.parseKafka(raw[kafka.SECTION_KEY])),
    backups: problems.collect(() => backups.parse(raw[backups.KEY])),
    alerting: problems.collect(() => alerting.parseAlerting(raw[alerting.SECTION_KEY])),
    logging: problems.collect(() => logging.parseLogging(raw[logging.SECTION_KEY])),
    tracing: problems.collect(() => tracing.parseTracing(raw[tracing.SECTION_KEY])),
    foundation: problems.collect(() => foundation.parseFoundation(raw)),
    // Wrapped: an absent dockerEdge section parses to undefined, which must not read as "failed to parse".
    dockerEdge: problems.collect(() => ({ value: dockerEdge.parseDockerEdge(raw[dockerEdge.SECTION_KEY]) })),
  };

  const required = [
    ...(parsed.services ? services.servicesRequiredSecrets(parsed.services) : looseReferences(raw, services.SECTION_KEY, "secretEnv")),
    ...(parsed.alerting ? alerting.alertingRequiredSecrets(parsed.alerting) : looseReferences(raw, alerting.SECTION_KEY, "receivers")),
    ...(parsed.foundation && planningRoot ? foundation.foundationRequiredSecrets(parsed.foundation, planningRoot) : []),
    ...(parsed.dockerEdge ? dockerEdge.dockerEdgeRequiredSecrets(parsed.dockerEdge.value) : []),
    ...(parsed.backups ? backups.backupsRequiredSecrets(parsed.backups) : []),
    ...(parsed.logging ? logging.loggingRequiredSecrets(parsed.logging) : []),
  ];
  const secrets = new SecretConfig(CONFIG_NAMESPACE);
  problems.addRendered(...configKeyProblems(raw, KNOWN_KEYS, required, secrets));

  // A root problem must not hide the sections' problems: plan them with the root keys that are valid on their own.
  // Only an invalid environment, target or cloud stops that, and the report says so once.
  if (!planningRoot) {
    const sections = CONFIG_KEYS.filter((k) => !(k in rootSchema.shape) && raw[k] !== undefined);
    if (sections.length > 0) {
      problems.addRendered(
        `${sections.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}: only checked against their schemas; their other checks (references, profile defaults, ` +
          `capacity, derived names) need a valid ${PLANNING_KEYS.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}: fix the problems above and run again`,
      );
    }
    throw new ValidationError("stack config", withoutRepeats(problems.all));
  }
  const sctx: SectionContext = { root: planningRoot, platform: planningContext(planningRoot), profile: profileFor(planningRoot.environment), secrets };
  const plan: Partial<PlatformPlan> = { root: planningRoot, sctx };
  if (parsed.foundation) plan.foundation = problems.collect(() => foundation.planFoundation(parsed.foundation!, sctx));
  if (parsed.databases) plan.databases = problems.collect(() => databases.planDatabases(parsed.databases!, sctx));
  if (parsed.kafka) {
    const networkZones = plan.foundation?.enabled ? plan.foundation.args.network?.zones : undefined;
    plan.kafka = problems.collect(() => kafka.planKafka(parsed.kafka!, sctx, networkZones));
  }
  // Services and backups are checked against the databases as declared, even when one of them is invalid.
  const declared = parsed.databases ?? [];
  if (parsed.services) {
    // A service may connect to a data store or to one of its logical databases (`main-db/orders`).
    const referable = declared.flatMap((d) => [d.name, ...(d.logicalDatabases ?? []).map((l) => `${d.name}${databases.LOGICAL_SEPARATOR}${l.name}`)]);
    const kafkaClusters = (parsed.kafka ?? []).map((k) => k.name);
    plan.services = problems.collect(() => services.planServices(parsed.services!, sctx, referable, parsed.sharedEnv ?? {}, kafkaClusters));
  }
  // The edge's listeners and certificates come from the services' hosts.
  if (plan.foundation && plan.services) {
    const withHosts = problems.collect(() => foundation.withEdgeHosts(plan.foundation!, plan.services!));
    if (withHosts) plan.foundation = withHosts;
  }
  if (parsed.backups) {
    // Logical databases (`<store>/<database>`) are backed up like their store, with their own role.
    const withLogical = <T>(name: string, logical: ReadonlyArray<{ name: string }> | undefined, value: T): Array<[string, T]> => [
      [name, value],
      ...(logical ?? []).map((l): [string, T] => [`${name}${databases.LOGICAL_SEPARATOR}${l.name}`, value]),
    ];
    const engines = Object.fromEntries(declared.flatMap((d) => withLogical(d.name, d.logicalDatabases, d.engine)));
    const stagingSizes = Object.fromEntries((plan.databases ?? []).flatMap((d) => withLogical(d.name, d.args.logicalDatabases, clusterStagingSize(d, backups.dumpStagingSize(d)))));
    plan.backups = problems.collect(() => backups.planBackups(parsed.backups!, sctx, engines, stagingSizes));
  }
  if (parsed.alerting) plan.alerting = problems.collect(() => alerting.planAlerting(parsed.alerting!, sctx));
  if (parsed.logging) {
    plan.logging = problems.collect(() => logging.planLogging(parsed.logging!, sctx, parsed.alerting?.namespace ?? "monitoring"));
  }
  if (parsed.tracing) {
    const names = (plan.services ?? []).map((s) => s.name);
    plan.tracing = problems.collect(() => tracing.planTracing(parsed.tracing!, sctx, names, parsed.alerting?.namespace ?? "monitoring"));
    // Services send spans to the collector: the OpenTelemetry SDK variables go into their env.
    if (plan.tracing && plan.services) plan.services = tracing.withTraceEnv(plan.services, plan.tracing, sctx);
  }
  // The edge's 5xx and latency alerts page at the services' thresholds.
  if (plan.foundation && plan.alerting) plan.foundation = foundation.withEdgeAlertThresholds(plan.foundation, plan.alerting.args.thresholds);
  // The node pool must hold the services at their minimum replicas plus the platform's own pods.
  if (plan.foundation?.enabled && plan.services && (plan.foundation.cloud === "aws" || plan.foundation.cloud === "alicloud") && plan.foundation.args.cluster.mode !== "existing") {
    const f = plan.foundation;
    const hosts = f.args.edge?.hosts ?? [];
    for (const p of capacityProblems({
      cloud: f.cloud as "aws" | "alicloud",
      cluster: f.args.cluster,
      services: plan.services,
      monitoringReplicas: plan.alerting?.args.replicas ?? sctx.profile.alerting.replicas,
      edge: f.args.edge ? { proxyReplicas: f.args.edge.ingressReplicas, gateways: hosts.some((h) => h.visibility === "internal") ? 2 : 1 } : undefined,
    })) problems.add(`platform:${p.path}`, p.value, p.allowed);
  }
  if (parsed.dockerEdge && plan.services) {
    plan.dockerEdge = problems.collect(() => dockerEdge.planDockerEdge(parsed.dockerEdge!.value, sctx, plan.services!));
  }
  // Docker: every published host port (services, edge, monitoring UIs), checked for collisions naming both settings.
  plan.hostPorts = [];
  if (planningRoot.target === "docker" && plan.services && plan.alerting) {
    const { services: servicesPlan, alerting: alertingPlan, dockerEdge: edgePlan } = plan;
    plan.hostPorts = problems.collect(() => assertNoHostPortCollisions({ services: servicesPlan, alerting: alertingPlan, extra: edgePlan?.hostPorts })) ?? [];
  }
  if (problems.empty) problems.addRendered(...derivedNameProblems(plan as PlatformPlan));
  if (!problems.empty) throw new ValidationError("stack config", withoutRepeats(problems.all));
  return plan as PlatformPlan;
}

/**
 * A cluster backup stages the tar of every shard's gzipped RDB plus the raw and gzipped RDB of the shard being read:
 * (shards + 1) times one node's dump.
 */
function clusterStagingSize(db: { args: { cluster?: { shards?: number } } }, nodeSize: string): string {
  const shards = db.args.cluster?.shards;
  if (typeof shards !== "number" || !Number.isInteger(shards) || shards < 1) return nodeSize;
  const match = /^(\d+)Gi$/.exec(nodeSize);
  return match ? `${Number(match[1]) * (shards + 1)}Gi` : nodeSize;
}

/** Drops a problem another one already states in full (a section repeating the central secret check). */
function withoutRepeats(list: readonly string[]): string[] {
  const unique = [...new Set(list)];
  return unique.filter((p) => !unique.some((q) => q !== p && q.includes(p)));
}

const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * Secret names a section that failed its schema still references (services[].secretEnv values, alerting
 * receivers[].secret), so its other problems do not cascade into "unknown key" reports for the secrets it uses.
 * Only well-formed key names count: a pasted credential is reported by the schema, never echoed.
 */
function looseReferences(raw: Record<string, unknown>, section: string, kind: "secretEnv" | "receivers"): Array<{ key: string; usedBy: string }> {
  const value = raw[section];
  const out: Array<{ key: string; usedBy: string }> = [];
  const add = (key: unknown, usedBy: string) => {
    if (typeof key === "string" && CONFIG_KEY.test(key)) out.push({ key, usedBy });
  };
  if (kind === "secretEnv" && Array.isArray(value)) {
    value.forEach((svc, i) => {
      const env = (svc as { secretEnv?: unknown } | null)?.secretEnv;
      if (env && typeof env === "object") for (const [name, key] of Object.entries(env)) add(key, `${CONFIG_NAMESPACE}:${section}[${i}].secretEnv.${name}`);
    });
  }
  const receivers = (value as { receivers?: unknown } | null)?.receivers;
  if (kind === "receivers" && Array.isArray(receivers)) {
    receivers.forEach((r, i) => add((r as { secret?: unknown } | null)?.secret, `${CONFIG_NAMESPACE}:${section}.receivers[${i}].secret`));
  }
  return out;
}
