import { toPrometheusRuleFile } from "../../../components/lib/alerts";
import { buildBackupAlerts, staleAfterSeconds, staleGraceSeconds } from "../../../components/backup-job/alerts";
import { cronMaxPeriodMinutes } from "../../../components/lib/cron";
import { promtoolCheckRules, promtoolTestRules } from "../../helpers/tools";

// Small periods keep the series short: dumps every 60 min, verify every 120 min, 10 min slack.
const common = { name: "orders", environment: "prod" as const, namespace: "apps", backupCronJob: "orders-backup", verifyCronJob: "orders-verify",
  maxPeriodMinutes: 60, graceSeconds: 600, verify: { maxPeriodMinutes: 120, graceSeconds: 600 } };
const staleMin = staleAfterSeconds(60, 600) / 60; // 70 minutes
const verifyStaleMin = staleAfterSeconds(120, 600) / 60; // 130 minutes
const k8s = toPrometheusRuleFile(buildBackupAlerts({ ...common, target: "kubernetes" }), "https://example.com/runbooks/");
const dockerRules = toPrometheusRuleFile(buildBackupAlerts({ ...common, target: "docker" }), "https://example.com/runbooks/");
/** The annotations promtool must see (taken from the rendered rule, so a template change is caught here too). */
const annotations = (alertname: string): Record<string, string> =>
  k8s.groups[0].rules.find((r) => r.alert === alertname)!.annotations as Record<string, string>;
const fires = (alertname: string, eval_time: string, labels: Record<string, string> = {}) => ({
  eval_time, alertname,
  exp_alerts: [{ exp_labels: { backup: "orders", namespace: "apps", priority: "P1", severity: "critical", alert_family: alertname, ...labels }, exp_annotations: annotations(alertname) }],
});
const warns = (alertname: string, eval_time: string, labels: Record<string, string> = {}) => ({
  eval_time, alertname,
  exp_alerts: [{ exp_labels: { backup: "orders", namespace: "apps", priority: "P2", severity: "warning", alert_family: alertname, ...labels }, exp_annotations: annotations(alertname) }],
});
const silent = (alertname: string, eval_time: string) => ({ eval_time, alertname, exp_alerts: [] });
/** A series whose value is the Unix time of the sample: "succeeded just now" at every scrape. */
const constant = (v: number, n: number) => `${v}x${n}`;

describe("backup alerts under promtool", () => {
  test("rule files are valid", () => {
    expect(promtoolCheckRules(k8s)).toContain("SUCCESS");
    expect(promtoolCheckRules(dockerRules)).toContain("SUCCESS");
  });

  test("Kubernetes BackupStale: silent while fresh, fires when stale, fires when the job never succeeded or is missing", () => {
    const sel = 'namespace="apps",cronjob="orders-backup"';
    promtoolTestRules(k8s, [
      {
        // Last success at t=0 and never again: stale after 70 min (+10m for).
        interval: "1m",
        input_series: [
          { series: `kube_cronjob_status_last_successful_time{${sel}}`, values: constant(0, 200) },
          { series: `kube_cronjob_created{${sel}}`, values: constant(0, 200) },
        ],
        alert_rule_test: [silent("BackupStale", "60m"), silent("BackupStale", `${staleMin + 5}m`), fires("BackupStale", `${staleMin + 15}m`)],
      },
      {
        // Created at t=0, never succeeded (no last_successful_time series): the absent() guard fires.
        interval: "1m",
        input_series: [{ series: `kube_cronjob_created{${sel}}`, values: constant(0, 200) }],
        alert_rule_test: [silent("BackupStale", "30m"), fires("BackupStale", `${staleMin + 15}m`, { cronjob: "orders-backup" })],
      },
      {
        // Nothing at all: the CronJob is missing.
        interval: "1m",
        input_series: [{ series: 'kube_cronjob_created{namespace="apps",cronjob="other"}', values: constant(0, 30) }],
        alert_rule_test: [fires("BackupStale", "20m", { cronjob: "orders-backup" })],
      },
      {
        // Succeeds every hour: never stale.
        interval: "1m",
        input_series: [
          { series: `kube_cronjob_status_last_successful_time{${sel}}`, values: "0x59 3600x59 7200x59 10800x59" },
          { series: `kube_cronjob_created{${sel}}`, values: constant(0, 240) },
        ],
        alert_rule_test: [silent("BackupStale", "235m")],
      },
    ]);
  });

  test("a daily 02:00 backup whose next run was missed: silent at 25.5 h, firing at 26 h (schedule gap + grace)", () => {
    // Defaults of a daily schedule: start deadline 15 min, job deadline 4 h (runs are expected within 1 h).
    const daily = { ...common, maxPeriodMinutes: cronMaxPeriodMinutes("0 2 * * *"), graceSeconds: staleGraceSeconds(900, 4 * 3600) };
    expect(staleAfterSeconds(daily.maxPeriodMinutes, daily.graceSeconds) / 3600).toBe(25.25);
    const sel = 'namespace="apps",cronjob="orders-backup"';
    const b = 'backup="orders",mode="backup"';
    // Created at t=0 (02:00), the first run succeeds at 02:20 (t=1200 s); the run 24 h later never happens.
    const k8sDaily = toPrometheusRuleFile(buildBackupAlerts({ ...daily, target: "kubernetes" }), "https://example.com/runbooks/");
    const dockerDaily = toPrometheusRuleFile(buildBackupAlerts({ ...daily, target: "docker" }), "https://example.com/runbooks/");
    const cases = (file: typeof k8sDaily, success: string, created: string) => {
      const stale = file.groups[0].rules.find((r) => r.alert === "BackupStale")!;
      expect(stale.annotations).toMatchObject({ summary: "Backup orders has not succeeded for more than 25.3h" });
      const firing = {
        eval_time: "26h",
        alertname: "BackupStale",
        exp_alerts: [{ exp_labels: { backup: "orders", namespace: "apps", priority: "P1", severity: "critical", alert_family: "BackupStale" }, exp_annotations: stale.annotations as Record<string, string> }],
      };
      return [
        {
          interval: "5m",
          input_series: [
            { series: success, values: "_ _ _ _ 1200x330" },
            { series: created, values: constant(0, 334) },
          ],
          alert_rule_test: [silent("BackupStale", "24h"), silent("BackupStale", "25h30m"), firing],
        },
      ];
    };
    // One evaluation a minute keeps 26 hours of series fast; the thresholds are hours apart.
    promtoolTestRules(k8sDaily, cases(k8sDaily, `kube_cronjob_status_last_successful_time{${sel}}`, `kube_cronjob_created{${sel}}`), "1m");
    promtoolTestRules(dockerDaily, cases(dockerDaily, `backup_last_success_timestamp_seconds{${b}}`, `backup_scheduler_started_timestamp_seconds{${b}}`), "1m");
  });

  test("Kubernetes BackupJobFailed: fires for a failed run newer than the last success, silent once a later run succeeds", () => {
    const job = 'namespace="apps",job_name="orders-backup-29000000"';
    const success = 'kube_cronjob_status_last_successful_time{namespace="apps",cronjob="orders-backup"}';
    promtoolTestRules(k8s, [
      {
        interval: "1m",
        input_series: [
          { series: `kube_job_status_failed{${job}}`, values: "0x10 1x50" },
          { series: `kube_job_status_start_time{${job}}`, values: constant(600, 60) },
          // Last success at t=0 until minute 40, then a later run succeeds at t=2400s.
          { series: success, values: "0x39 2400x20" },
          { series: 'kube_cronjob_created{namespace="apps",cronjob="orders-backup"}', values: constant(0, 60) },
        ],
        alert_rule_test: [
          silent("BackupJobFailed", "5m"),
          warns("BackupJobFailed", "20m", { job_name: "orders-backup-29000000" }),
          silent("BackupJobFailed", "50m"),
        ],
      },
      {
        // A failed Job of another CronJob with the same prefix does not count.
        interval: "1m",
        input_series: [
          { series: 'kube_job_status_failed{namespace="apps",job_name="orders-backup-extra-1"}', values: constant(1, 30) },
          { series: 'kube_job_status_start_time{namespace="apps",job_name="orders-backup-extra-1"}', values: constant(600, 30) },
        ],
        alert_rule_test: [silent("BackupJobFailed", "20m")],
      },
    ]);
  });

  test("Kubernetes RestoreVerificationFailed: failed restore test fires; passing test is silent; overdue test fires", () => {
    const vsel = 'namespace="apps",cronjob="orders-verify"';
    const job = 'namespace="apps",job_name="orders-verify-29000001"';
    promtoolTestRules(k8s, [
      {
        interval: "1m",
        input_series: [
          { series: `kube_job_status_failed{${job}}`, values: constant(1, 30) },
          { series: `kube_job_status_start_time{${job}}`, values: constant(60, 30) },
          { series: `kube_cronjob_created{${vsel}}`, values: constant(0, 30) },
        ],
        alert_rule_test: [fires("RestoreVerificationFailed", "10m", { job_name: "orders-verify-29000001" })],
      },
      {
        interval: "1m",
        input_series: [
          { series: `kube_cronjob_status_last_successful_time{${vsel}}`, values: "0x119 7200x119" },
          { series: `kube_cronjob_created{${vsel}}`, values: constant(0, 240) },
        ],
        alert_rule_test: [silent("RestoreVerificationFailed", "230m")],
      },
      {
        interval: "1m",
        input_series: [
          { series: `kube_cronjob_status_last_successful_time{${vsel}}`, values: constant(0, 240) },
          { series: `kube_cronjob_created{${vsel}}`, values: constant(0, 240) },
        ],
        alert_rule_test: [silent("RestoreVerificationFailed", `${verifyStaleMin - 5}m`), fires("RestoreVerificationFailed", `${verifyStaleMin + 5}m`)],
      },
    ]);
  });

  test("Docker textfile metrics: stale, never-run, failed run and failed verification", () => {
    const b = 'backup="orders",mode="backup"';
    const v = 'backup="orders",mode="verify"';
    promtoolTestRules(dockerRules, [
      {
        interval: "1m",
        input_series: [
          { series: `backup_last_success_timestamp_seconds{${b}}`, values: constant(0, 200) },
          { series: `backup_scheduler_started_timestamp_seconds{${b}}`, values: constant(0, 200) },
          { series: `backup_last_run_failed{${b}}`, values: "0x30 1x10 0x160" },
          { series: `backup_last_success_timestamp_seconds{${v}}`, values: constant(0, 200) },
          { series: `backup_scheduler_started_timestamp_seconds{${v}}`, values: constant(0, 200) },
          { series: `backup_last_run_failed{${v}}`, values: "0x50 1x150" },
        ],
        alert_rule_test: [
          silent("BackupStale", "60m"),
          fires("BackupStale", `${staleMin + 15}m`),
          silent("BackupJobFailed", "20m"),
          warns("BackupJobFailed", "35m"),
          silent("BackupJobFailed", "60m"),
          silent("RestoreVerificationFailed", "40m"),
          fires("RestoreVerificationFailed", "60m"),
        ],
      },
      {
        // Scheduler started, the backup never succeeded.
        interval: "1m",
        input_series: [{ series: `backup_scheduler_started_timestamp_seconds{${b}}`, values: constant(0, 200) }],
        alert_rule_test: [silent("BackupStale", "50m"), fires("BackupStale", `${staleMin + 15}m`, { mode: "backup" })],
      },
    ]);
  });
});
