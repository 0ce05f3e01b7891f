/**
 * Backup and maintenance windows. Providers take them in slightly different spellings, so the library
 * accepts one UTC form (the RDS one) and converts it per target.
 *
 *   backup window       `hh:mm-hh:mm`            daily
 *   maintenance window  `ddd:hh:mm-ddd:hh:mm`    weekly
 */

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

export const BACKUP_WINDOW_FORMAT = "a daily UTC window hh:mm-hh:mm, e.g. 18:00-19:00";
export const MAINTENANCE_WINDOW_FORMAT = "a weekly UTC window ddd:hh:mm-ddd:hh:mm, e.g. sun:20:00-sun:21:00";

/** A half-open interval in minutes; `end` may exceed the period when the window wraps. */
interface Span {
  start: number;
  end: number;
}

function clock(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Parses `hh:mm-hh:mm` into minutes of the day; undefined when malformed or empty. */
export function parseBackupWindow(window: string): Span | undefined {
  const parts = window.split("-");
  if (parts.length !== 2) return undefined;
  const start = clock(parts[0]);
  const end = clock(parts[1]);
  if (start === undefined || end === undefined || start === end) return undefined;
  return { start, end: end > start ? end : end + MINUTES_PER_DAY };
}

/** Parses `ddd:hh:mm-ddd:hh:mm` into minutes of the week (Monday 00:00 = 0). */
export function parseMaintenanceWindow(window: string): Span | undefined {
  const m = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(window);
  if (!m) return undefined;
  const d1 = DAYS.indexOf(m[1] as (typeof DAYS)[number]);
  const d2 = DAYS.indexOf(m[3] as (typeof DAYS)[number]);
  const t1 = clock(m[2]);
  const t2 = clock(m[4]);
  if (d1 < 0 || d2 < 0 || t1 === undefined || t2 === undefined) return undefined;
  const start = d1 * MINUTES_PER_DAY + t1;
  const endRaw = d2 * MINUTES_PER_DAY + t2;
  if (start === endRaw) return undefined;
  return { start, end: endRaw > start ? endRaw : endRaw + MINUTES_PER_WEEK };
}

export function windowMinutes(span: Span): number {
  return span.end - span.start;
}

function intersects(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * True when the daily backup window overlaps the weekly maintenance window on any day. Providers refuse
 * (RDS) or silently skip (others) a backup that collides with maintenance, so this is checked up front.
 */
export function windowsOverlap(backup: string, maintenance: string): boolean {
  const b = parseBackupWindow(backup);
  const m = parseMaintenanceWindow(maintenance);
  if (!b || !m) return false;
  // Compare the backup window of every day (and its copy one week later, for wrapped maintenance spans).
  for (let day = 0; day < 8; day++) {
    const shifted = { start: b.start + day * MINUTES_PER_DAY, end: b.end + day * MINUTES_PER_DAY };
    if (intersects(shifted, m)) return true;
    const wrapped = { start: shifted.start - MINUTES_PER_WEEK, end: shifted.end - MINUTES_PER_WEEK };
    if (intersects(wrapped, m)) return true;
  }
  return false;
}

/** Alibaba Cloud spelling: `HH:mmZ-HH:mmZ`. */
export function alicloudBackupTime(backup: string): string {
  const [start, end] = backup.split("-");
  return `${start}Z-${end}Z`;
}

/** Alibaba Cloud maintenance is daily: the weekly window's clock times, `HH:mmZ-HH:mmZ`. */
export function alicloudMaintainTime(maintenance: string): string {
  const [start, end] = maintenance.split("-");
  return `${start.slice(4)}Z-${end.slice(4)}Z`;
}

/** The day-of-week list Alibaba Cloud backup policies take: every day. */
export const ALICLOUD_ALL_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
