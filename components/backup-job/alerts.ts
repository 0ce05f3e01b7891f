import type { AlertRule, RuleGroup, Severity } from "../lib/alerts";
import type { Environment, Target } from "../lib/platform";

/** Alerts this component defines (each has docs/runbooks/<name>.md). */
export const BACKUP_ALERTS = ["BackupStale", "BackupJobFailed", "RestoreVerificationFailed"] as const;

export interface BackupAlertInputs {
  /** Backup name (the `backup` label on every alert). */
  name: string;
  target: Target;
  environment: Environment;
  namespace: string;
  /** Kubernetes CronJob names (kube-state-metrics `cronjob` label). */
  backupCronJob: string;
  verifyCronJob: string;
  /** Longest gap between scheduled dumps, in minutes (lib/cron cronMaxPeriodMinutes of the schedule). */
  maxPeriodMinutes: number;
  /**
   * Grace after the next scheduled run before its absence counts: how late it may start plus how long it
   * normally runs (see `staleGraceSeconds`).
   */
  graceSeconds: number;
  verify?: { maxPeriodMinutes: number; graceSeconds: number };
}

/**
 * A run normally finishes well within this; the job deadline (up to 4 h) is a kill switch, not the
 * expected duration, so it does not stretch the staleness threshold.
 */
export const EXPECTED_RUN_SECONDS = 3600;

/**
 * Grace of a backup set: the run may start `startingDeadlineSeconds` late and takes at most
 * min(deadline, EXPECTED_RUN_SECONDS). A daily 02:00 dump (start deadline 15 min) is stale once its last
 * success is 24 h + 1 h 15 min old: the next run was missed, not merely slow.
 */
export function staleGraceSeconds(startingDeadlineSeconds: number, activeDeadlineSeconds: number): number {
  return startingDeadlineSeconds + Math.min(activeDeadlineSeconds, EXPECTED_RUN_SECONDS);
}

/** Seconds since the last success after which a backup set is stale: the longest schedule gap plus the grace. */
export function staleAfterSeconds(maxPeriodMinutes: number, graceSeconds: number): number {
  return maxPeriodMinutes * 60 + graceSeconds;
}

function staleExpr(success: string, created: string, threshold: number): string {
  // 1) last success too old; 2) never succeeded although it exists longer than the threshold (absent guard);
  // 3) the job (or its metrics) does not exist at all.
  return [
    `(time() - max(${success}) > ${threshold})`,
    `(absent(${success}) and on() (time() - max(${created}) > ${threshold}))`,
    `absent(${created})`,
  ].join(" or ");
}

function k8sFailedExpr(namespace: string, cronJob: string): string {
  const jobs = `{namespace="${namespace}",job_name=~"${cronJob}-[0-9]+"}`;
  const lastSuccess = `kube_cronjob_status_last_successful_time{namespace="${namespace}",cronjob="${cronJob}"}`;
  // A failed Job is kept (failedJobsHistoryLimit 1); it only counts while it is newer than the last success.
  return (
    `(max by (namespace, job_name) (kube_job_status_failed${jobs}) > 0) and on (namespace, job_name) ` +
    `(max by (namespace, job_name) (kube_job_status_start_time${jobs}) > scalar(max(${lastSuccess}) or vector(0)))`
  );
}

/**
 * BackupStale, BackupJobFailed and RestoreVerificationFailed for one backup set. On Kubernetes they read
 * kube-state-metrics CronJob/Job series; on Docker the node-exporter textfile metrics the scripts write.
 * Pure: returns rule data only.
 */
export function buildBackupAlerts(i: BackupAlertInputs): RuleGroup[] {
  const serious: Severity = i.environment === "prod" ? "critical" : "warning";
  const labels = { backup: i.name, namespace: i.namespace };
  const staleSeconds = staleAfterSeconds(i.maxPeriodMinutes, i.graceSeconds);
  const hours = (s: number) => `${Math.round((s / 3600) * 10) / 10}h`;
  const rules: AlertRule[] = [];

  let stale: string;
  let failed: string;
  let verifyFailed: string | undefined;
  if (i.target === "kubernetes") {
    const sel = (cj: string) => `{namespace="${i.namespace}",cronjob="${cj}"}`;
    stale = staleExpr(
      `kube_cronjob_status_last_successful_time${sel(i.backupCronJob)}`,
      `kube_cronjob_created${sel(i.backupCronJob)}`,
      staleSeconds,
    );
    failed = k8sFailedExpr(i.namespace, i.backupCronJob);
    if (i.verify) {
      const verifyStale = staleAfterSeconds(i.verify.maxPeriodMinutes, i.verify.graceSeconds);
      verifyFailed = `(${k8sFailedExpr(i.namespace, i.verifyCronJob)}) or (${staleExpr(
        `kube_cronjob_status_last_successful_time${sel(i.verifyCronJob)}`,
        `kube_cronjob_created${sel(i.verifyCronJob)}`,
        verifyStale,
      )})`;
    }
  } else {
    const sel = (mode: string) => `{backup="${i.name}",mode="${mode}"}`;
    stale = staleExpr(
      `backup_last_success_timestamp_seconds${sel("backup")}`,
      `backup_scheduler_started_timestamp_seconds${sel("backup")}`,
      staleSeconds,
    );
    failed = `max(backup_last_run_failed${sel("backup")}) == 1`;
    if (i.verify) {
      const verifyStale = staleAfterSeconds(i.verify.maxPeriodMinutes, i.verify.graceSeconds);
      verifyFailed = `(max(backup_last_run_failed${sel("verify")}) == 1) or (${staleExpr(
        `backup_last_success_timestamp_seconds${sel("verify")}`,
        `backup_scheduler_started_timestamp_seconds${sel("verify")}`,
        verifyStale,
      )})`;
    }
  }

  rules.push({
    alert: "BackupStale",
    expr: stale,
    for: "10m",
    severity: serious,
    labels,
    summary: `Backup ${i.name} has not succeeded for more than ${hours(staleSeconds)}`,
    description:
      `No successful backup of ${i.name} in ${i.namespace} within its longest schedule gap plus the start and run grace (${hours(staleSeconds)}): the last scheduled run was missed or failed, ` +
      "or the backup job has never succeeded, or it does not exist. The recovery point objective is at risk.",
  });
  rules.push({
    alert: "BackupJobFailed",
    expr: failed,
    for: "0m",
    severity: "warning",
    labels,
    summary: `The latest backup run of ${i.name} failed`,
    description: `The most recent backup run of ${i.name} in ${i.namespace} failed and no later run has succeeded yet. BackupStale follows if the next run fails too.`,
  });
  if (verifyFailed) {
    rules.push({
      alert: "RestoreVerificationFailed",
      expr: verifyFailed,
      for: "0m",
      severity: serious,
      labels,
      summary: `Restore verification of ${i.name} failed or is overdue`,
      description:
        `The newest backup of ${i.name} could not be restored and checked in a scratch database (or no restore test ` +
        "succeeded within its period). Until a restore test passes, treat the backups as unproven.",
    });
  }
  return [{ name: `backup-${i.name}`, rules }];
}

/**
 * Every rule a backup set in `environment` can emit (restore verification included), for a sample backup. The
 * stacks read the alert families and their levels from it (BackupStale is critical only in prod): the backup keys
 * `platform:alerting.durations` accepts before any backup is built.
 */
export function backupAlertCatalog(environment: Environment): RuleGroup[] {
  const period = { maxPeriodMinutes: 1440, graceSeconds: 3600 };
  return buildBackupAlerts({
    name: "catalog",
    target: "kubernetes",
    environment,
    namespace: "catalog",
    backupCronJob: "catalog-backup",
    verifyCronJob: "catalog-verify",
    ...period,
    verify: period,
  });
}
