import { alertFamily, isAlertRule, SEVERITIES, type RuleGroup, type Severity } from "../lib/alerts";
import { promDuration } from "../lib/validation";

/**
 * How long an alert's condition must hold before it fires, per alert family (the `alert_family` label:
 * `NodeCpuUsage` covers NodeCpuUsageHigh and NodeCpuUsageCritical). Playbooks differ here as they do on
 * thresholds: 000 pages on CPU after 2 minutes and on disk after 1, 001 waits 5 minutes. The overrides reach the
 * built-in rules and the rules the monitored components bring (database, backup alerts) alike.
 *
 * A string sets every level of the family; an object sets levels one by one.
 * @example { NodeCpuUsage: "2m", NodeDiskUsage: "1m", HttpErrorRate: { warning: "5m", critical: "2m" } }
 */
export type DurationOverrides = Record<string, string | Partial<Record<Severity, string>>>;

/** Rule groups with each alert's `for` replaced where an override names its family and level. */
export function applyDurations(groups: ReadonlyArray<RuleGroup>, overrides: DurationOverrides | undefined): RuleGroup[] {
  if (!overrides || Object.keys(overrides).length === 0) return [...groups];
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((rule) => {
      if (!isAlertRule(rule)) return rule;
      const o = overrides[alertFamily(rule)];
      const forDuration = typeof o === "string" ? o : o?.[rule.severity];
      return forDuration ? { ...rule, for: forDuration } : rule;
    }),
  }));
}

/** Families of the alerts in `groups`, with the severities each one has. */
export function familiesOf(groups: ReadonlyArray<RuleGroup>): Map<string, Set<Severity>> {
  const out = new Map<string, Set<Severity>>();
  for (const g of groups) {
    for (const rule of g.rules) {
      if (!isAlertRule(rule)) continue;
      const f = alertFamily(rule);
      out.set(f, new Set([...(out.get(f) ?? []), rule.severity]));
    }
  }
  return out;
}

/** One family map from several (levels united), e.g. the built-in families plus those of the bundles. */
export function mergeFamilies(...maps: ReadonlyArray<ReadonlyMap<string, ReadonlySet<Severity>>>): Map<string, Set<Severity>> {
  const out = new Map<string, Set<Severity>>();
  for (const m of maps) for (const [family, levels] of m) out.set(family, new Set([...(out.get(family) ?? []), ...levels]));
  return out;
}

/**
 * The overrides whose family has an alert in `families`. A stack validates its overrides against every family
 * the library can emit, then hands the component only those it has rules for (a PostgresReplicationLag override
 * in a stack without read replicas has nothing to change).
 */
export function durationsFor(overrides: DurationOverrides | undefined, families: ReadonlyMap<string, unknown>): DurationOverrides | undefined {
  if (!overrides) return undefined;
  const kept = Object.entries(overrides).filter(([family]) => families.has(family));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** Problems of `overrides` as [relative key path, bad value, what is allowed]. */
export function durationProblems(
  overrides: unknown,
  families: ReadonlyMap<string, ReadonlySet<Severity>>,
): Array<[Array<string>, unknown, string]> {
  if (overrides === undefined) return [];
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    return [[[], overrides, "must map alert families to a duration or { warning, critical } durations"]];
  }
  const problems: Array<[Array<string>, unknown, string]> = [];
  const isDuration = (v: unknown) => typeof v === "string" && promDuration.safeParse(v).success;
  for (const [family, value] of Object.entries(overrides as Record<string, unknown>)) {
    const levels = families.get(family);
    if (!levels) {
      problems.push([[family], value, `unknown alert family; allowed: ${[...families.keys()].sort().join(", ")}`]);
      continue;
    }
    if (typeof value === "string") {
      if (!isDuration(value)) problems.push([[family], value, "must be a Prometheus duration like 2m"]);
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push([[family], value, "must be a duration like 2m or an object { warning, critical }"]);
      continue;
    }
    for (const [level, d] of Object.entries(value as Record<string, unknown>)) {
      if (!SEVERITIES.includes(level as Severity) || !levels.has(level as Severity)) {
        problems.push([[family, level], d, `${family} has the levels ${[...levels].join(", ")}`]);
      } else if (!isDuration(d)) {
        problems.push([[family, level], d, "must be a Prometheus duration like 2m"]);
      }
    }
  }
  return problems;
}
