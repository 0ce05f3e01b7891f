import { validateAlertingStackArgs, type DurationOverrides } from "../../../components/alerting-stack";
import { buildBackupAlerts, staleAfterSeconds } from "../../../components/backup-job/alerts";
import { DEFAULT_POSTGRES_THRESHOLDS, postgresAlertRules } from "../../../components/monitored-database";
import type { PrometheusRuleFile } from "../../../components/lib/alerts";
import { promtoolTestRules, type PromtoolTestGroup } from "../../helpers/tools";
import { ctxFor, fullArgs } from "./fixtures";
import { withoutAnnotations } from "./promtool-cases";

/**
 * `durations` change the minute an alert fires, proven by `promtool test rules` on the rendered rule files: the
 * same series fed to the rules with each rule's own `for` and with overrides, for the built-in families
 * (seed 000: CPU after 2 minutes) and for the rules the database and backup components bring.
 */

const PG = { job: "orders-exporter", instance: "orders-db:5432" };
const monitoring = {
  databases: { ruleGroups: postgresAlertRules({ database: "orders", job: PG.job, thresholds: DEFAULT_POSTGRES_THRESHOLDS }), dashboards: [], scrapeTargets: [] },
  // Dumps every 60 min with 10 min grace: stale 70 minutes after the last success (short series).
  backups: {
    ruleGroups: buildBackupAlerts({ name: "orders", target: "docker", environment: "prod", namespace: "platform", backupCronJob: "orders-backup", verifyCronJob: "orders-verify", maxPeriodMinutes: 60, graceSeconds: 600 }),
    dashboards: [],
    scrapeTargets: [],
  },
};

const STALE_MIN = staleAfterSeconds(60, 600) / 60;
const minute = (m: number) => `${m}m`;

const OVERRIDES: DurationOverrides = {
  NodeCpuUsage: "2m",
  HttpErrorRate: { critical: "1m" },
  PostgresDown: "5m",
  PostgresTooManyConnections: { critical: "1m" },
  BackupStale: "30m",
};

function rules(durations?: DurationOverrides): PrometheusRuleFile {
  const rendered = validateAlertingStackArgs("alerting", fullArgs({ monitoring, ...(durations ? { durations } : {}) }), ctxFor("prod", "kubernetes"));
  return withoutAnnotations({ groups: Object.values(rendered.ruleFiles).flatMap((f) => f.groups) });
}

const crit = { severity: "critical", priority: "P1" };
const warn = { severity: "warning", priority: "P2" };
const at = (eval_time: string, alertname: string, labels: Array<Record<string, string>>) => ({
  eval_time,
  alertname,
  exp_alerts: labels.map((l) => ({ exp_labels: { ...l, alert_family: alertname.replace(/(High|Critical)$/, "") } })),
});

const cpu = { instance: "node-a:9100" };
const svc = { job: "payment-gateway", service: "payment-gateway" };
const pgDown = { ...PG, database: "orders", ...crit };
const connections = (severity: typeof crit | typeof warn) => ({ ...PG, database: "orders", ...severity });
const stale = { backup: "orders", namespace: "platform", ...crit };

/** The series, from minute 0 (one sample a minute). */
const series = [
  // 95 % busy from the first rate (minute 1): both CPU levels hold.
  { series: 'node_cpu_seconds_total{instance="node-a:9100",cpu="0",mode="idle"}', values: "0+3x40" },
  // 10 % 5xx from minute 1: critical error rate.
  { series: 'http_requests_total{job="payment-gateway",service="payment-gateway",status="500"}', values: "0+10x40" },
  { series: 'http_requests_total{job="payment-gateway",service="payment-gateway",status="200"}', values: "0+90x40" },
  // PostgreSQL down from minute 2.
  { series: `pg_up{job="${PG.job}",instance="${PG.instance}"}`, values: "1 1 0x40" },
  // 97 of 100 connections from minute 0: both connection levels hold.
  { series: `pg_stat_database_numbackends{job="${PG.job}",instance="${PG.instance}",datname="app"}`, values: "97x40" },
  { series: `pg_settings_max_connections{job="${PG.job}",instance="${PG.instance}"}`, values: "100x40" },
  // The last backup succeeded at minute 0 and never again: stale after minute 70.
  { series: 'backup_last_success_timestamp_seconds{backup="orders",mode="backup"}', values: "0x160" },
  { series: 'backup_scheduler_started_timestamp_seconds{backup="orders",mode="backup"}', values: "0x160" },
];

describe("durations under promtool: an override changes the minute an alert fires", () => {
  test("each rule's own for: CPU 5m/10m, 5xx 2m, PostgresDown 1m, connections 5m, BackupStale 10m", () => {
    const tests: PromtoolTestGroup[] = [
      {
        name: "defaults",
        interval: "1m",
        input_series: series,
        alert_rule_test: [
          at("4m", "NodeCpuUsageCritical", []),
          at("7m", "NodeCpuUsageCritical", [{ ...cpu, ...crit }]),
          at("2m30s", "HttpErrorRateCritical", []),
          at("3m30s", "HttpErrorRateCritical", [{ ...svc, ...crit }]),
          at("4m", "PostgresDown", [pgDown]),
          at("3m", "PostgresTooManyConnections", []),
          at("6m", "PostgresTooManyConnections", [connections(warn), connections(crit)]),
          at(minute(STALE_MIN + 5), "BackupStale", []),
          at(minute(STALE_MIN + 12), "BackupStale", [stale]),
        ],
      },
    ];
    expect(promtoolTestRules(rules(), tests)).toMatch(/SUCCESS/);
  });

  test("overrides: CPU 2m (both levels), 5xx critical 1m, PostgresDown 5m (later), connections critical 1m only, BackupStale 30m", () => {
    const tests: PromtoolTestGroup[] = [
      {
        name: "overrides",
        interval: "1m",
        input_series: series,
        alert_rule_test: [
          at("4m", "NodeCpuUsageCritical", [{ ...cpu, ...crit }]),
          at("4m", "NodeCpuUsageHigh", [{ ...cpu, ...warn }]),
          at("2m30s", "HttpErrorRateCritical", [{ ...svc, ...crit }]),
          // Still the rule's own 5m: the override named the critical level only.
          at("2m30s", "HttpErrorRateHigh", []),
          at("4m", "PostgresDown", []),
          at("6m", "PostgresDown", []),
          at("8m", "PostgresDown", [pgDown]),
          at("3m", "PostgresTooManyConnections", [connections(crit)]),
          at(minute(STALE_MIN + 12), "BackupStale", []),
          at(minute(STALE_MIN + 25), "BackupStale", []),
          at(minute(STALE_MIN + 32), "BackupStale", [stale]),
        ],
      },
    ];
    expect(promtoolTestRules(rules(OVERRIDES), tests)).toMatch(/SUCCESS/);
  });

  test("the harness can fail: the default timing asserted against the overridden rules is refused", () => {
    const wrong: PromtoolTestGroup[] = [{ interval: "1m", input_series: series, alert_rule_test: [at("4m", "PostgresDown", [pgDown])] }];
    expect(() => promtoolTestRules(rules(OVERRIDES), wrong)).toThrow(/FAILED/);
  });
});
