#!/usr/bin/env bash
# Backup, restore and restore-verification for PostgreSQL (pg_dump custom format), Redis (RDB snapshot) and MongoDB
# (mongodump archive, gzip).
#
# Usage: backup.sh <command> [args]
#   backup                       dump + upload + prune + success metric (Docker, or one container with both tools)
#   dump                         dump into $STAGING_DIR only (Kubernetes init container with the database client)
#   upload                       upload everything staged, then prune and write the metric (aws cli container)
#   fetch [object|latest]        download an object and its .sha256 into $STAGING_DIR and check the checksum
#   restore <object|latest> <db> fetch, verify the checksum, pg_restore / mongorestore into <db> (created when missing)
#   verify                       fetch the newest backup and restore-test it in a scratch database
#   verify-local                 restore-test the object already fetched into $STAGING_DIR
#   prune                        apply retention to a file:// destination (S3/OSS rely on bucket lifecycle rules)
#   latest                       print the newest complete object name
#
# Configuration (environment):
#   ENGINE               postgres (default) | redis | mongodb
#   PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSSLMODE   libpq settings (password from a Secret)
#   REDIS_HOST REDIS_PORT REDISCLI_AUTH REDIS_TLS=1          Redis settings (password from a Secret)
#   REDIS_CLUSTER=1      Redis cluster mode: REDIS_HOST is the configuration endpoint; every shard is dumped (below)
#   MONGODB_URI          MongoDB connection string with the password (from a Secret); handed to the tools in a
#                        private config file, never on a command line
#   MONGODB_DATABASE     MongoDB database to dump, restore and verify (required for restore and verify)
#   BACKUP_DESTINATION   s3://bucket/prefix | file:///path    (required)
#   S3_ENDPOINT_URL      S3-compatible endpoint (Alibaba Cloud OSS, test servers); empty for AWS S3
#   BACKUP_NAME          object name prefix and metric label (default: PGDATABASE, "redis" or MONGODB_DATABASE)
#   RETENTION_COUNT      file:// only: keep exactly the newest N backups (0 = no count limit)
#   RETENTION_DAYS       file:// only: delete backups older than N days (0 = no age limit)
#   STAGING_DIR          scratch directory (default: /tmp/backup-staging)
#   VERIFY_DATABASE      scratch database for verify (default: <PGDATABASE>_verify / <MONGODB_DATABASE>_verify)
#   VERIFY_QUERY         optional SQL returning one value; verification fails on empty/0/false/f
#   METRICS_TEXTFILE_DIR optional node-exporter textfile directory for success/failure metrics
#   METRICS_STATE_DIR    optional persistent copy of the metric files (the textfile directory may be a tmpfs that
#                        a restart empties; scheduler.sh restores it from here)
#   S3_ADDRESSING_STYLE  virtual | path: how the aws cli names the bucket (OSS refuses path-style requests; default:
#                        the aws cli's choice, which is path-style for a custom endpoint)
#   STORAGE_IDENTITY         how the bucket is reached: empty = the aws cli's own credential chain (IRSA web identity, a
#                        credentials file); rrsa = Alibaba Cloud RRSA, below
#   AWS_CLI              aws executable (default: aws)
#   CURL                 curl executable, for RRSA (default: curl)
#
# RRSA (STORAGE_IDENTITY=rrsa): ack-pod-identity-webhook injects ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and
# ALIBABA_CLOUD_OIDC_TOKEN_FILE into pods whose ServiceAccount names a RAM role. The aws cli cannot use them, so before
# the first bucket request the script exchanges the token at STS (AssumeRoleWithOIDC, an unsigned call: the token is
# the proof) for session credentials and hands those to the aws cli, which sends the session token the way OSS's
# S3-compatible API expects (x-amz-security-token). The token and the credentials never leave this process.
#   ALIBABA_CLOUD_STS_ENDPOINT   STS endpoint (default https://sts.aliyuncs.com; the component sets the region's VPC one)
#   STS_DURATION_SECONDS         session length, 900 up to the role's MaxSessionDuration (default 3600)
#
# Redis cluster mode (REDIS_CLUSTER=1): the shards are discovered with CLUSTER NODES at REDIS_HOST (a node announces a
# hostname when it has one, as ElastiCache does with TLS, otherwise its IP; either is used as announced). The dump
# refuses to start unless the primaries' slot ranges cover 0-16383 exactly. Each shard is read from a replica whose
# replication link is up (the fork and the transfer then load a node that serves no writes), falling back to the
# shard's primary; a shard no node of which can be dumped fails the run. One object holds the set: a tar of every
# shard's gzipped RDB plus manifest.tsv (shard, primary and source node ids, source address and role, slot ranges,
# bytes, sha256), so checksums,
# listing, retention and the success metric treat it as one backup. Each shard is its own point in time (the shards
# are read one after the other), as with any per-shard snapshot.
set -euo pipefail

ENGINE="${ENGINE:-postgres}"
STAGING_DIR="${STAGING_DIR:-/tmp/backup-staging}"
AWS_CLI="${AWS_CLI:-aws}"
CURL="${CURL:-curl}"
STORAGE_IDENTITY="${STORAGE_IDENTITY:-}"
STS_DURATION_SECONDS="${STS_DURATION_SECONDS:-3600}"
RETENTION_COUNT="${RETENTION_COUNT:-0}"
RETENTION_DAYS="${RETENTION_DAYS:-0}"
METRICS_TEXTFILE_DIR="${METRICS_TEXTFILE_DIR:-}"
METRICS_STATE_DIR="${METRICS_STATE_DIR:-}"
COMMAND="${1:-}"

redis_cluster() { [[ "${REDIS_CLUSTER:-0}" == 1 ]]; }

log() { printf '%s backup.sh[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${COMMAND:-?}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

backup_name() {
  if [[ -n "${BACKUP_NAME:-}" ]]; then printf '%s' "$BACKUP_NAME"
  elif [[ "$ENGINE" == "redis" ]]; then printf 'redis'
  elif [[ "$ENGINE" == "mongodb" ]]; then printf '%s' "${MONGODB_DATABASE:-mongodb}"
  else printf '%s' "${PGDATABASE:?PGDATABASE or BACKUP_NAME must be set}"
  fi
}

extension() {
  case "$ENGINE" in
    postgres) printf 'dump' ;;
    redis) if redis_cluster; then printf 'cluster.tar'; else printf 'rdb.gz'; fi ;;
    mongodb) printf 'archive.gz' ;;
    *) die "ENGINE must be postgres, redis or mongodb, got '$ENGINE'" ;;
  esac
}

# Destination URL of the backup set, without a trailing slash: s3://bucket/prefix/<name> or file:///dir/<name>.
destination_root() {
  local dest="${BACKUP_DESTINATION:?BACKUP_DESTINATION must be s3://bucket/prefix or file:///path}"
  dest="${dest%/}"
  case "$dest" in
    s3://?*|file:///?*) printf '%s/%s' "$dest" "$(backup_name)" ;;
    *) die "BACKUP_DESTINATION must start with s3:// or file:///, got '$dest'" ;;
  esac
}

is_local() { [[ "$(destination_root)" == file://* ]]; }
local_dir() { local root; root="$(destination_root)"; printf '%s' "${root#file://}"; }

aws_s3() {
  storage_login
  if [[ -n "${S3_ENDPOINT_URL:-}" ]]; then
    "$AWS_CLI" --endpoint-url "$S3_ENDPOINT_URL" s3 "$@"
  else
    "$AWS_CLI" s3 "$@"
  fi
}

# --- bucket credentials -----------------------------------------------------------------------------------

STORAGE_READY=""
AWS_CONFIG_DIR=""

# Once per process, before the first bucket request (lazily: a long dump must not eat into a short session).
# Exported, so the command substitutions that list or fetch inherit it instead of logging in again.
storage_login() {
  [[ -z "$STORAGE_READY" ]] || return 0
  if [[ -n "${S3_ADDRESSING_STYLE:-}" ]]; then
    [[ "$S3_ADDRESSING_STYLE" == virtual || "$S3_ADDRESSING_STYLE" == path ]] || die "S3_ADDRESSING_STYLE must be virtual or path, got '$S3_ADDRESSING_STYLE'"
    AWS_CONFIG_DIR="$(mktemp -d)"
    printf '[default]\ns3 =\n    addressing_style = %s\n' "$S3_ADDRESSING_STYLE" >"$AWS_CONFIG_DIR/config"
    export AWS_CONFIG_FILE="$AWS_CONFIG_DIR/config"
  fi
  case "$STORAGE_IDENTITY" in
    "") ;;
    rrsa) rrsa_login ;;
    *) die "STORAGE_IDENTITY must be empty or rrsa, got '$STORAGE_IDENTITY'" ;;
  esac
  export STORAGE_READY=1
}

# A string field of the flat JSON STS returns (ids, secrets and tokens hold no quotes or backslashes).
json_field() {
  printf '%s' "$1" | tr -d '\r\n' | grep -o "\"$2\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | head -n 1 | sed 's/^.*:[[:space:]]*"//; s/"$//' || true
}

rrsa_login() {
  local var missing=()
  for var in ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_OIDC_PROVIDER_ARN ALIBABA_CLOUD_OIDC_TOKEN_FILE; do
    [[ -n "${!var:-}" ]] || missing+=("$var")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    die "RRSA: ${missing[*]} not set; ack-pod-identity-webhook injects them only into namespaces labelled pod-identity.alibabacloud.com/injection=on, for ServiceAccounts annotated pod-identity.alibabacloud.com/role-name"
  fi
  [[ -r "$ALIBABA_CLOUD_OIDC_TOKEN_FILE" ]] || die "RRSA: the OIDC token file $ALIBABA_CLOUD_OIDC_TOKEN_FILE is not readable"
  command -v "$CURL" >/dev/null || die "RRSA needs curl in the storage image ($CURL not found)"
  [[ "$STS_DURATION_SECONDS" =~ ^[0-9]+$ && "$STS_DURATION_SECONDS" -ge 900 ]] || die "STS_DURATION_SECONDS must be a number of seconds of at least 900, got '$STS_DURATION_SECONDS'"
  local endpoint="${ALIBABA_CLOUD_STS_ENDPOINT:-https://sts.aliyuncs.com}" token response status body
  endpoint="${endpoint%/}"
  [[ "$endpoint" == http://* || "$endpoint" == https://* ]] || endpoint="https://$endpoint"
  token="$(<"$ALIBABA_CLOUD_OIDC_TOKEN_FILE")"
  [[ -n "$token" ]] || die "RRSA: the OIDC token file $ALIBABA_CLOUD_OIDC_TOKEN_FILE is empty"
  # The token goes in the request body through stdin: never on a command line, where other processes could read it.
  if ! response="$(printf '%s' "$token" | "$CURL" --silent --show-error --max-time 30 --retry 3 --retry-connrefused \
      --write-out '\n%{http_code}' \
      --data-urlencode "OIDCToken@-" \
      --data-urlencode "RoleArn=$ALIBABA_CLOUD_ROLE_ARN" \
      --data-urlencode "OIDCProviderArn=$ALIBABA_CLOUD_OIDC_PROVIDER_ARN" \
      --data-urlencode "RoleSessionName=backup-$(backup_name)" \
      --data-urlencode "DurationSeconds=$STS_DURATION_SECONDS" \
      "$endpoint/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON&Timestamp=$(date -u +%Y-%m-%dT%H%%3A%M%%3A%SZ)")"; then
    die "RRSA: the STS request to $endpoint failed"
  fi
  status="${response##*$'\n'}"
  body="${response%$'\n'*}"
  if [[ "$status" != 200 ]]; then
    die "RRSA: STS $endpoint answered HTTP $status: $(json_field "$body" Code) $(json_field "$body" Message)"
  fi
  local key_id key_secret session_token expiration
  key_id="$(json_field "$body" AccessKeyId)"
  key_secret="$(json_field "$body" AccessKeySecret)"
  session_token="$(json_field "$body" SecurityToken)"
  expiration="$(json_field "$body" Expiration)"
  if [[ -z "$key_id" || -z "$key_secret" || -z "$session_token" ]]; then
    die "RRSA: STS $endpoint answered without session credentials"
  fi
  export AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$key_secret" AWS_SESSION_TOKEN="$session_token"
  log "RRSA: assumed $ALIBABA_CLOUD_ROLE_ARN until ${expiration:-unknown}"
}

# Atomic node-exporter textfile: write a temp file in the same directory, then rename.
write_metrics() {
  local mode="$1" ok="$2"
  [[ -n "$METRICS_TEXTFILE_DIR" ]] || return 0
  mkdir -p "$METRICS_TEXTFILE_DIR"
  local name file previous_success=""
  name="$(backup_name)"
  file="$METRICS_TEXTFILE_DIR/backup_${name}_${mode}.prom"
  if [[ "$ok" == 0 && -f "$file" ]]; then
    previous_success="$(grep '^backup_last_success_timestamp_seconds' "$file" || true)"
  fi
  {
    echo "# HELP backup_last_success_timestamp_seconds Unix time of the last successful run."
    echo "# TYPE backup_last_success_timestamp_seconds gauge"
    if [[ "$ok" == 1 ]]; then
      echo "backup_last_success_timestamp_seconds{backup=\"$name\",mode=\"$mode\"} $(date +%s)"
    elif [[ -n "$previous_success" ]]; then
      echo "$previous_success"
    fi
    echo "# HELP backup_last_run_failed 1 when the last run failed."
    echo "# TYPE backup_last_run_failed gauge"
    echo "backup_last_run_failed{backup=\"$name\",mode=\"$mode\"} $((1 - ok))"
    echo "# HELP backup_last_run_timestamp_seconds Unix time the last run ended."
    echo "# TYPE backup_last_run_timestamp_seconds gauge"
    echo "backup_last_run_timestamp_seconds{backup=\"$name\",mode=\"$mode\"} $(date +%s)"
  } >"$file.tmp.$$"
  if [[ -n "$METRICS_STATE_DIR" ]]; then
    mkdir -p "$METRICS_STATE_DIR"
    cp -f "$file.tmp.$$" "$METRICS_STATE_DIR/.$(basename "$file").tmp"
    mv -f "$METRICS_STATE_DIR/.$(basename "$file").tmp" "$METRICS_STATE_DIR/$(basename "$file")"
  fi
  mv -f "$file.tmp.$$" "$file"
}

METRIC_MODE=""
PRIVATE_STAGING=""
SCRATCH_DIRS=()
# One-shot commands stage in a private directory so leftovers of an earlier failed run never mix in.
use_private_staging() {
  mkdir -p "$STAGING_DIR"
  PRIVATE_STAGING="$(mktemp -d "$STAGING_DIR/run.XXXXXX")"
  STAGING_DIR="$PRIVATE_STAGING"
}
on_exit() {
  local status=$?
  if [[ -n "$MONGO_CONFIG" ]]; then rm -f "$MONGO_CONFIG"; fi
  if [[ -n "$PRIVATE_STAGING" ]]; then rm -rf "$PRIVATE_STAGING"; fi
  if [[ ${#SCRATCH_DIRS[@]} -gt 0 ]]; then rm -rf "${SCRATCH_DIRS[@]}"; fi
  if [[ -n "$AWS_CONFIG_DIR" ]]; then rm -rf "$AWS_CONFIG_DIR"; fi
  if [[ -n "$METRIC_MODE" ]]; then
    if [[ $status -eq 0 ]]; then write_metrics "$METRIC_MODE" 1; else write_metrics "$METRIC_MODE" 0 || true; fi
  fi
  if [[ $status -ne 0 ]]; then log "failed with exit code $status"; fi
  exit "$status"
}
trap on_exit EXIT

# --- MongoDB tools ----------------------------------------------------------------------------------------

# mongodump/mongorestore read the connection string (with its password) from a YAML file given by --config, so the
# password never appears in an argv (ps, /proc). The file lives in the private staging directory (mode 600).
# Call it directly (not in a command substitution) so the exit trap knows the file and removes it.
MONGO_CONFIG=""
ensure_mongo_config() {
  [[ -z "$MONGO_CONFIG" ]] || return 0
  local uri="${MONGODB_URI:?MONGODB_URI must be set (from the credentials Secret)}"
  mkdir -p "$STAGING_DIR"
  MONGO_CONFIG="$(umask 077 && mktemp "$STAGING_DIR/.mongo-config.XXXXXX")"
  # A single-quoted YAML scalar: only ' needs escaping (doubled).
  printf "uri: '%s'\n" "${uri//\'/\'\'}" >"$MONGO_CONFIG"
}

# DocumentDB's certificates chain to the Amazon RDS CAs, which are in no public trust store: when MONGODB_CA_FILE
# names the mounted bundle, the tools verify the server with it (a path, not a secret: argv is fine).
MONGO_TLS_ARGS=()
if [[ -n "${MONGODB_CA_FILE:-}" ]]; then
  [[ -r "$MONGODB_CA_FILE" ]] || die "MONGODB_CA_FILE $MONGODB_CA_FILE is not a readable file"
  MONGO_TLS_ARGS=(--sslCAFile="$MONGODB_CA_FILE")
fi

mongo_database() {
  local db="${MONGODB_DATABASE:?MONGODB_DATABASE must be set}"
  [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]] || die "MONGODB_DATABASE must match [A-Za-z_][A-Za-z0-9_-]*, got '$db'"
  printf '%s' "$db"
}

# mongorestore from a staged archive into <target>, renaming the dumped database; prints the restored document count.
# Extra arguments (--drop) are passed through. Fails when any document failed to restore.
mongo_restore() {
  local object="$1" target="$2" source log restored failed
  shift 2
  source="$(mongo_database)"
  [[ "$target" =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]] || die "target database name must match [A-Za-z_][A-Za-z0-9_-]*, got '$target'"
  log "mongorestore $object into $target"
  log="$STAGING_DIR/.mongorestore.log"
  [[ -n "$MONGO_CONFIG" ]] || die "internal: ensure_mongo_config before mongo_restore"
  if ! mongorestore --config="$MONGO_CONFIG" "${MONGO_TLS_ARGS[@]}" --archive="$STAGING_DIR/$object" --gzip \
    --nsInclude="${source}.*" --nsFrom="${source}.*" --nsTo="${target}.*" "$@" 2>"$log"; then
    cat "$log" >&2
    die "mongorestore of $object into $target failed"
  fi
  cat "$log" >&2
  # mongorestore ends with "<n> document(s) restored successfully. <m> document(s) failed to restore."
  restored="$(sed -n 's/.*[[:space:]]\([0-9][0-9]*\) document(s) restored successfully.*/\1/p' "$log" | tail -n 1)"
  failed="$(sed -n 's/.*[[:space:]]\([0-9][0-9]*\) document(s) failed to restore.*/\1/p' "$log" | tail -n 1)"
  [[ -n "$restored" ]] || die "mongorestore did not report a document count for $object"
  [[ "${failed:-0}" == 0 ]] || die "$failed document(s) of $object failed to restore into $target"
  printf '%s\n' "$restored"
}

# --- Redis -------------------------------------------------------------------------------------------------

REDIS_SLOTS=16384

REDIS_TLS_ARGS=()
if [[ "${REDIS_TLS:-0}" == 1 ]]; then REDIS_TLS_ARGS=(--tls); fi

# redis-cli at one node; the password comes from REDISCLI_AUTH (environment, never argv).
redis_at() {
  local host="$1" port="$2"
  shift 2
  redis-cli -h "$host" -p "$port" "${REDIS_TLS_ARGS[@]}" "$@"
}

# A short query, bounded so an unreachable node cannot hang the run.
redis_query() {
  local host="$1" port="$2"
  shift 2
  timeout 30 redis-cli -h "$host" -p "$port" "${REDIS_TLS_ARGS[@]}" "$@"
}

# RDB snapshot of one node (redis-cli --rdb: the replication handshake), gzipped into <out>.
dump_redis_node() {
  local host="$1" port="$2" out="$3"
  log "redis-cli --rdb from $host:$port"
  rm -f "$out.rdb"
  if ! redis_at "$host" "$port" --rdb "$out.rdb" >&2; then rm -f "$out.rdb"; return 1; fi
  [[ -s "$out.rdb" ]] || { rm -f "$out.rdb"; log "the RDB from $host:$port is empty"; return 1; }
  gzip -c "$out.rdb" >"$out"
  rm -f "$out.rdb"
}

# A gzipped RDB: the gzip stream is intact and the snapshot starts with the magic "REDIS" and its format version.
check_rdb_gz() {
  local file="$1" label="$2" magic
  gzip -t "$file" 2>/dev/null || die "$label is not an intact gzip stream"
  magic="$(gzip -dc "$file" | head -c 5)"
  [[ "$magic" == REDIS ]] || die "$label is not an RDB snapshot (header '$magic')"
}

# Reads slot ranges ("a-b" or "a", one or more per line, comma or space separated) on stdin; prints every gap and
# overlap against 0-16383, nothing when they tile the key space exactly.
slot_coverage_problems() {
  local next=0 start end
  while read -r start end; do
    if ((start > next)); then printf 'slots %s-%s are not served\n' "$next" "$((start - 1))"; fi
    if ((start < next)); then printf 'slots %s-%s are claimed twice\n' "$start" "$((end < next - 1 ? end : next - 1))"; fi
    if ((end + 1 > next)); then next=$((end + 1)); fi
  done < <(sed 's/[, ]/\n/g' | grep -v '^\[' | grep . | awk -F- -v max="$((REDIS_SLOTS - 1))" '
    !/^[0-9]+(-[0-9]+)?$/ { printf "%s %s\n", max + 1, max + 1; next }
    { e = (NF == 2) ? $2 : $1; print $1, e }' | sort -n -k1,1 -k2,2)
  if ((next < REDIS_SLOTS)); then printf 'slots %s-%s are not served\n' "$next" "$((REDIS_SLOTS - 1))"; fi
  if ((next > REDIS_SLOTS)); then printf 'slot numbers beyond %s or malformed ranges\n' "$((REDIS_SLOTS - 1))"; fi
}

# CLUSTER NODES, one node a line: <id> <ip:port@cport[,hostname[,aux=value...]]> <flags> <primary id|-> <ping> <pong>
# <epoch> <link> [slots...]. Prints "id host port flags primary slots" (slots comma-joined, "-" for none): the
# announced hostname when there is one, else the IP; the node answering the query may not know its own IP (":port").
cluster_topology() {
  local raw id addr flags primary link slots
  raw="$(redis_query "$REDIS_HOST" "${REDIS_PORT:-6379}" CLUSTER NODES)" \
    || die "CLUSTER NODES at $REDIS_HOST:${REDIS_PORT:-6379} failed; is it a cluster-mode configuration endpoint?"
  [[ "$raw" =~ ^[0-9a-f]{40}\  ]] || die "CLUSTER NODES at $REDIS_HOST:${REDIS_PORT:-6379} answered '${raw%%$'\n'*}'; REDIS_CLUSTER=1 needs a cluster-mode endpoint"
  while read -r id addr flags primary _ _ _ link slots; do
    [[ -n "$id" ]] || continue
    local endpoint="${addr%%@*}" bus="${addr#*@}" hostname="" ip port
    if [[ "$bus" == *,* ]]; then hostname="${bus#*,}"; hostname="${hostname%%,*}"; fi
    [[ "$hostname" != *=* ]] || hostname=""
    ip="${endpoint%:*}"
    port="${endpoint##*:}"
    local host="${hostname:-$ip}"
    if [[ -z "$host" && ",$flags," == *,myself,* ]]; then host="$REDIS_HOST"; fi
    [[ -n "$host" ]] || host="?"
    printf '%s %s %s %s %s %s %s\n' "$id" "$host" "$port" "$flags" "$primary" "$link" "$(printf '%s' "${slots:-}" | tr ' ' ',' | sed 's/^$/-/')"
  done <<<"$raw"
}

has_flag() { [[ ",$1," == *",$2,"* ]]; }
node_down() { has_flag "$1" fail || has_flag "$1" "fail?" || has_flag "$1" noaddr || has_flag "$1" handshake; }

replica_in_sync() {
  local info
  info="$(redis_query "$1" "$2" INFO replication 2>/dev/null)" || return 1
  [[ "$info" == *"master_link_status:up"* ]]
}

# Every shard's RDB, gzipped, plus manifest.tsv, tarred into <out>. Each shard joins the tar as soon as it is dumped
# and checked, so the staging space holds the archive plus one shard's raw and gzipped RDB at a time.
dump_redis_cluster() {
  local out="$1" topology dir problems
  log "discovering the cluster's shards at ${REDIS_HOST:?REDIS_HOST must be set}:${REDIS_PORT:-6379}"
  topology="$(cluster_topology)"
  local state
  state="$(redis_query "$REDIS_HOST" "${REDIS_PORT:-6379}" CLUSTER INFO | tr -d '\r' | sed -n 's/^cluster_state://p')"
  [[ "$state" == ok ]] || die "the cluster reports cluster_state '${state:-unknown}' at $REDIS_HOST:${REDIS_PORT:-6379}; refusing a backup while slots are unserved"
  local -a primaries=()
  local id host port flags primary link slots
  while read -r id host port flags primary link slots; do
    if has_flag "$flags" master && [[ "$slots" != - ]]; then
      node_down "$flags" && die "primary $id ($host:$port) serving slots $slots is marked '$flags'; refusing a backup without that shard"
      primaries+=("$id $host $port $slots")
    fi
  done <<<"$topology"
  [[ ${#primaries[@]} -gt 0 ]] || die "CLUSTER NODES at $REDIS_HOST lists no primary serving slots"
  problems="$(printf '%s\n' "${primaries[@]}" | awk '{print $4}' | slot_coverage_problems)"
  [[ -z "$problems" ]] || die "the cluster's slots are not covered exactly: $(printf '%s' "$problems" | paste -sd ';' | sed 's/;/; /g'); refusing a partial backup"
  dir="$(mktemp -d "$STAGING_DIR/.cluster.XXXXXX")"
  SCRATCH_DIRS+=("$dir")
  printf 'shard\tprimary_id\tsource_id\tsource\trole\tslots\tbytes\tsha256\tfile\n' >"$dir/manifest.tsv"
  local n=0 entry
  tar -cf "$out" --files-from /dev/null
  # Shards in slot order, so shard numbers are stable between runs of an unchanged cluster.
  while read -r entry; do
    n=$((n + 1))
    read -r id host port slots <<<"$entry"
    local file="shard-$n.rdb.gz" candidates=() done_from="" role
    while read -r rid rhost rport rflags rprimary _ _; do
      if [[ "$rprimary" == "$id" ]] && has_flag "$rflags" slave && ! node_down "$rflags" && replica_in_sync "$rhost" "$rport"; then
        candidates+=("replica $rid $rhost $rport")
      fi
    done <<<"$topology"
    candidates+=("primary $id $host $port")
    local candidate cid chost cport rid rhost rport rflags rprimary
    for candidate in "${candidates[@]}"; do
      read -r role cid chost cport <<<"$candidate"
      if dump_redis_node "$chost" "$cport" "$dir/$file"; then done_from="$role $cid $chost:$cport"; break; fi
      log "shard $n (slots $slots): the dump from $role $chost:$cport failed"
    done
    [[ -n "$done_from" ]] || die "shard $n (slots $slots, primary $id at $host:$port): no node of the shard could be dumped; refusing a backup without it"
    read -r role cid chost <<<"$done_from"
    check_rdb_gz "$dir/$file" "shard $n from $chost"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$id" "$cid" "$chost" "$role" "$slots" "$(wc -c <"$dir/$file")" \
      "$(sha256sum "$dir/$file" | awk '{print $1}')" "$file" >>"$dir/manifest.tsv"
    log "shard $n (slots $slots): dumped from $role $cid at $chost ($(wc -c <"$dir/$file") bytes gzipped)"
    tar -rf "$out" -C "$dir" "$file"
    rm -f "$dir/$file"
  done < <(printf '%s\n' "${primaries[@]}" | awk '{split($4, r, /[-,]/); print r[1], $0}' | sort -n -k1,1 | cut -d' ' -f2-)
  tar -rf "$out" -C "$dir" manifest.tsv
  rm -rf "$dir"
  log "cluster backup holds $n shard(s)"
}

# Checks a cluster backup: every shard in the manifest is present with its size and checksum and is an intact RDB,
# and the shards' slot ranges cover 0-16383 exactly.
verify_redis_cluster() {
  local object="$1" dir problems shards=0
  dir="$(mktemp -d "$STAGING_DIR/.verify.XXXXXX")"
  SCRATCH_DIRS+=("$dir")
  tar -xf "$STAGING_DIR/$object" -C "$dir" || die "$object is not a readable tar archive"
  [[ -f "$dir/manifest.tsv" ]] || die "$object has no manifest.tsv"
  local shard slots bytes sum file
  while IFS=$'\t' read -r shard _ _ _ _ slots bytes sum file; do
    [[ "$shard" != shard ]] || continue
    shards=$((shards + 1))
    [[ "$file" =~ ^shard-[0-9]+\.rdb\.gz$ && -f "$dir/$file" ]] || { die "$object: shard $shard's file '$file' is missing"; }
    [[ "$(wc -c <"$dir/$file")" == "$bytes" ]] || { die "$object: shard $shard is $(wc -c <"$dir/$file") bytes, the manifest says $bytes"; }
    [[ "$(sha256sum "$dir/$file" | awk '{print $1}')" == "$sum" ]] || { die "$object: shard $shard does not match its sha256 in the manifest"; }
    check_rdb_gz "$dir/$file" "$object shard $shard"
  done <"$dir/manifest.tsv"
  [[ $shards -gt 0 ]] || die "$object: the manifest lists no shards"
  problems="$(awk -F'\t' 'NR > 1 {print $6}' "$dir/manifest.tsv" | slot_coverage_problems)"
  [[ -z "$problems" ]] || die "$object: the shards' slots are not covered exactly: $(printf '%s' "$problems" | paste -sd ';' | sed 's/;/; /g')"
  log "verified $object: $shards shard(s), every RDB intact with its checksum, slots 0-$((REDIS_SLOTS - 1)) covered exactly"
}

# --- dump -------------------------------------------------------------------------------------------------

cmd_dump() {
  mkdir -p "$STAGING_DIR"
  local name stamp object partial
  name="$(backup_name)"
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  object="${name}-${stamp}.$(extension)"
  partial="$STAGING_DIR/.${object}.partial"
  rm -f "$partial"
  case "$ENGINE" in
    postgres)
      log "pg_dump ${PGDATABASE:?PGDATABASE must be set} on ${PGHOST:-localhost}:${PGPORT:-5432}"
      # Custom format is compressed and lets pg_restore pick objects; no owner/ACL so restores work for any role.
      pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
      ;;
    redis)
      if redis_cluster; then
        dump_redis_cluster "$partial"
      else
        dump_redis_node "${REDIS_HOST:?REDIS_HOST must be set}" "${REDIS_PORT:-6379}" "$partial"
      fi
      ;;
    mongodb)
      local only=()
      if [[ -n "${MONGODB_DATABASE:-}" ]]; then only=(--db="$(mongo_database)"); fi
      log "mongodump ${MONGODB_DATABASE:-all databases} (archive, gzip)"
      ensure_mongo_config
      mongodump --config="$MONGO_CONFIG" "${MONGO_TLS_ARGS[@]}" "${only[@]}" --archive="$partial" --gzip --quiet
      ;;
  esac
  [[ -s "$partial" ]] || die "dump produced an empty file"
  # Rename only after the dump completed, so a half-written file never looks like a backup.
  mv -f "$partial" "$STAGING_DIR/$object"
  (cd "$STAGING_DIR" && sha256sum "$object" >"$object.sha256.partial" && mv -f "$object.sha256.partial" "$object.sha256")
  log "staged $object ($(wc -c <"$STAGING_DIR/$object") bytes)"
  printf '%s\n' "$object"
}

# --- upload -----------------------------------------------------------------------------------------------

upload_one() {
  local object="$1" root
  root="$(destination_root)"
  if is_local; then
    local dir
    dir="$(local_dir)"
    mkdir -p "$dir"
    # Object first, checksum last: a reader only trusts objects that have a checksum beside them.
    cp "$STAGING_DIR/$object" "$dir/.$object.tmp" && mv -f "$dir/.$object.tmp" "$dir/$object"
    cp "$STAGING_DIR/$object.sha256" "$dir/.$object.sha256.tmp" && mv -f "$dir/.$object.sha256.tmp" "$dir/$object.sha256"
  else
    aws_s3 cp --only-show-errors "$STAGING_DIR/$object" "$root/$object"
    aws_s3 cp --only-show-errors "$STAGING_DIR/$object.sha256" "$root/$object.sha256"
  fi
  log "uploaded $object to $root/"
}

cmd_upload() {
  local found=0 sum object
  is_local || storage_login
  shopt -s nullglob
  for sum in "$STAGING_DIR"/*.sha256; do
    object="$(basename "${sum%.sha256}")"
    (cd "$STAGING_DIR" && sha256sum --check --status "$object.sha256") || die "staged $object does not match its checksum"
    upload_one "$object"
    rm -f "$STAGING_DIR/$object" "$STAGING_DIR/$object.sha256"
    found=$((found + 1))
  done
  shopt -u nullglob
  [[ $found -gt 0 ]] || die "nothing staged in $STAGING_DIR to upload"
  cmd_prune
}

# --- listing, prune ---------------------------------------------------------------------------------------

# Complete objects (with a checksum beside them), oldest first. Names embed a UTC timestamp, so name order is time order.
list_objects() {
  local ext names
  ext="$(extension)"
  if is_local; then
    local dir
    dir="$(local_dir)"
    [[ -d "$dir" ]] || return 0
    names="$(cd "$dir" && find . -maxdepth 1 -type f -name "*.$ext.sha256" -printf '%f\n')"
  else
    names="$(aws_s3 ls "$(destination_root)/" | awk '{print $NF}' | grep -E "\\.${ext//./\\.}\\.sha256$" || true)"
  fi
  [[ -n "$names" ]] || return 0
  printf '%s\n' "$names" | sed 's/\.sha256$//' | LC_ALL=C sort
}

cmd_latest() {
  local latest
  is_local || storage_login
  latest="$(list_objects | tail -n 1)"
  [[ -n "$latest" ]] || die "no backups found under $(destination_root)/"
  printf '%s\n' "$latest"
}

cmd_prune() {
  if ! is_local; then
    log "retention for $(destination_root) is enforced by the bucket lifecycle rule"
    return 0
  fi
  local dir object
  dir="$(local_dir)"
  if [[ "$RETENTION_DAYS" -gt 0 && -d "$dir" ]]; then
    while IFS= read -r object; do
      [[ -n "$object" ]] || continue
      log "pruning $object (older than $RETENTION_DAYS days)"
      rm -f "$dir/$object" "$dir/$object.sha256"
    done < <(cd "$dir" && find . -maxdepth 1 -type f -name "*.$(extension)" -mtime +"$((RETENTION_DAYS - 1))" -printf '%f\n')
  fi
  if [[ "$RETENTION_COUNT" -gt 0 ]]; then
    local all count excess
    all="$(list_objects)"
    count="$(printf '%s' "$all" | grep -c . || true)"
    excess=$((count - RETENTION_COUNT))
    if [[ $excess -gt 0 ]]; then
      while IFS= read -r object; do
        log "pruning $object (keeping the newest $RETENTION_COUNT)"
        rm -f "$dir/$object" "$dir/$object.sha256"
      done < <(printf '%s\n' "$all" | head -n "$excess")
    fi
  fi
}

# --- fetch, restore, verify -------------------------------------------------------------------------------

cmd_fetch() {
  local object="${1:-latest}" root
  is_local || storage_login
  if [[ "$object" == latest ]]; then object="$(cmd_latest)"; fi
  [[ "$object" != */* ]] || die "object must be a bare name from 'latest', got '$object'"
  root="$(destination_root)"
  mkdir -p "$STAGING_DIR"
  rm -f "$STAGING_DIR/$object" "$STAGING_DIR/$object.sha256"
  if is_local; then
    cp "$(local_dir)/$object" "$STAGING_DIR/$object"
    cp "$(local_dir)/$object.sha256" "$STAGING_DIR/$object.sha256"
  else
    aws_s3 cp --only-show-errors "$root/$object" "$STAGING_DIR/$object"
    aws_s3 cp --only-show-errors "$root/$object.sha256" "$STAGING_DIR/$object.sha256"
  fi
  if ! (cd "$STAGING_DIR" && sha256sum --check --status "$object.sha256"); then
    rm -f "$STAGING_DIR/$object" "$STAGING_DIR/$object.sha256"
    die "checksum mismatch for $object: the object is corrupt or incomplete; refusing to restore it"
  fi
  log "fetched $object, checksum OK"
  printf '%s\n' "$object"
}

staged_object() {
  local sums=()
  shopt -s nullglob
  sums=("$STAGING_DIR"/*.sha256)
  shopt -u nullglob
  [[ ${#sums[@]} -eq 1 ]] || die "expected exactly one fetched object in $STAGING_DIR, found ${#sums[@]}"
  local object
  object="$(basename "${sums[0]%.sha256}")"
  # Check again: the object may have been fetched by another container.
  (cd "$STAGING_DIR" && sha256sum --check --status "$object.sha256") || die "checksum mismatch for $object; refusing to restore it"
  printf '%s\n' "$object"
}

database_exists() {
  local found
  found="$(psql --no-psqlrc --tuples-only --no-align --dbname=postgres --set=ON_ERROR_STOP=1 \
    --command="SELECT 1 FROM pg_database WHERE datname = '${1//\'/\'\'}'")"
  [[ "$found" == 1 ]]
}

restore_into() {
  local object="$1" target="$2"
  if [[ "$ENGINE" == mongodb ]]; then
    local count
    ensure_mongo_config
    count="$(mongo_restore "$object" "$target")"
    log "restored $count document(s) into $target"
    return 0
  fi
  [[ "$ENGINE" == postgres ]] || die "restore into a database is for PostgreSQL and MongoDB; for Redis copy the gunzipped RDB to the data directory"
  [[ "$target" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "target database name must match [A-Za-z_][A-Za-z0-9_]*, got '$target'"
  if ! database_exists "$target"; then
    createdb --maintenance-db=postgres "$target"
  fi
  # A TimescaleDB dump restores only between timescaledb_pre_restore() and timescaledb_post_restore() (Timescale's
  # documented procedure: the hypertable catalog and its triggers must be quiet while the chunks load).
  local timescale=0
  if pg_restore --list "$STAGING_DIR/$object" | grep -q ' EXTENSION - timescaledb'; then timescale=1; fi
  if [[ $timescale == 1 ]]; then
    psql --no-psqlrc --quiet --dbname="$target" --set=ON_ERROR_STOP=1 \
      --command="CREATE EXTENSION IF NOT EXISTS timescaledb" --command="SELECT timescaledb_pre_restore()" >/dev/null
  fi
  log "pg_restore $object into $target"
  pg_restore --exit-on-error --no-owner --no-privileges --dbname="$target" "$STAGING_DIR/$object"
  if [[ $timescale == 1 ]]; then
    psql --no-psqlrc --quiet --dbname="$target" --set=ON_ERROR_STOP=1 --command="SELECT timescaledb_post_restore()" >/dev/null
  fi
}

cmd_restore() {
  use_private_staging
  local object="${1:?usage: backup.sh restore <object|latest> <database>}" target="${2:?usage: backup.sh restore <object|latest> <database>}"
  is_local || storage_login
  object="$(cmd_fetch "$object")"
  restore_into "$object" "$target"
  log "restore of $object into $target completed"
}

scalar() { psql --no-psqlrc --tuples-only --no-align --set=ON_ERROR_STOP=1 --dbname="$1" --command="$2"; }

drop_scratch() {
  local db="$1"
  psql --no-psqlrc --quiet --dbname=postgres --set=ON_ERROR_STOP=1 --command="DROP DATABASE IF EXISTS \"$db\"" >/dev/null
}

verify_object() {
  local object="$1"
  if [[ "$ENGINE" == redis ]]; then
    if redis_cluster; then
      verify_redis_cluster "$object"
    else
      check_rdb_gz "$STAGING_DIR/$object" "$object"
      log "verified $object: gzip intact, RDB header present"
    fi
    return 0
  fi
  if [[ "$ENGINE" == mongodb ]]; then
    verify_mongodb "$object"
    return 0
  fi
  local scratch="${VERIFY_DATABASE:-${PGDATABASE:?PGDATABASE must be set}_verify}"
  [[ "$scratch" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "VERIFY_DATABASE must match [A-Za-z_][A-Za-z0-9_]*, got '$scratch'"
  [[ "$scratch" != "${PGDATABASE:-}" ]] || die "VERIFY_DATABASE must differ from PGDATABASE"
  drop_scratch "$scratch"
  restore_into "$object" "$scratch"
  local tables result=""
  tables="$(scalar "$scratch" "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema')")"
  if [[ "$tables" -le 0 ]]; then drop_scratch "$scratch"; die "restored $object has no tables"; fi
  if [[ -n "${VERIFY_QUERY:-}" ]]; then
    if ! result="$(scalar "$scratch" "$VERIFY_QUERY")"; then drop_scratch "$scratch"; die "VERIFY_QUERY failed on the restored copy"; fi
    case "$result" in
      ""|0|f|false) drop_scratch "$scratch"; die "VERIFY_QUERY returned '$result' on the restored copy" ;;
    esac
  fi
  drop_scratch "$scratch"
  log "verified $object: $tables tables${result:+, VERIFY_QUERY returned $result}"
}

# Restores the archive into a scratch database (replacing its collections) and requires at least one document and no
# failures. The scratch copy is dropped with mongosh when the image has it (the URI reaches mongosh through the
# environment, not argv); otherwise it stays until the next verification replaces it.
verify_mongodb() {
  local object="$1" source scratch count
  source="$(mongo_database)"
  scratch="${VERIFY_DATABASE:-${source}_verify}"
  [[ "$scratch" != "$source" ]] || die "VERIFY_DATABASE must differ from MONGODB_DATABASE"
  ensure_mongo_config
  count="$(mongo_restore "$object" "$scratch" --drop)"
  if [[ "$count" -le 0 ]]; then die "restored $object has no documents"; fi
  if command -v mongosh >/dev/null 2>&1; then
    VERIFY_SCRATCH="$scratch" mongosh --quiet --norc --nodb --eval \
      'connect(process.env.MONGODB_URI + (process.env.MONGODB_CA_FILE ? "&tlsCAFile=" + encodeURIComponent(process.env.MONGODB_CA_FILE) : "")).getSiblingDB(process.env.VERIFY_SCRATCH).dropDatabase()' >/dev/null \
      || log "could not drop the scratch database $scratch; the next verification replaces it"
  else
    log "mongosh not available: scratch database $scratch stays until the next verification replaces it"
  fi
  log "verified $object: $count document(s) restored into $scratch"
}

cmd_verify() {
  METRIC_MODE=verify
  use_private_staging
  is_local || storage_login
  local object
  object="$(cmd_fetch latest)"
  verify_object "$object"
}

cmd_verify_local() {
  METRIC_MODE=verify
  verify_object "$(staged_object)"
}

cmd_backup() {
  METRIC_MODE=backup
  use_private_staging
  cmd_dump >/dev/null
  cmd_upload
}

case "$COMMAND" in
  backup) cmd_backup ;;
  dump) cmd_dump ;;
  upload) METRIC_MODE=backup; cmd_upload ;;
  fetch) cmd_fetch "${2:-latest}" ;;
  restore) cmd_restore "${2:-}" "${3:-}" ;;
  verify) cmd_verify ;;
  verify-local) cmd_verify_local ;;
  prune) cmd_prune ;;
  latest) cmd_latest ;;
  *) die "usage: backup.sh backup|dump|upload|fetch|restore|verify|verify-local|prune|latest" ;;
esac
