/**
 * Cron expressions as Kubernetes CronJobs, crond and AWS Backup (after translation) understand them:
 * five fields `minute hour day-of-month month day-of-week`, with `*`, lists `a,b`, ranges `a-b`, steps
 * `*\/n` / `a-b/n` / `a/n`, month names (JAN–DEC), weekday names (SUN–SAT, 0 or 7 = Sunday) and the
 * macros `@hourly @daily @midnight @weekly @monthly @yearly @annually`.
 *
 * Validation is pure and synchronous so a typo fails at plan time instead of when the scheduler rejects it.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES: Record<string, number> = {
  JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12,
};
const DAY_NAMES: Record<string, number> = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day-of-week", min: 0, max: 7, names: DAY_NAMES },
];

const MACROS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

/** A parsed schedule: the allowed values of each field. */
export interface CronSchedule {
  /** The five-field form (macros expanded). */
  expression: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0–6, Sunday = 0 (7 is folded into 0). */
  daysOfWeek: Set<number>;
  /** Cron's rule: when both day fields are restricted, a day matches if EITHER matches. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

class CronError extends Error {}

function parseValue(token: string, spec: FieldSpec): number {
  const upper = token.toUpperCase();
  if (spec.names && upper in spec.names) return spec.names[upper];
  if (!/^\d+$/.test(token)) {
    throw new CronError(`${spec.name} value "${token}" is not a number${spec.names ? " or name" : ""}`);
  }
  const n = Number(token);
  if (n < spec.min || n > spec.max) {
    throw new CronError(`${spec.name} value ${n} is outside ${spec.min}-${spec.max}`);
  }
  return n;
}

function parseField(field: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  if (field === "") throw new CronError(`${spec.name} field is empty`);
  for (const part of field.split(",")) {
    if (part === "") throw new CronError(`${spec.name} field "${field}" has an empty list item`);
    const [rangePart, stepPart, ...rest] = part.split("/");
    if (rest.length > 0) throw new CronError(`${spec.name} item "${part}" has more than one '/'`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) {
        throw new CronError(`${spec.name} step "${stepPart}" must be a positive integer`);
      }
      step = Number(stepPart);
    }
    let lo: number;
    let hi: number;
    if (rangePart === "*" || rangePart === "?") {
      lo = spec.min;
      hi = spec.name === "day-of-week" ? 6 : spec.max;
    } else if (rangePart.includes("-")) {
      const bounds = rangePart.split("-");
      if (bounds.length !== 2) throw new CronError(`${spec.name} range "${rangePart}" is malformed`);
      lo = parseValue(bounds[0], spec);
      hi = parseValue(bounds[1], spec);
      if (lo > hi) throw new CronError(`${spec.name} range "${rangePart}" runs backwards`);
    } else {
      lo = parseValue(rangePart, spec);
      // Vixie cron: `a/n` means `a-max/n`.
      hi = stepPart !== undefined ? spec.max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(spec.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return out;
}

function parseStrict(expression: string): CronSchedule {
  const trimmed = expression.trim();
  const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
  if (expanded.startsWith("@")) throw new CronError(`unknown macro "${trimmed}" (allowed: ${Object.keys(MACROS).join(", ")})`);
  if (/TZ=|CRON_TZ=/i.test(expanded)) throw new CronError("time zones go in the separate timeZone setting, not in the schedule");
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) {
    throw new CronError(`must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`);
  }
  const sets = fields.map((f, i) => parseField(f, FIELDS[i]));
  const isWildcard = (f: string) => f.startsWith("*") || f === "?";
  return {
    expression: expanded,
    minutes: [...sets[0]].sort((a, b) => a - b),
    hours: [...sets[1]].sort((a, b) => a - b),
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek: sets[4],
    domRestricted: !isWildcard(fields[2]),
    dowRestricted: !isWildcard(fields[4]),
  };
}

/** What is wrong with `expression`, or undefined when it is a valid schedule that fires at least once. */
export function cronProblem(expression: string): string | undefined {
  if (typeof expression !== "string") return "must be a cron expression string";
  try {
    const schedule = parseStrict(expression);
    if (firingGapsMinutes(schedule).firings === 0) return "never fires (no calendar date matches the day and month fields)";
    return undefined;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

/** Parses a valid expression; throws an Error naming the problem otherwise. */
export function parseCron(expression: string): CronSchedule {
  const problem = cronProblem(expression);
  if (problem) throw new Error(`invalid cron expression "${expression}": ${problem}`);
  return parseStrict(expression);
}

function dayMatches(s: CronSchedule, date: Date): boolean {
  if (!s.months.has(date.getUTCMonth() + 1)) return false;
  const dom = s.daysOfMonth.has(date.getUTCDate());
  const dow = s.daysOfWeek.has(date.getUTCDay());
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  return dom && dow;
}

/** 28 years: the Gregorian weekday/leap-year pattern repeats (within 1901–2099), so every gap shows up. */
const SCAN_DAYS = 28 * 365 + 7;
const MINUTES_PER_DAY = 1440;
const MS_PER_DAY = 86_400_000;

const gapCache = new Map<string, { min: number; max: number; firings: number }>();

function firingGapsMinutes(s: CronSchedule): { min: number; max: number; firings: number } {
  const cached = gapCache.get(s.expression);
  if (cached) return cached;
  const result = scanGaps(s);
  gapCache.set(s.expression, result);
  return result;
}

/**
 * Gaps between consecutive firings over the 28-year window starting 2024-01-01 (UTC).
 *
 * Every matching day fires at the same sorted times of day, so the gaps inside a day are the differences of
 * that list (the same on every matching day), and the gap from one matching day to the next is
 * `days between them × 1440 + first time − last time`. Only days are scanned, never minutes.
 */
function scanGaps(s: CronSchedule): { min: number; max: number; firings: number } {
  // minutes and hours are sorted and distinct, so the products are sorted and distinct too.
  const timesOfDay: number[] = [];
  for (const h of s.hours) for (const m of s.minutes) timesOfDay.push(h * 60 + m);
  const first = timesOfDay[0];
  const last = timesOfDay[timesOfDay.length - 1];

  let min = Infinity;
  let max = 0;
  for (let i = 1; i < timesOfDay.length; i++) {
    const gap = timesOfDay[i] - timesOfDay[i - 1];
    if (gap < min) min = gap;
    if (gap > max) max = gap;
  }

  const start = Date.UTC(2024, 0, 1);
  const date = new Date(start);
  let previousDay: number | undefined;
  let matchingDays = 0;
  for (let day = 0; day < SCAN_DAYS; day++) {
    date.setTime(start + day * MS_PER_DAY);
    if (!dayMatches(s, date)) continue;
    if (previousDay !== undefined) {
      const gap = (day - previousDay) * MINUTES_PER_DAY + first - last;
      if (gap < min) min = gap;
      if (gap > max) max = gap;
    }
    previousDay = day;
    matchingDays++;
  }
  // Without a matching day there are no firings at all, so the gaps inside a day never happen either.
  if (matchingDays === 0) return { min: Infinity, max: 0, firings: 0 };
  return { min, max, firings: matchingDays * timesOfDay.length };
}

/**
 * Shortest time between two consecutive runs, in minutes (`0 2 * * *` → 1440, `*\/15 * * * *` → 15,
 * `0 4 1 * *` → 40320 (February)). Computed in UTC; a DST change in the job's time zone can shorten one
 * gap by an hour, which callers absorb in their margins.
 */
export function cronMinPeriodMinutes(expression: string): number {
  return firingGapsMinutes(parseCron(expression)).min;
}

/**
 * Longest time between two consecutive runs, in minutes: the worst-case data loss of a schedule
 * (its RPO) and how long an alert must wait before calling a backup stale.
 */
export function cronMaxPeriodMinutes(expression: string): number {
  return firingGapsMinutes(parseCron(expression)).max;
}
