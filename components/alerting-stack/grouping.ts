import { SEVERITIES, type Severity } from "../lib/alerts";
import { durationSeconds, promDuration } from "../lib/validation";

/**
 * Alertmanager grouping and notification timing of one route (`group_by`, `group_wait`, `group_interval`,
 * `repeat_interval`), in the config's camelCase.
 */
export interface RouteTiming {
  /** Labels that put alerts into one notification; `["..."]` groups by every label (no grouping). */
  groupBy?: string[];
  /** How long a new group waits for more alerts before its first notification. */
  groupWait?: string;
  /** How long a group waits before notifying about alerts added to it. */
  groupInterval?: string;
  /** How long before a still-firing group is notified again. */
  repeatInterval?: string;
}

/** The dead-man's switch route: its heartbeat timing only (one alert, nothing to group). */
export type WatchdogTiming = Omit<RouteTiming, "groupBy">;

/**
 * Grouping of the whole tree: the top-level keys are the root route's and, Alertmanager-style, every severity
 * route inherits them unless it sets its own. A severity key left unset by both falls back to that severity's
 * default (the profile's). The watchdog route never inherits: its heartbeat timing is its own.
 */
export interface AlertGrouping extends RouteTiming {
  critical?: RouteTiming;
  warning?: RouteTiming;
  info?: RouteTiming;
  watchdog?: WatchdogTiming;
}

/** Every key of every route set: what buildAlertmanagerConfig renders. */
export type ResolvedGrouping = Required<RouteTiming> & Record<Severity, Required<RouteTiming>> & { watchdog: Required<WatchdogTiming> };

/**
 * Defaults and where each comes from:
 * - root: group by alert name and what it is about (`environment` is our equivalent of seed 000's `cluster`
 *   label); 30s / 5m / 4h are Alertmanager's own defaults. Only alerts no severity route takes use them.
 * - critical (P0/P1): seed 000 (GreenLink) notifies immediately (`group_wait: 0s`) and repeats every 15 minutes;
 *   a 1m group interval reports a second failing thing within a minute.
 * - warning (P2): seed 000 repeats every hour; 30s/5m as Alertmanager's defaults.
 * - info (P3): a digest (seeds 001/002 answer P3 within a working day): collected 5 minutes, at most hourly, daily.
 * - watchdog: the dead-man's switch must hear the heartbeat continuously: no wait, every minute.
 */
export const DEFAULT_GROUPING: ResolvedGrouping = {
  groupBy: ["alertname", "environment", "namespace", "service"],
  groupWait: "30s",
  groupInterval: "5m",
  repeatInterval: "4h",
  critical: { groupBy: ["alertname", "environment", "namespace", "service"], groupWait: "0s", groupInterval: "1m", repeatInterval: "15m" },
  warning: { groupBy: ["alertname", "environment", "namespace", "service"], groupWait: "30s", groupInterval: "5m", repeatInterval: "1h" },
  info: { groupBy: ["alertname", "environment", "namespace", "service"], groupWait: "5m", groupInterval: "1h", repeatInterval: "24h" },
  watchdog: { groupWait: "0s", groupInterval: "1m", repeatInterval: "1m" },
};

/**
 * Alertmanager keeps its notification log `--data.retention` (120h, unchanged by the chart and by our Docker
 * container); a longer repeat_interval would be forgotten and repeat early (Alertmanager warns about it).
 */
export const MAX_REPEAT_INTERVAL = "120h";

const TIMING_KEYS = ["groupBy", "groupWait", "groupInterval", "repeatInterval"] as const;
const WATCHDOG_KEYS = ["groupWait", "groupInterval", "repeatInterval"] as const;
const ROUTE_KEYS = [...SEVERITIES, "watchdog"] as const;

/**
 * The grouping of every route: a severity's own setting, else the root's from `overrides`, else the severity
 * default from `defaults`. Idempotent: resolving a resolved grouping returns it unchanged.
 */
export function resolveGrouping(overrides: AlertGrouping | undefined, defaults: ResolvedGrouping = DEFAULT_GROUPING): ResolvedGrouping {
  const o = overrides ?? {};
  const root: Required<RouteTiming> = {
    groupBy: o.groupBy ?? defaults.groupBy,
    groupWait: o.groupWait ?? defaults.groupWait,
    groupInterval: o.groupInterval ?? defaults.groupInterval,
    repeatInterval: o.repeatInterval ?? defaults.repeatInterval,
  };
  const severity = (s: Severity): Required<RouteTiming> => ({
    groupBy: o[s]?.groupBy ?? o.groupBy ?? defaults[s].groupBy,
    groupWait: o[s]?.groupWait ?? o.groupWait ?? defaults[s].groupWait,
    groupInterval: o[s]?.groupInterval ?? o.groupInterval ?? defaults[s].groupInterval,
    repeatInterval: o[s]?.repeatInterval ?? o.repeatInterval ?? defaults[s].repeatInterval,
  });
  return {
    ...root,
    critical: severity("critical"),
    warning: severity("warning"),
    info: severity("info"),
    watchdog: { ...defaults.watchdog, ...definedOnly(o.watchdog) },
  };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Route timing in alertmanager.yml's keys. */
export function renderTiming(t: Partial<RouteTiming>): Record<string, unknown> {
  return {
    ...(t.groupBy ? { group_by: [...t.groupBy] } : {}),
    ...(t.groupWait ? { group_wait: t.groupWait } : {}),
    ...(t.groupInterval ? { group_interval: t.groupInterval } : {}),
    ...(t.repeatInterval ? { repeat_interval: t.repeatInterval } : {}),
  };
}

/** Label names as Alertmanager (classic, non-UTF-8 mode) accepts them in group_by. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Alertmanager's duration format: units in descending order, each at most once (`1h30m`, not `30m1h`). */
const isDuration = (v: unknown): v is string => typeof v === "string" && promDuration.safeParse(v).success;

type Problem = [Array<string | number>, unknown, string];

/**
 * Problems of `grouping` as [relative key path, bad value, what is allowed]: the shape (unknown keys, durations,
 * label names) and then, on the resolved tree, the orderings Alertmanager requires (intervals not zero, repeat
 * within the notification log's retention) and common sense asks (repeat not shorter than the group interval:
 * notifications only leave at group_interval ticks, so a shorter repeat is silently rounded up).
 */
export function groupingProblems(grouping: unknown, defaults: ResolvedGrouping = DEFAULT_GROUPING): Problem[] {
  if (grouping === undefined) return [];
  if (typeof grouping !== "object" || grouping === null || Array.isArray(grouping)) {
    return [[[], grouping, `must be an object with ${[...TIMING_KEYS, ...ROUTE_KEYS].join(", ")}`]];
  }
  const problems: Problem[] = [];
  // The valid part, so the orderings are checked in the same run as the shape.
  const clean: Record<string, unknown> = {};
  const keep = (into: Record<string, unknown>, key: string, value: unknown, found: Problem[]) => {
    problems.push(...found);
    if (found.length === 0 && value !== undefined) into[key] = value;
  };
  const g = grouping as Record<string, unknown>;
  for (const [key, value] of Object.entries(g)) {
    if ((TIMING_KEYS as readonly string[]).includes(key)) keep(clean, key, value, keyProblems([key], key, value));
    else if ((ROUTE_KEYS as readonly string[]).includes(key)) {
      const allowed: readonly string[] = key === "watchdog" ? WATCHDOG_KEYS : TIMING_KEYS;
      if (value === undefined) continue;
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push([[key], value, `must be an object with ${allowed.join(", ")}`]);
        continue;
      }
      const route: Record<string, unknown> = {};
      clean[key] = route;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (allowed.includes(k)) keep(route, k, v, keyProblems([key, k], k, v));
        else problems.push([[key, k], v, `unknown key; allowed: ${allowed.join(", ")}${key === "watchdog" && k === "groupBy" ? " (the watchdog is one alert: nothing to group)" : ""}`]);
      }
    } else {
      problems.push([[key], value, `unknown key; allowed: ${[...TIMING_KEYS, ...ROUTE_KEYS].join(", ")}`]);
    }
  }
  return [...problems, ...orderingProblems(clean as AlertGrouping, defaults)];
}

function keyProblems(path: Array<string | number>, key: string, value: unknown): Problem[] {
  if (value === undefined) return [];
  if (key === "groupBy") return groupByProblems(path, value);
  if (!isDuration(value)) return [[path, value, "must be an Alertmanager duration like 0s, 30s, 5m or 1h30m (units y, w, d, h, m, s, ms, largest first)"]];
  return [];
}

function groupByProblems(path: Array<string | number>, value: unknown): Problem[] {
  if (!Array.isArray(value)) return [[path, value, "must be a list of label names, e.g. [alertname, environment, service], or [\"...\"] for every label"]];
  const problems: Problem[] = [];
  if (value.includes("...") && value.length > 1) {
    problems.push([path, value, "\"...\" (group by every label) must stand alone"]);
  }
  const seen = new Set<unknown>();
  value.forEach((label, i) => {
    if (label !== "..." && (typeof label !== "string" || !LABEL_NAME.test(label))) {
      problems.push([[...path, i], label, "must be a label name (letters, digits and '_', not starting with a digit) or \"...\""]);
    } else if (seen.has(label)) {
      problems.push([[...path, i], label, "is listed twice (Alertmanager refuses duplicated group_by labels)"]);
    }
    seen.add(label);
  });
  return problems;
}

/**
 * Orderings on the effective values of every route. A problem is reported at the key to change: the route's own
 * key when it sets one, else the route's key path (the value came from the root or the default, named in the
 * message). A severity route whose values all come from the root repeats the root's problem and is skipped.
 */
function orderingProblems(o: AlertGrouping, defaults: ResolvedGrouping): Problem[] {
  const resolved = resolveGrouping(o, defaults);
  const own = (route: string | undefined): Partial<RouteTiming> => (route === undefined ? o : ((o as Record<string, RouteTiming | undefined>)[route] ?? {}));
  /** Where a route's effective value comes from, as the user would write it. */
  const source = (route: string | undefined, key: keyof RouteTiming): "own" | "root" | "default" => {
    if (own(route)[key] !== undefined) return "own";
    if (route !== undefined && route !== "watchdog" && o[key] !== undefined) return "root";
    return "default";
  };
  const describe = (route: string | undefined, key: keyof RouteTiming): string => {
    const s = source(route, key);
    if (s === "root") return `inherited from ${key}`;
    if (s === "default") return `the ${route ?? "root"} default`;
    return route ? `${route}.${key}` : key;
  };
  const problems: Problem[] = [];
  const check = (route: string | undefined, t: Required<WatchdogTiming>) => {
    const inheritedOnly = (...keys: Array<keyof RouteTiming>) => route !== undefined && keys.every((k) => source(route, k) === "root");
    const at = (key: keyof RouteTiming) => (route ? [route, key] : [key]);
    for (const key of ["groupInterval", "repeatInterval"] as const) {
      if (durationSeconds(t[key]) === 0 && !inheritedOnly(key)) {
        problems.push([at(key), t[key], `must be longer than 0 (Alertmanager refuses a zero ${key === "groupInterval" ? "group_interval" : "repeat_interval"})`]);
      }
    }
    if (durationSeconds(t.repeatInterval) > durationSeconds(MAX_REPEAT_INTERVAL) && !inheritedOnly("repeatInterval")) {
      problems.push([at("repeatInterval"), t.repeatInterval, `must be at most ${MAX_REPEAT_INTERVAL} (Alertmanager forgets sent notifications after its ${MAX_REPEAT_INTERVAL} data retention and would repeat early)`]);
    }
    if (durationSeconds(t.groupInterval) > 0 && durationSeconds(t.repeatInterval) < durationSeconds(t.groupInterval) && !inheritedOnly("groupInterval", "repeatInterval")) {
      // Blame the key the route sets itself; when it sets neither, the repeat interval (usually what to raise).
      const blamed = source(route, "groupInterval") === "own" && source(route, "repeatInterval") !== "own" ? "groupInterval" : "repeatInterval";
      problems.push([
        at(blamed),
        t[blamed],
        `the repeat interval (${t.repeatInterval}, ${describe(route, "repeatInterval")}) must not be shorter than the group interval ` +
          `(${t.groupInterval}, ${describe(route, "groupInterval")}): Alertmanager only notifies at group_interval ticks`,
      ]);
    }
  };
  check(undefined, resolved);
  for (const s of SEVERITIES) check(s, resolved[s]);
  check("watchdog", resolved.watchdog);
  return problems;
}
