#!/usr/bin/env bash
# Builds danielqsj/kafka_exporter at the release the component pins (KAFKA_EXPORTER in
# components/kafka-cluster/exporter.ts) into a version-keyed directory of the tools cache; a build already there
# is reused. The integration tier scrapes it against a real broker and feeds its series to promtool.
#   <bin>/kafka_exporter-<v>/kafka_exporter
# The Go module proxy does not serve this module (it answers 403 for every version), so the program's source is
# read from a git mirror of github.com/danielqsj/kafka_exporter (the release tag, checked below); its dependencies
# come from the Go module proxy, verified against the release's go.sum. Nothing of it is committed here.
# Usage: build-kafka-exporter.sh [bin directory]   (default: $PLATFORM_TOOLS_BIN or ~/.cache/platform-tools/bin)
#   KAFKA_EXPORTER_SRC  git directory of the mirror (default: /work/.mirror/danielqsj+kafka_exporter/repo)
# Prints the binary's path. Cold: about 2.5 minutes on 2 busy cores (module downloads and compile); cached: instant.
set -euo pipefail
cd "$(dirname "$0")/.."

# Must match the image tag the component pins (danielqsj/kafka-exporter:v1.9.0).
VERSION="$(sed -n 's/.*danielqsj\/kafka-exporter:\(v[0-9][0-9.]*\)".*/\1/p' components/kafka-cluster/exporter.ts)"
[[ -n "$VERSION" ]] || { echo "cannot read the pinned kafka-exporter version from components/kafka-cluster/exporter.ts" >&2; exit 1; }
BIN="${1:-${PLATFORM_TOOLS_BIN:-$HOME/.cache/platform-tools/bin}}"
OUT="$BIN/kafka_exporter-$VERSION"
SRC="${KAFKA_EXPORTER_SRC:-/work/.mirror/danielqsj+kafka_exporter/repo}"

if [[ ! -x "$OUT/kafka_exporter" ]]; then
  command -v go >/dev/null 2>&1 || { echo "go is needed to build kafka_exporter (install golang-go)" >&2; exit 1; }
  if ! git --git-dir="$SRC" rev-parse -q --verify "refs/tags/$VERSION^{commit}" >/dev/null 2>&1; then
    echo "kafka_exporter $VERSION cannot be built: no git mirror of github.com/danielqsj/kafka_exporter with tag $VERSION at $SRC" >&2
    echo "(the Go module proxy refuses this module); set KAFKA_EXPORTER_SRC to a clone that has the tag" >&2
    exit 1
  fi
  printf '==> building kafka_exporter %s into %s\n' "$VERSION" "$OUT" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  git --git-dir="$SRC" archive "$VERSION" | tar -x -C "$work"
  mkdir -p "$OUT"
  (cd "$work" && GOFLAGS=-mod=mod nice -n 15 go build -trimpath -ldflags="-s -w" -o "$OUT/kafka_exporter.partial" .)
  mv "$OUT/kafka_exporter.partial" "$OUT/kafka_exporter"
fi
echo "$OUT/kafka_exporter"
