#!/usr/bin/env bash
# Managed Redis backups on AWS through native ElastiCache snapshots, and a real restore test of them.
#
# `redis-cli --rdb` needs SYNC, which ElastiCache refuses (ClientConfig.RestrictedCommands), so on AWS the backup set
# is a series of on-demand manual snapshots of the replication group, and its verification restores the newest one
# into a scratch replication group.
#
# Usage: redis-snapshot-aws.sh snapshot|verify
#   snapshot   CreateSnapshot of the replication group, wait until it is available, check one node snapshot per shard,
#              then delete this set's snapshots older than RETENTION_DAYS
#   verify     restore the newest available snapshot of this set into VERIFY_GROUP_ID, wait until it is available,
#              check its shard count, log the restore duration, delete the scratch group (always, also when killed)
#
# Configuration (environment):
#   REPLICATION_GROUP_ID       the ElastiCache replication group that is backed up (required)
#   BACKUP_NAME                snapshot name prefix: snapshots are named <BACKUP_NAME>-YYYYMMDD-HHMMSS (UTC); only
#                              manual snapshots of the group with exactly that shape are ever listed or deleted (required)
#   RETENTION_DAYS             delete this set's snapshots older than N days (required, integer >= 1)
#   EXPECTED_SHARDS            node groups of the replication group (1 when cluster mode is off; default 1)
#   SNAPSHOT_TIMEOUT_SECONDS   give up on a snapshot after this long (default 3000)
#   POLL_SECONDS               interval between status polls; also the first retry backoff (default 15)
#   AWS_REGION / AWS_DEFAULT_REGION, credentials: the aws cli's own chain (IRSA web identity in the pod)
#   AWS_ENDPOINT_URL_ELASTICACHE / AWS_ENDPOINT_URL   optional endpoint override (standard aws cli variables)
#   AWS_CLI                    aws executable (default: aws)
# verify only:
#   VERIFY_GROUP_ID            scratch replication group id; must differ from REPLICATION_GROUP_ID (required)
#   RESTORE_TEMPLATE           JSON object of CreateReplicationGroup parameters (node type, subnet group, security
#                              groups, encryption, KMS key, NumNodeGroups, ...); the script adds ReplicationGroupId,
#                              ReplicationGroupDescription and SnapshotName and hands it to the aws cli through a 0600
#                              temporary file (required)
#   RESTORE_TIMEOUT_SECONDS    give up on the restore (and on a leftover group's deletion) after this long (default 3000)
set -euo pipefail

COMMAND="${1:-}"
AWS_CLI="${AWS_CLI:-aws}"

log() { printf '%s redis-snapshot-aws.sh[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${COMMAND:-?}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date -u +%s; }

# --- configuration ----------------------------------------------------------------------------------------------

# ElastiCache identifiers: a letter, then letters, digits and single hyphens, no trailing hyphen, at most 40 characters.
valid_group_id() { [[ "$1" =~ ^[A-Za-z][A-Za-z0-9-]{0,39}$ && "$1" != *- && "$1" != *--* ]]; }

require_int() {  # name value minimum
  if [[ ! "$2" =~ ^[0-9]{1,9}$ ]] || (( 10#$2 < $3 )); then die "$1 must be an integer >= $3, got '$2'"; fi
}

load_config() {
  REPLICATION_GROUP_ID="${REPLICATION_GROUP_ID:-}"
  BACKUP_NAME="${BACKUP_NAME:-}"
  RETENTION_DAYS="${RETENTION_DAYS:-}"
  EXPECTED_SHARDS="${EXPECTED_SHARDS:-1}"
  SNAPSHOT_TIMEOUT_SECONDS="${SNAPSHOT_TIMEOUT_SECONDS:-3000}"
  POLL_SECONDS="${POLL_SECONDS:-15}"
  RESTORE_TIMEOUT_SECONDS="${RESTORE_TIMEOUT_SECONDS:-3000}"
  valid_group_id "$REPLICATION_GROUP_ID" \
    || die "REPLICATION_GROUP_ID must be an ElastiCache replication group id (a letter, then letters, digits, single hyphens; at most 40), got '$REPLICATION_GROUP_ID'"
  # The name ends up inside snapshot names, a JSON document and JMESPath-free shell comparisons: keep it to the
  # characters every one of them takes literally.
  [[ "$BACKUP_NAME" =~ ^[A-Za-z][A-Za-z0-9-]{0,63}$ && "$BACKUP_NAME" != *- ]] \
    || die "BACKUP_NAME must be a letter followed by letters, digits or hyphens (at most 64, no trailing hyphen), got '$BACKUP_NAME'"
  require_int RETENTION_DAYS "$RETENTION_DAYS" 1
  require_int EXPECTED_SHARDS "$EXPECTED_SHARDS" 1
  require_int SNAPSHOT_TIMEOUT_SECONDS "$SNAPSHOT_TIMEOUT_SECONDS" 1
  require_int POLL_SECONDS "$POLL_SECONDS" 0
  require_int RESTORE_TIMEOUT_SECONDS "$RESTORE_TIMEOUT_SECONDS" 1
}

# --- aws cli ----------------------------------------------------------------------------------------------------

# Private scratch space (0700): the aws cli's last error message and the restore's input file. Callers often run
# `ec` inside $(...), a subshell, so the error travels through a file rather than a variable.
WORK_DIR="$(umask 077 && mktemp -d)"
ERR_FILE="$WORK_DIR/aws-error"
SCRATCH_REQUESTED=0
CLEANUP_ATTEMPTS=10  # deletion requests the EXIT trap makes while the scratch group refuses them (1-5 s apart)
trap cleanup EXIT  # defined below: removes WORK_DIR, and the scratch group once its creation was requested
trap 'exit 143' TERM
trap 'exit 130' INT

# The standard endpoint override variables (a VPC endpoint, a local test server): aws cli 2.13 and later read them
# themselves, older ones (2.9 in Debian 12) ignore them, so they are passed on explicitly.
ENDPOINT_ARGS=()
ENDPOINT_URL="${AWS_ENDPOINT_URL_ELASTICACHE:-${AWS_ENDPOINT_URL:-}}"
if [[ -n "$ENDPOINT_URL" ]]; then ENDPOINT_ARGS=(--endpoint-url "$ENDPOINT_URL"); fi

# Runs `aws elasticache ...`; stdout is the answer, the cli's error message is kept for aws_error.
ec() { "$AWS_CLI" "${ENDPOINT_ARGS[@]}" elasticache "$@" 2>"$ERR_FILE"; }
# The last call's error message on one line.
aws_error() { tr '\n' ' ' <"$ERR_FILE" | sed 's/[[:space:]]*$//'; }
# True when the last call was refused with this ElastiCache error code.
aws_error_is() { grep -qF "($1)" "$ERR_FILE"; }

# Sleeps in the background so that TERM/INT traps run at once instead of after the sleep.
pause() { sleep "$1" & wait "$!"; }

# --- this set's snapshot names ----------------------------------------------------------------------------------

STAMP_RE='^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])-([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$'

# The stamp of a name of this set (YYYYMMDD-HHMMSS), or failure for any other name.
set_stamp() {
  local name="$1" prefix="${BACKUP_NAME}-" stamp
  [[ "$name" == "$prefix"* ]] || return 1
  stamp="${name#"$prefix"}"
  [[ "$stamp" =~ $STAMP_RE ]] || return 1
  printf '%s' "$stamp"
}

# Names of this group's manual snapshots in the given status (empty: any), one a line. The request filter for manual
# snapshots is SnapshotSource=user (the API takes user|system; the snapshots then say "manual"); the aws cli follows
# the Marker pagination itself and applies the query to every page.
manual_snapshots() {
  local status="$1" query out
  if [[ -n "$status" ]]; then query="Snapshots[?SnapshotSource=='manual' && SnapshotStatus=='$status'].SnapshotName"
  else query="Snapshots[?SnapshotSource=='manual'].SnapshotName"; fi
  out="$(ec describe-snapshots --replication-group-id "$REPLICATION_GROUP_ID" --snapshot-source user \
    --query "$query" --output text)" || die "listing the snapshots of $REPLICATION_GROUP_ID failed: $(aws_error)"
  tr '\t' '\n' <<<"$out" | grep -v -e '^$' -e '^None$' || true
}

# --- snapshot ---------------------------------------------------------------------------------------------------

create_snapshot() {  # name deadline
  local name="$1" deadline="$2" delay="$POLL_SECONDS" attempt=1
  while ! ec create-snapshot --replication-group-id "$REPLICATION_GROUP_ID" --snapshot-name "$name" \
      --query 'Snapshot.SnapshotStatus' --output text >/dev/null; do
    # A snapshot is refused while the group is already snapshotting (its own backup window, another job) or being
    # modified; that passes, anything else will not.
    aws_error_is InvalidReplicationGroupState || die "create-snapshot $name of $REPLICATION_GROUP_ID failed: $(aws_error)"
    (( $(now) + delay < deadline )) \
      || die "create-snapshot $name: $REPLICATION_GROUP_ID stayed busy (InvalidReplicationGroupState) through $attempt attempts within ${SNAPSHOT_TIMEOUT_SECONDS}s: $(aws_error)"
    log "$REPLICATION_GROUP_ID is busy (InvalidReplicationGroupState, attempt $attempt); retrying in ${delay}s"
    pause "$delay"
    attempt=$((attempt + 1))
    delay=$(( delay * 2 > 300 ? 300 : (delay * 2 < 1 ? 1 : delay * 2) ))
  done
}

wait_snapshot() {  # name started deadline
  local name="$1" started="$2" deadline="$3" status
  while :; do
    if ! status="$(ec describe-snapshots --snapshot-name "$name" --query 'Snapshots[0].SnapshotStatus' --output text)"; then
      aws_error_is SnapshotNotFoundFault && die "snapshot $name vanished while it was being created"
      die "describe-snapshots $name failed: $(aws_error)"
    fi
    case "$status" in
      available) return 0 ;;
      creating|copying|restoring) ;;
      None|"") die "snapshot $name vanished while it was being created" ;;
      *) die "snapshot $name is '$status' after $(( $(now) - started ))s instead of becoming available" ;;
    esac
    (( $(now) < deadline )) || die "snapshot $name still '$status' after $(( $(now) - started ))s (SNAPSHOT_TIMEOUT_SECONDS=$SNAPSHOT_TIMEOUT_SECONDS)"
    pause "$POLL_SECONDS"
  done
}

check_node_snapshots() {  # name
  local name="$1" ids shards nodes
  ids="$(ec describe-snapshots --snapshot-name "$name" --query 'Snapshots[0].NodeSnapshots[].NodeGroupId' --output text)" \
    || die "describe-snapshots $name failed: $(aws_error)"
  # grep finds nothing when no node snapshot names its group: that is a count of 0, not a failure of the script.
  shards="$(tr '\t' '\n' <<<"$ids" | { grep -v -e '^$' -e '^None$' || true; } | sort -u | wc -l)"
  if (( shards == 0 && EXPECTED_SHARDS == 1 )); then
    # Cluster mode off: the API does not promise a NodeGroupId there; one node snapshot is the one shard.
    nodes="$(ec describe-snapshots --snapshot-name "$name" --query 'length(Snapshots[0].NodeSnapshots)' --output text)" \
      || die "describe-snapshots $name failed: $(aws_error)"
    [[ "$nodes" =~ ^[0-9]+$ ]] && (( nodes >= 1 )) && shards=1
  fi
  (( shards >= EXPECTED_SHARDS )) \
    || die "snapshot $name holds $shards node group(s), EXPECTED_SHARDS is $EXPECTED_SHARDS: it does not cover every shard"
  log "snapshot $name holds $shards node group(s) (expected $EXPECTED_SHARDS)"
}

prune() {  # name just taken
  local taken="$1" cutoff names name stamp failed=0 deleted=0 kept=0
  names="$(manual_snapshots "")"
  cutoff="$(date -u -d "@$(( $(now) - RETENTION_DAYS * 86400 ))" +%Y%m%d-%H%M%S)"
  while IFS= read -r name; do
    stamp="$(set_stamp "$name")" || continue
    if [[ "$name" == "$taken" || ! "$stamp" < "$cutoff" ]]; then kept=$((kept + 1)); continue; fi
    if ec delete-snapshot --snapshot-name "$name" --query 'Snapshot.SnapshotStatus' --output text >/dev/null; then
      deleted=$((deleted + 1))
      log "deleted expired snapshot $name (older than ${RETENTION_DAYS}d)"
    else
      failed=$((failed + 1))
      log "ERROR: deleting expired snapshot $name failed: $(aws_error)"
    fi
  done <<<"$names"
  (( failed == 0 )) || die "prune: $failed expired snapshot(s) could not be deleted"
  log "prune: deleted $deleted snapshot(s) older than ${RETENTION_DAYS}d (before $cutoff), kept $kept of set $BACKUP_NAME"
}

cmd_snapshot() {
  load_config
  local name started deadline
  name="${BACKUP_NAME}-$(date -u +%Y%m%d-%H%M%S)"
  started="$(now)"
  deadline=$(( started + SNAPSHOT_TIMEOUT_SECONDS ))
  log "creating snapshot $name of $REPLICATION_GROUP_ID"
  create_snapshot "$name" "$deadline"
  wait_snapshot "$name" "$started" "$deadline"
  log "snapshot $name available after $(( $(now) - started ))s"
  check_node_snapshots "$name"
  prune "$name"
  log "done: $name"
}

# --- verify -----------------------------------------------------------------------------------------------------

# Status of a replication group; prints "gone" when it does not exist.
group_status() {  # id
  local status
  if status="$(ec describe-replication-groups --replication-group-id "$1" --query 'ReplicationGroups[0].Status' --output text)"; then
    printf '%s' "$status"
  elif aws_error_is ReplicationGroupNotFoundFault; then
    printf 'gone'
  else
    die "describe-replication-groups $1 failed: $(aws_error)"
  fi
}

# Asks for the scratch group's deletion; true once it is requested or the group is gone.
request_scratch_deletion() {
  if ec delete-replication-group --replication-group-id "$VERIFY_GROUP_ID" --no-retain-primary-cluster \
      --query 'ReplicationGroup.Status' --output text >/dev/null; then
    return 0
  fi
  aws_error_is ReplicationGroupNotFoundFault
}

# A scratch group left by a killed run is deleted (and waited for) before a new one is created under its id.
delete_leftover() {
  local started deadline status
  started="$(now)"
  deadline=$(( started + RESTORE_TIMEOUT_SECONDS ))
  status="$(group_status "$VERIFY_GROUP_ID")"
  [[ "$status" == gone ]] && return 0
  log "leftover scratch group $VERIFY_GROUP_ID ($status) from an earlier run: deleting it first"
  while :; do
    status="$(group_status "$VERIFY_GROUP_ID")"
    case "$status" in
      gone) log "leftover scratch group $VERIFY_GROUP_ID deleted after $(( $(now) - started ))s"; return 0 ;;
      deleting) ;;
      *)
        if ! request_scratch_deletion; then
          # Refused while it is still creating or modifying: wait for a state that can be deleted.
          aws_error_is InvalidReplicationGroupState || die "deleting leftover scratch group $VERIFY_GROUP_ID failed: $(aws_error)"
        fi ;;
    esac
    (( $(now) < deadline )) || die "leftover scratch group $VERIFY_GROUP_ID still '$status' after $(( $(now) - started ))s (RESTORE_TIMEOUT_SECONDS=$RESTORE_TIMEOUT_SECONDS)"
    pause "$POLL_SECONDS"
  done
}

# EXIT trap: the scratch group costs money and holds a copy of the data, so once its creation was requested it is
# deleted on every way out (success, failure, TERM/INT while waiting). A group still being created refuses deletion
# (InvalidReplicationGroupState); that is retried for a bounded time, and whatever is left is deleted first by the
# next verify run.
cleanup() {
  local rc=$? tries=0
  trap - EXIT
  trap '' INT TERM
  set +e
  if (( SCRATCH_REQUESTED )); then
    until request_scratch_deletion; do
      tries=$((tries + 1))
      if ! aws_error_is InvalidReplicationGroupState || (( tries >= CLEANUP_ATTEMPTS )); then
        log "ERROR: could not delete scratch group $VERIFY_GROUP_ID: $(aws_error) (the next verify run deletes it first)"
        rm -rf "$WORK_DIR"
        exit $(( rc == 0 ? 1 : rc ))
      fi
      sleep $(( POLL_SECONDS < 1 ? 1 : (POLL_SECONDS > 5 ? 5 : POLL_SECONDS) ))
    done
    log "scratch group $VERIFY_GROUP_ID: deletion requested"
  fi
  rm -rf "$WORK_DIR"
  exit "$rc"
}

# RESTORE_TEMPLATE plus the three parameters the script owns, as one JSON object. The template itself is passed on
# untouched; it only has to be a JSON object, and must not set the parameters the script owns.
restore_input() {  # snapshot
  local template="$RESTORE_TEMPLATE" body key
  template="${template#"${template%%[![:space:]]*}"}"
  template="${template%"${template##*[![:space:]]}"}"
  [[ "$template" == "{"*"}" ]] || die "RESTORE_TEMPLATE must be a JSON object of CreateReplicationGroup parameters"
  for key in ReplicationGroupId ReplicationGroupDescription SnapshotName SnapshotArns; do
    [[ "$template" =~ \"$key\"[[:space:]]*: ]] && die "RESTORE_TEMPLATE must not set $key: the script sets the restore's id and source"
  done
  body="${template#\{}"
  body="${body%\}}"
  [[ "$body" =~ [^[:space:]] ]] && body="$body,"
  printf '{%s"ReplicationGroupId":"%s","ReplicationGroupDescription":"%s","SnapshotName":"%s"}' "$body" \
    "$VERIFY_GROUP_ID" "restore test of $1 (redis-snapshot-aws.sh verify)" "$1"
}

cmd_verify() {
  load_config
  VERIFY_GROUP_ID="${VERIFY_GROUP_ID:-}"
  RESTORE_TEMPLATE="${RESTORE_TEMPLATE:-}"
  valid_group_id "$VERIFY_GROUP_ID" || die "VERIFY_GROUP_ID must be an ElastiCache replication group id, got '$VERIFY_GROUP_ID'"
  # Ids are case-insensitive; the scratch group is deleted, so it must never be the group that is backed up.
  [[ "${VERIFY_GROUP_ID,,}" != "${REPLICATION_GROUP_ID,,}" ]] || die "VERIFY_GROUP_ID must not be REPLICATION_GROUP_ID ($REPLICATION_GROUP_ID)"
  [[ -n "$RESTORE_TEMPLATE" ]] || die "RESTORE_TEMPLATE must be a JSON object of CreateReplicationGroup parameters"

  local snapshot="" names name input input_file started deadline status groups
  names="$(manual_snapshots available)"
  while IFS= read -r name; do
    set_stamp "$name" >/dev/null || continue
    [[ -z "$snapshot" || "$name" > "$snapshot" ]] && snapshot="$name"
  done <<<"$names"
  [[ -n "$snapshot" ]] || die "no available snapshot of set $BACKUP_NAME ($BACKUP_NAME-YYYYMMDD-HHMMSS) of $REPLICATION_GROUP_ID to verify; has the snapshot job run?"
  log "newest snapshot of set $BACKUP_NAME: $snapshot"
  input="$(restore_input "$snapshot")"

  delete_leftover

  # The template may carry an AuthToken: the file is private (0600 in a 0700 directory) and removed right after use.
  input_file="$WORK_DIR/create-replication-group.json"
  (umask 077 && printf '%s' "$input" >"$input_file")
  started="$(now)"
  deadline=$(( started + RESTORE_TIMEOUT_SECONDS ))
  SCRATCH_REQUESTED=1
  log "restoring $snapshot into scratch group $VERIFY_GROUP_ID"
  ec create-replication-group --cli-input-json "file://$input_file" --query 'ReplicationGroup.Status' --output text >/dev/null \
    || die "create-replication-group $VERIFY_GROUP_ID from $snapshot failed: $(aws_error)"
  rm -f "$input_file"

  while :; do
    status="$(group_status "$VERIFY_GROUP_ID")"
    case "$status" in
      available) break ;;
      creating|modifying|snapshotting) ;;
      *) die "restore of $snapshot into $VERIFY_GROUP_ID ended '$status' after $(( $(now) - started ))s" ;;
    esac
    (( $(now) < deadline )) || die "restore of $snapshot into $VERIFY_GROUP_ID still '$status' after $(( $(now) - started ))s (RESTORE_TIMEOUT_SECONDS=$RESTORE_TIMEOUT_SECONDS)"
    pause "$POLL_SECONDS"
  done
  log "restore duration: $(( $(now) - started ))s ($snapshot into $VERIFY_GROUP_ID, until available)"

  groups="$(ec describe-replication-groups --replication-group-id "$VERIFY_GROUP_ID" \
    --query 'length(ReplicationGroups[0].NodeGroups)' --output text)" || die "describe-replication-groups $VERIFY_GROUP_ID failed: $(aws_error)"
  [[ "$groups" == "$EXPECTED_SHARDS" ]] \
    || die "restored group $VERIFY_GROUP_ID has $groups node group(s), EXPECTED_SHARDS is $EXPECTED_SHARDS"
  log "restored group $VERIFY_GROUP_ID has $groups node group(s) (expected $EXPECTED_SHARDS): $snapshot verified"
}

case "$COMMAND" in
  snapshot) cmd_snapshot ;;
  verify) cmd_verify ;;
  *) die "usage: redis-snapshot-aws.sh snapshot|verify" ;;
esac
