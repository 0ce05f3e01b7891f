#!/usr/bin/env bash
# Builds the MongoDB programs the integration tier runs on 127.0.0.1 (no Debian package ships them), from the Go
# module proxy, into version-keyed directories of the tools cache; a version already built is reused.
#   <bin>/ferretdb-<v>/ferretdb       FerretDB v1 (MongoDB wire protocol, SQLite backend): the throwaway server
#                                     (flags: -listen-addr 127.0.0.1:<port> -sqlite-url file:<dir>/)
#   <bin>/mongo-tools-<v>/mongodump, mongorestore, mongoimport, mongoexport
# Usage: build-mongo-tools.sh [bin directory]   (default: $PLATFORM_TOOLS_BIN or ~/.cache/platform-tools/bin)
set -euo pipefail

FERRETDB_VERSION=v1.24.2
# mongo-tools tags (100.x.y) are not Go semver: the proxy serves the 100.10.0 release commit as a pseudo-version,
# which the public checksum database does not list, so only this module skips it (its go.sum lines still pin it).
MONGO_TOOLS_VERSION=100.10.0
MONGO_TOOLS_MODULE_VERSION=v0.0.0-20240724183527-6d4f001be3fc

BIN="${1:-${PLATFORM_TOOLS_BIN:-$HOME/.cache/platform-tools/bin}}"
FERRET_DIR="$BIN/ferretdb-$FERRETDB_VERSION"
TOOLS_DIR="$BIN/mongo-tools-$MONGO_TOOLS_VERSION"
TOOLS=(mongodump mongorestore mongoimport mongoexport)

log() { printf '==> %s\n' "$*" >&2; }
command -v go >/dev/null 2>&1 || { echo "go is needed to build FerretDB and mongo-tools (install golang-go)" >&2; exit 1; }

# Builds packages of one module version in a throwaway main module. With a main.go in the work directory (FERRET_MAIN)
# that program is built instead.
build() {
  local module="$1" version="$2" out="$3"
  shift 3
  local work
  work="$(mktemp -d)"
  (
    cd "$work"
    go mod init platform-tools-build >/dev/null 2>&1
    if [[ -n "${FERRET_MAIN:-}" ]]; then printf '%s\n' "$FERRET_MAIN" >main.go; fi
    GOFLAGS=-mod=mod go get "$module@$version" >/dev/null
    local pkg
    for pkg in "$@"; do
      log "building $pkg ($version) into $out"
      if [[ "$pkg" == . ]]; then
        GOFLAGS=-mod=mod nice -n 15 go build -trimpath -o "$out/ferretdb" .
      else
        GOFLAGS=-mod=mod nice -n 15 go build -trimpath -o "$out/$(basename "${pkg%/main}")" "$pkg"
      fi
    done
  )
  rm -rf "$work"
}

# FerretDB's own command panics unless built from a git checkout (its module zip lacks build/version/version.txt), so
# the server is its embeddable package behind a minimal command line: a TCP listener and a SQLite directory.
FERRET_MAIN='package main

import (
	"context"
	"flag"
	"log"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqlite := flag.String("sqlite-url", "file:data/", "SQLite backend directory URL (with a trailing slash)")
	flag.Parse()
	f, err := ferretdb.New(&ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}, Handler: "sqlite", SQLiteURL: *sqlite})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}'

if [[ ! -x "$FERRET_DIR/ferretdb" ]]; then
  mkdir -p "$FERRET_DIR"
  FERRET_MAIN="$FERRET_MAIN" build github.com/FerretDB/FerretDB "$FERRETDB_VERSION" "$FERRET_DIR" .
fi

missing=()
for tool in "${TOOLS[@]}"; do
  [[ -x "$TOOLS_DIR/$tool" ]] || missing+=("github.com/mongodb/mongo-tools/$tool/main")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  mkdir -p "$TOOLS_DIR"
  GONOSUMDB=github.com/mongodb/mongo-tools build github.com/mongodb/mongo-tools "$MONGO_TOOLS_MODULE_VERSION" "$TOOLS_DIR" "${missing[@]}"
fi
log "FerretDB in $FERRET_DIR, mongo-tools in $TOOLS_DIR"
