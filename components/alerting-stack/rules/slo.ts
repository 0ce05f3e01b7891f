import type { AlertRule, RecordingRule, RuleGroup } from "../../lib/alerts";
import type { MonitoredService } from "../../lib/contracts";
import { resolveHttpMetrics } from "../../lib/http-metrics";

/**
 * Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, "Alerting on SLOs", approach 6).
 *
 * The error budget of a 30-day objective is burned `factor` times faster than sustainable when the error
 * ratio exceeds `factor * (1 - objective)`. A long window proves the burn is significant, a short window
 * (1/12 of it) makes the alert reset quickly once the problem is fixed.
 *   page:   14.4x over 1h AND 5m (2 % of the budget in an hour), 6x over 6h AND 30m (5 % in 6 hours)
 *   ticket: 3x over 1d AND 2h (10 % in a day),                    1x over 3d AND 6h (10 % in 3 days)
 */
export const BURN_RATE_WINDOWS = {
  page: [
    { factor: 14.4, long: "1h", short: "5m" },
    { factor: 6, long: "6h", short: "30m" },
  ],
  ticket: [
    { factor: 3, long: "1d", short: "2h" },
    { factor: 1, long: "3d", short: "6h" },
  ],
} as const;

/** Every window a recording rule is needed for. */
export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

export const AVAILABILITY_RECORD = "service:http_request_errors:ratio_rate";
export const LATENCY_RECORD = "service:http_request_slow:ratio_rate";

/** Matches the histogram bucket `le` label of a threshold whether a client writes `1` or `1.0`. */
export function leMatcher(thresholdSeconds: number): string {
  const s = String(thresholdSeconds);
  return Number.isInteger(thresholdSeconds) ? `${s}(\\\\.0+)?` : `${s}0*`;
}

function selector(svc: MonitoredService, extra = ""): string {
  return `{job="${svc.job}",service="${svc.name}"${extra}}`;
}

/** Rounds away floating-point noise (14.4 * 0.001 = 0.014400000000000001). */
function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}

function burnAlerts(
  svc: MonitoredService,
  record: string,
  budget: number,
  names: { page: string; ticket: string },
  what: string,
  objective: string,
  runbook: string,
): AlertRule[] {
  const sel = `{service="${svc.name}"}`;
  const cond = (windows: ReadonlyArray<{ factor: number; long: string; short: string }>) =>
    windows
      .map(
        (w) =>
          `(${record}${w.long}${sel} > ${num(w.factor * budget)} and ${record}${w.short}${sel} > ${num(w.factor * budget)})`,
      )
      .join(" or ");
  const labels = { service: svc.name, namespace: svc.namespace };
  return [
    {
      alert: names.page,
      expr: cond(BURN_RATE_WINDOWS.page),
      for: "2m",
      severity: "critical",
      summary: `${svc.name} is burning its ${what} error budget fast`,
      description: `${svc.name} burns its 30-day ${what} budget (objective ${objective}) at 6x-14.4x the sustainable rate; at this pace the budget is gone within days.`,
      labels,
      runbook,
    },
    {
      alert: names.ticket,
      expr: cond(BURN_RATE_WINDOWS.ticket),
      for: "15m",
      severity: "warning",
      summary: `${svc.name} is steadily burning its ${what} error budget`,
      description: `${svc.name} burns its 30-day ${what} budget (objective ${objective}) at 1x-3x the sustainable rate; it will miss the objective if nothing changes.`,
      labels,
      runbook,
    },
  ];
}

/**
 * Recording + alerting rules for one service's objectives, on the series it exports (its `http` metric names and
 * status label); none when it declares no objectives.
 */
export function sloRules(services: ReadonlyArray<MonitoredService>): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const svc of services) {
    const o = svc.objectives;
    if (!o || (o.availabilityPercent === undefined && o.latency === undefined)) continue;
    const m = resolveHttpMetrics(svc.http);
    const rules: Array<AlertRule | RecordingRule> = [];
    const labels = { service: svc.name, namespace: svc.namespace };
    if (o.availabilityPercent !== undefined) {
      for (const w of SLO_WINDOWS) {
        rules.push({
          record: `${AVAILABILITY_RECORD}${w}`,
          expr: `sum(rate(${m.requestsTotal}${selector(svc, `,${m.statusLabel}=~"5.."`)}[${w}])) / sum(rate(${m.requestsTotal}${selector(svc)}[${w}]))`,
          labels,
        });
      }
      rules.push(
        ...burnAlerts(
          svc,
          AVAILABILITY_RECORD,
          1 - o.availabilityPercent / 100,
          { page: "SloAvailabilityBurnRateFast", ticket: "SloAvailabilityBurnRateSlow" },
          "availability",
          `${o.availabilityPercent}%`,
          "SloAvailabilityBurnRate",
        ),
      );
    }
    if (o.latency) {
      const le = leMatcher(o.latency.thresholdSeconds);
      for (const w of SLO_WINDOWS) {
        rules.push({
          record: `${LATENCY_RECORD}${w}`,
          expr: `1 - sum(rate(${m.durationHistogram}_bucket${selector(svc, `,le=~"${le}"`)}[${w}])) / sum(rate(${m.durationHistogram}_count${selector(svc)}[${w}]))`,
          labels,
        });
      }
      rules.push(
        ...burnAlerts(
          svc,
          LATENCY_RECORD,
          1 - o.latency.percent / 100,
          { page: "SloLatencyBurnRateFast", ticket: "SloLatencyBurnRateSlow" },
          "latency",
          `${o.latency.percent}% under ${o.latency.thresholdSeconds}s`,
          "SloLatencyBurnRate",
        ),
      );
    }
    groups.push({ name: `slo-${svc.namespace}-${svc.name}`, rules });
  }
  return groups;
}
