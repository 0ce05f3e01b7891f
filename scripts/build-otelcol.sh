#!/usr/bin/env bash
# Builds the platform's OpenTelemetry Collector (tools/otelcol: exactly the components the trace pipeline renders,
# at the release of the pinned collector image) from the Go module proxy into a directory of the tools cache keyed
# by the hash of its sources; a build already there is reused. The integration tier validates every generated
# collector config with it (`otelcol validate --config`).
#   <bin>/otelcol-<hash>/otelcol
# Usage: build-otelcol.sh [bin directory]   (default: $PLATFORM_TOOLS_BIN or ~/.cache/platform-tools/bin)
# Prints the binary's path. A cold build takes several minutes on 2 cores (about 40 s of it downloading modules).
set -euo pipefail
cd "$(dirname "$0")/../tools/otelcol"

BIN="${1:-${PLATFORM_TOOLS_BIN:-$HOME/.cache/platform-tools/bin}}"
HASH="$(cat go.mod go.sum main.go | sha256sum | cut -c1-12)"
OUT="$BIN/otelcol-$HASH"

if [[ ! -x "$OUT/otelcol" ]]; then
  command -v go >/dev/null 2>&1 || { echo "go is needed to build the OpenTelemetry Collector (install golang-go)" >&2; exit 1; }
  printf '==> building the OpenTelemetry Collector into %s\n' "$OUT" >&2
  mkdir -p "$OUT"
  nice -n 15 go build -trimpath -ldflags="-s -w" -o "$OUT/otelcol.partial" .
  mv "$OUT/otelcol.partial" "$OUT/otelcol"
fi
echo "$OUT/otelcol"
