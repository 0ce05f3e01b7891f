import { assertUniqueAlertNames, SEVERITIES, type RuleGroup } from "../lib/alerts";
import type { MonitoredService } from "../lib/contracts";
import type { MonitoringBundle } from "../lib/monitoring";
import type { PlatformContext } from "../lib/platform";
import { hostPortCollisions, type HostPortClaim } from "../lib/host-ports";
import { LIMITS } from "../lib/limits";
import { dnsLabel, durationSeconds, memoryBytes, memoryQuantity, port, Problems, promDuration, ValidationError } from "../lib/validation";
import { promqlSyntaxProblem } from "../lib/promql";
import { httpMetricsSchema } from "../lib/http-metrics";
import { DEFAULT_HOST_PORTS, type DockerHostPorts } from "./host-ports";
import { NULL_RECEIVER } from "./routes";
import { RECEIVER_TYPES } from "./receivers";
import type { CustomRule } from "./rules/custom";
import { durationProblems } from "./durations";
import { DEFAULT_GROUPING, groupingProblems, type ResolvedGrouping } from "./grouping";
import type { Severity } from "../lib/alerts";
import { resolveThresholds, thresholdProblems, type ThresholdOverrides } from "./thresholds";

/**
 * Structural checks shared by the component (args) and the `alerting` config section (stack config):
 * both shapes use the same key paths, so one validator reports `receivers[1].secret` for either.
 */
export interface AlertingSpec {
  receivers: ReadonlyArray<Record<string, unknown> & { name?: unknown; type?: unknown; secret?: unknown }>;
  routes: Record<string, unknown>;
  /** group_by and timings (AlertGrouping), checked against `groupingDefaults`. */
  grouping?: unknown;
  /** What unset grouping keys resolve to: the profile's in a stack, DEFAULT_GROUPING in the component. */
  groupingDefaults?: ResolvedGrouping;
  thresholds?: ThresholdOverrides;
  durations?: unknown;
  customRules?: ReadonlyArray<Partial<CustomRule>>;
  retention?: unknown;
  storageSize?: unknown;
  replicas?: unknown;
  /** Stack environment: prod must page someone for critical alerts. */
  environment?: string;
}

const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** Fields each receiver type needs besides `secret`. */
const REQUIRED_FIELDS: Record<string, string[]> = {
  slack: ["channel"],
  email: ["to", "from", "smarthost", "authUsername"],
  pagerduty: [],
  wechat: ["corpId", "agentId"],
  webhook: ["url"],
};

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

/** Adds every problem of `spec` to `problems`. Builders run only when this reports nothing. */
export function checkAlertingSpec(
  spec: AlertingSpec,
  problems: Problems,
  builtInAlerts: ReadonlySet<string>,
  builtInFamilies: ReadonlyMap<string, ReadonlySet<Severity>> = new Map(),
): void {
  const names = new Set<string>();
  spec.receivers.forEach((r, i) => {
    const name = r.name;
    if (typeof name !== "string" || !dnsLabel.safeParse(name).success) {
      problems.add(["receivers", i, "name"], name, "must be a DNS label (lowercase letters, digits, '-')");
    } else if (name === NULL_RECEIVER) {
      problems.add(["receivers", i, "name"], name, `"${NULL_RECEIVER}" is reserved for the discard receiver`);
    } else if (names.has(name)) {
      problems.add(["receivers", i, "name"], name, "must be unique among receivers");
    } else {
      names.add(name);
    }
    if (typeof r.type !== "string" || !RECEIVER_TYPES.includes(r.type as never)) {
      problems.add(["receivers", i, "type"], r.type, `must be one of ${RECEIVER_TYPES.join(", ")}`);
      return;
    }
    if (isBlank(r.secret)) {
      problems.add(
        ["receivers", i, "secret"],
        r.secret,
        `a ${r.type} receiver needs its secret (${secretMeaning(r.type)}), delivered as a file`,
      );
    }
    for (const field of REQUIRED_FIELDS[r.type]) {
      if (isBlank(r[field])) problems.add(["receivers", i, field], r[field], `is required for ${r.type} receivers`);
    }
    if (r.type === "slack" && typeof r.channel === "string" && !/^[#@]/.test(r.channel)) {
      problems.add(["receivers", i, "channel"], r.channel, "must start with # (channel) or @ (user)");
    }
    if (r.type === "wechat" && isBlank(r.toParty) && isBlank(r.toUser)) {
      problems.add(["receivers", i, "toParty"], r.toParty, "a wechat receiver needs toParty or toUser");
    }
    if (r.type === "email") {
      for (const field of ["to", "from"] as const) {
        const v = r[field];
        if (typeof v === "string" && !isBlank(v) && !emailAddresses(v)) {
          problems.add(["receivers", i, field], v, "must be an e-mail address like oncall@example.com (or a comma-separated list; \"Name <a@example.com>\" is fine)");
        }
      }
      if (typeof r.smarthost === "string" && !isBlank(r.smarthost) && !SMARTHOST.test(r.smarthost)) {
        problems.add(["receivers", i, "smarthost"], r.smarthost, "must be host:port, e.g. smtp.sendgrid.net:587 (Alertmanager needs the port)");
      }
    }
    if (r.type === "webhook" && typeof r.url === "string" && !/^https:\/\//.test(r.url)) {
      problems.add(["receivers", i, "url"], r.url, "must be an https:// URL (alerts leave the cluster)");
    }
  });

  if (spec.environment === "prod") {
    const critical = spec.routes.critical;
    if (!Array.isArray(critical) || critical.length === 0) {
      problems.add(["routes", "critical"], critical, "must name at least one receiver in prod (critical alerts would page nobody)");
    }
  }

  const allowedRouteKeys = [...SEVERITIES, "watchdog"];
  for (const [key, value] of Object.entries(spec.routes)) {
    if (!allowedRouteKeys.includes(key)) {
      problems.add(["routes", key], value, `unknown severity; allowed: ${allowedRouteKeys.join(", ")}`);
      continue;
    }
    if (key === "watchdog") {
      if (value !== undefined && (typeof value !== "string" || !names.has(value))) {
        problems.add(["routes", "watchdog"], value, `must name a declared receiver (declared: ${[...names].join(", ") || "none"})`);
      }
      continue;
    }
    if (!Array.isArray(value)) {
      problems.add(["routes", key], value, "must be a list of receiver names");
      continue;
    }
    value.forEach((n, j) => {
      if (typeof n !== "string" || !names.has(n)) {
        problems.add(["routes", key, j], n, `must name a declared receiver (declared: ${[...names].join(", ") || "none"})`);
      }
    });
    if (new Set(value).size !== value.length) problems.add(["routes", key], value, "must not list a receiver twice");
  }

  for (const [path, value, allowed] of groupingProblems(spec.grouping, spec.groupingDefaults ?? DEFAULT_GROUPING)) {
    problems.add(["grouping", ...path], value, allowed);
  }

  for (const [path, value, allowed] of thresholdProblems(resolveThresholds(spec.thresholds))) {
    problems.add(["thresholds", ...path.split(".")], value, allowed);
  }

  for (const [path, value, allowed] of durationProblems(spec.durations, builtInFamilies)) {
    problems.add(["durations", ...path], value, allowed);
  }

  const seenCustom = new Map<string, number>();
  (spec.customRules ?? []).forEach((r, i) => {
    if (typeof r.alert !== "string" || !ALERT_NAME.test(r.alert)) {
      problems.add(["customRules", i, "alert"], r.alert, "must be an UpperCamelCase alert name like HighRiskLevel");
    } else if (builtInAlerts.has(r.alert)) {
      problems.add(["customRules", i, "alert"], r.alert, "clashes with a built-in alert of the same name; choose another name");
    } else {
      const key = `${r.group ?? "custom"}/${r.alert}/${JSON.stringify(r.labels ?? {})}`;
      if (seenCustom.has(key)) {
        problems.add(["customRules", i, "alert"], r.alert, `duplicate alert name in rule group "${r.group ?? "custom"}" (also customRules[${seenCustom.get(key)}])`);
      } else seenCustom.set(key, i);
    }
    if (isBlank(r.expr) || typeof r.expr !== "string") problems.add(["customRules", i, "expr"], r.expr, "must be a PromQL expression");
    else {
      const syntax = promqlSyntaxProblem(r.expr);
      if (syntax) problems.add(["customRules", i, "expr"], r.expr, syntax);
    }
    if (typeof r.for !== "string" || !promDuration.safeParse(r.for).success) {
      problems.add(["customRules", i, "for"], r.for, "must be a Prometheus duration like 5m");
    }
    if (!SEVERITIES.includes(r.severity as never)) {
      problems.add(["customRules", i, "severity"], r.severity, `must be one of ${SEVERITIES.join(", ")}`);
    }
    for (const field of ["summary", "description"] as const) {
      if (isBlank(r[field])) problems.add(["customRules", i, field], r[field], "is required (humans read it at 3 a.m.)");
    }
    if (r.runbook !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(r.runbook)) {
      problems.add(["customRules", i, "runbook"], r.runbook, "must be a runbook slug (file name without .md)");
    }
    if (r.group !== undefined && !dnsLabel.safeParse(r.group).success) {
      problems.add(["customRules", i, "group"], r.group, "must be a DNS label");
    }
  });

  if (spec.retention !== undefined && !(typeof spec.retention === "string" && promDuration.safeParse(spec.retention).success)) {
    problems.add(["retention"], spec.retention, "must be a Prometheus duration like 200h or 30d");
  } else if (typeof spec.retention === "string" && durationSeconds(spec.retention) > LIMITS.prometheusRetentionDays * 86400) {
    problems.add(["retention"], spec.retention, `must be at most ${LIMITS.prometheusRetentionDays}d (longer history belongs in remote storage)`);
  }
  if (spec.storageSize !== undefined && !(typeof spec.storageSize === "string" && memoryQuantity.safeParse(spec.storageSize).success)) {
    problems.add(["storageSize"], spec.storageSize, "must be a storage quantity like 50Gi");
  } else if (typeof spec.storageSize === "string" && memoryBytes(spec.storageSize) > LIMITS.prometheusStorageGi * 2 ** 30) {
    problems.add(["storageSize"], spec.storageSize, `must be at most ${LIMITS.prometheusStorageGi}Gi`);
  }
  if (spec.replicas !== undefined && !(Number.isInteger(spec.replicas) && (spec.replicas as number) >= 1 && (spec.replicas as number) <= 5)) {
    problems.add(["replicas"], spec.replicas, "must be an integer from 1 to 5");
  }
}

/** host:port, [ipv6]:port. */
const SMARTHOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;

/** An Alertmanager `to`/`from`: one or more comma-separated addresses, each bare or as `Name <address>`. */
function emailAddresses(value: string): boolean {
  return value.split(",").every((part) => {
    const p = part.trim();
    const named = /^[^<>]*<([^<>]+)>$/.exec(p);
    return ADDRESS.test(named ? named[1] : p);
  });
}

function secretMeaning(type: string): string {
  switch (type) {
    case "slack":
      return "the incoming-webhook URL";
    case "email":
      return "the SMTP password";
    case "pagerduty":
      return "the Events API v2 routing key";
    case "wechat":
      return "the application secret";
    default:
      return "the bearer token";
  }
}

/** SLO objectives must leave an error budget: 0 < objective < 100. */
export function checkServices(services: ReadonlyArray<MonitoredService>, problems: Problems): void {
  const seen = new Set<string>();
  services.forEach((svc, i) => {
    const key = `${svc.namespace}/${svc.name}`;
    if (seen.has(key)) problems.add(["services", i, "name"], svc.name, "must be unique per namespace");
    seen.add(key);
    const o = svc.objectives;
    const inRange = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0 && v < 100;
    if (o?.availabilityPercent !== undefined && !inRange(o.availabilityPercent)) {
      problems.add(
        ["services", i, "objectives", "availabilityPercent"],
        o.availabilityPercent,
        "must be a percentage strictly between 0 and 100 (100 leaves no error budget)",
      );
    }
    if (o?.latency) {
      if (!inRange(o.latency.percent)) {
        problems.add(["services", i, "objectives", "latency", "percent"], o.latency.percent, "must be a percentage strictly between 0 and 100");
      }
      if (!(typeof o.latency.thresholdSeconds === "number" && o.latency.thresholdSeconds > 0)) {
        problems.add(
          ["services", i, "objectives", "latency", "thresholdSeconds"],
          o.latency.thresholdSeconds,
          "must be a positive number of seconds equal to a histogram bucket boundary",
        );
      }
    }
    if (svc.http !== undefined) {
      const parsed = httpMetricsSchema.safeParse(svc.http);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const at = issue.path.filter((k): k is string | number => typeof k !== "symbol");
          const value = at.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], svc.http);
          problems.add(["services", i, "http", ...at], value, issue.message);
        }
      }
    }
  });
}

/** Probe targets must be distinct https:// URLs (the probe requires valid TLS). */
export function checkProbeTargets(urls: ReadonlyArray<unknown> | undefined, problems: Problems): void {
  const seen = new Set<string>();
  (urls ?? []).forEach((u, i) => {
    let ok = typeof u === "string" && u.startsWith("https://");
    if (ok) {
      try {
        ok = new URL(u as string).hostname !== "";
      } catch {
        ok = false;
      }
    }
    if (!ok) problems.add(["probeTargets", i], u, "must be an https:// URL (probes check TLS as users see it)");
    else if (seen.has(u as string)) problems.add(["probeTargets", i], u, "is listed twice");
    seen.add(u as string);
  });
}

/** Rule groups of each bundle must be valid on their own (each source becomes one rule file). */
export function checkRuleSources(sources: Record<string, ReadonlyArray<RuleGroup>>, problems: Problems): void {
  for (const [source, groups] of Object.entries(sources)) {
    try {
      assertUniqueAlertNames(groups);
    } catch (e) {
      problems.add(["monitoring", source], groups.map((g) => g.name), (e as Error).message);
    }
    groups.forEach((g, gi) =>
      g.rules.forEach((rule, ri) => {
        if ("alert" in rule && (!rule.for || !promDuration.safeParse(rule.for).success)) {
          problems.add(["monitoring", source, gi, "rules", ri, "for"], rule.for, "every alert needs a Prometheus duration `for`");
        }
      }),
    );
  }
}

/** Normalises `monitoring` (one bundle or bundles by source) to bundles by source. */
export function bundlesBySource(
  monitoring: MonitoringBundle | Record<string, MonitoringBundle> | undefined,
): Record<string, MonitoringBundle> {
  if (!monitoring) return {};
  if (Array.isArray((monitoring as MonitoringBundle).ruleGroups)) return { components: monitoring as MonitoringBundle };
  return monitoring as Record<string, MonitoringBundle>;
}

export function requireTargetContext(ctx: PlatformContext, problems: Problems): void {
  if (ctx.target === "docker" && !ctx.dockerNetworks) {
    problems.add(["ctx", "dockerNetworks"], undefined, "the docker target needs the backend network from the stack");
  }
}

export { ValidationError };

/** The UIs' host ports (Docker): valid ports, none taken twice. */
export function checkHostPorts(hostPorts: Partial<DockerHostPorts> | undefined, problems: Problems): void {
  const ports = { ...DEFAULT_HOST_PORTS, ...(hostPorts ?? {}) };
  const claims: HostPortClaim[] = [];
  for (const ui of Object.keys(DEFAULT_HOST_PORTS) as Array<keyof DockerHostPorts>) {
    const value = ports[ui];
    if (!port.safeParse(value).success) problems.add(["hostPorts", ui], value, "must be an integer port between 1 and 65535");
    else claims.push({ claimant: `hostPorts.${ui}`, what: `${ui} UI`, ip: "127.0.0.1", port: value });
  }
  for (const c of hostPortCollisions(claims)) problems.add(c.claim.claimant.split("."), c.claim.port, c.allowed);
}
