#!/usr/bin/env bash
# Restore check of a managed Redis backup set fetched by redis-snapshot-alicloud.py (runs in the redis image, which
# has redis-check-rdb): every file the manifest lists is present with the listed size and sha256, the manifest lists
# EXPECTED_SHARDS files, and redis-check-rdb accepts each file. Every problem is reported (naming the file), then the
# run exits 1; exit 0 only when all files pass.
#
# Environment:
#   STAGING_DIR      directory holding the manifest and the .rdb files                (required)
#   EXPECTED_SHARDS  number of shard files the set must hold (1 = standard edition)  (required)
#   REDIS_CHECK_RDB  redis-check-rdb executable (default: redis-check-rdb)
#
# Manifest: one line per file, "<name> <bytes> <sha256> <backup id> <node id>", name = <shard>.rdb.
set -euo pipefail

log() { printf '%s redis-check-rdbs: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

STAGING_DIR="${STAGING_DIR:-}"
EXPECTED_SHARDS="${EXPECTED_SHARDS:-}"
REDIS_CHECK_RDB="${REDIS_CHECK_RDB:-redis-check-rdb}"

[[ -n "$STAGING_DIR" ]] || die "STAGING_DIR is not set"
[[ "$EXPECTED_SHARDS" =~ ^[1-9][0-9]*$ ]] || die "EXPECTED_SHARDS must be a whole number of at least 1, got '$EXPECTED_SHARDS'"
command -v "$REDIS_CHECK_RDB" >/dev/null || die "$REDIS_CHECK_RDB not found (run this in the redis image)"
manifest="$STAGING_DIR/manifest"
[[ -r "$manifest" ]] || die "no manifest at $manifest (did the fetch step succeed?)"

failures=()
count=0
seen=" "
while read -r name bytes sha backup_id node extra || [[ -n "${name:-}" ]]; do
  [[ -z "${name:-}" ]] && continue
  count=$((count + 1))
  # The names come from a file: accept only what fetch writes, so nothing outside STAGING_DIR is ever read.
  if [[ ! "$name" =~ ^[0-9]+\.rdb$ || ! "${bytes:-}" =~ ^[0-9]+$ || ! "${sha:-}" =~ ^[0-9a-f]{64}$ \
        || -z "${backup_id:-}" || -z "${node:-}" || -n "${extra:-}" ]]; then
    failures+=("manifest line $count is malformed: '$name ${bytes:-} ${sha:-} ${backup_id:-} ${node:-}${extra:+ $extra}'")
    continue
  fi
  if [[ "$seen" == *" $name "* ]]; then
    failures+=("$name is listed twice in the manifest")
    continue
  fi
  seen+="$name "
  file="$STAGING_DIR/$name"
  if [[ ! -f "$file" ]]; then
    failures+=("$name (backup $backup_id, $node) is listed in the manifest but missing")
    continue
  fi
  actual_bytes="$(stat -c %s "$file")"
  if [[ "$actual_bytes" != "$bytes" ]]; then
    failures+=("$name (backup $backup_id, $node) has $actual_bytes bytes, the manifest says $bytes")
    continue
  fi
  actual_sha="$(sha256sum "$file" | cut -d ' ' -f 1)"
  if [[ "$actual_sha" != "$sha" ]]; then
    failures+=("$name (backup $backup_id, $node) has sha256 $actual_sha, the manifest says $sha")
    continue
  fi
  if output="$("$REDIS_CHECK_RDB" "$file" 2>&1)"; then
    log "$name (backup $backup_id, $node): $bytes bytes, sha256 ok, redis-check-rdb: RDB looks OK"
  else
    # redis-check-rdb's diagnosis: the "[offset N]" and "[additional info]" lines after its "RDB ERROR DETECTED"
    # marker (the lines before it are progress: AUX fields, DB selection).
    reason="$(printf '%s\n' "$output" | sed -n '/--- RDB ERROR DETECTED ---/,$p' | grep -E '^\[(offset [0-9]+|additional info)\]' | head -n 2 | tr '\n' ' ' || true)"
    failures+=("$name (backup $backup_id, $node) fails redis-check-rdb: ${reason:-$(printf '%s' "$output" | tail -n 1)}")
  fi
done <"$manifest"

if [[ "$count" -ne "$EXPECTED_SHARDS" ]]; then
  failures+=("the manifest lists $count file(s), EXPECTED_SHARDS is $EXPECTED_SHARDS")
fi
if [[ ${#failures[@]} -gt 0 ]]; then
  for failure in "${failures[@]}"; do log "FAILED: $failure"; done
  exit 1
fi
log "all $count shard file(s) pass redis-check-rdb"
