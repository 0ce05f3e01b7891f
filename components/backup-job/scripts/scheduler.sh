#!/usr/bin/env bash
# A minimal cron for the Docker target: wakes at each minute boundary and runs the backup script when the
# current time (in $TZ) matches the schedule. The component expands the cron expression into explicit lists,
# so this loop only compares numbers.
#
# Environment: CRON_MINUTES CRON_HOURS CRON_DOM CRON_MONTHS CRON_DOW (space-separated values),
# CRON_DOM_RESTRICTED / CRON_DOW_RESTRICTED (1 when the field was not '*'), SCHEDULE_COMMAND (backup|verify),
# BACKUP_NAME, METRICS_TEXTFILE_DIR, and everything backup.sh reads.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${CRON_MINUTES:?}" "${CRON_HOURS:?}" "${CRON_DOM:?}" "${CRON_MONTHS:?}" "${CRON_DOW:?}"
: "${SCHEDULE_COMMAND:?SCHEDULE_COMMAND must be backup or verify}" "${BACKUP_NAME:?}"

contains() { [[ " $1 " == *" $2 "* ]]; }

matches_now() {
  local minute hour dom month dow dom_ok=0 dow_ok=0
  read -r minute hour dom month dow < <(date +'%-M %-H %-d %-m %w')
  contains "$CRON_MINUTES" "$minute" || return 1
  contains "$CRON_HOURS" "$hour" || return 1
  contains "$CRON_MONTHS" "$month" || return 1
  if contains "$CRON_DOM" "$dom"; then dom_ok=1; fi
  if contains "$CRON_DOW" "$dow"; then dow_ok=1; fi
  if [[ "${CRON_DOM_RESTRICTED:-0}" == 1 && "${CRON_DOW_RESTRICTED:-0}" == 1 ]]; then
    [[ $dom_ok == 1 || $dow_ok == 1 ]]
  else
    [[ $dom_ok == 1 && $dow_ok == 1 ]]
  fi
}

# Alerts compare "never succeeded" against this start time, so a job that never ran still alerts.
if [[ -n "${METRICS_TEXTFILE_DIR:-}" ]]; then
  mkdir -p "$METRICS_TEXTFILE_DIR"
  # The textfile directory may be a tmpfs emptied by a restart: put back the last results this job recorded,
  # so "last success" survives a host reboot.
  if [[ -n "${METRICS_STATE_DIR:-}" && -f "$METRICS_STATE_DIR/backup_${BACKUP_NAME}_${SCHEDULE_COMMAND}.prom" ]]; then
    saved="$METRICS_STATE_DIR/backup_${BACKUP_NAME}_${SCHEDULE_COMMAND}.prom"
    cp -f "$saved" "$METRICS_TEXTFILE_DIR/.restore.$$"
    mv -f "$METRICS_TEXTFILE_DIR/.restore.$$" "$METRICS_TEXTFILE_DIR/$(basename "$saved")"
  fi
  file="$METRICS_TEXTFILE_DIR/backup_${BACKUP_NAME}_${SCHEDULE_COMMAND}_scheduler.prom"
  {
    echo "# HELP backup_scheduler_started_timestamp_seconds Unix time the backup scheduler started."
    echo "# TYPE backup_scheduler_started_timestamp_seconds gauge"
    echo "backup_scheduler_started_timestamp_seconds{backup=\"$BACKUP_NAME\",mode=\"$SCHEDULE_COMMAND\"} $(date +%s)"
  } >"$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
fi

echo "scheduler: running '$SCHEDULE_COMMAND' for $BACKUP_NAME at minutes [$CRON_MINUTES] hours [$CRON_HOURS]" >&2
while true; do
  sleep $((60 - $(date +%-S)))
  if matches_now; then
    # A failed run is recorded by backup.sh (metrics, exit code in the log); the loop keeps going.
    bash "$SCRIPT_DIR/backup.sh" "$SCHEDULE_COMMAND" || echo "scheduler: $SCHEDULE_COMMAND failed with $?" >&2
  fi
done
