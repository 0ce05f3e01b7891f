#!/usr/bin/env bash
# Engine tier (`npm run test:engine`): the real Pulumi CLI, Node.js language host and Kubernetes provider deploy
# the Kubernetes part of every bundled stack onto a real local control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and a kwok node, all on 127.0.0.1).
#
# The toolchain comes from ../shared/engine/build.sh into $ENGINE_HOME (default ~/.cache/platform-engine) and is
# reused between runs; a cold build takes ~40 minutes on 2 cores. The control plane is started here and always
# stopped on exit (success, failure or interrupt), killing only the processes it started (pid files).
# Extra arguments go to jest (e.g. `npm run test:engine -- --json --outputFile=out.json`).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
SHARED=${PLATFORM_SHARED:-$REPO/../shared}
export ENGINE_HOME=${ENGINE_HOME:-$HOME/.cache/platform-engine}
export PATH=$PATH:/usr/local/go/bin

die() { printf 'test:engine: %s\n' "$*" >&2; exit 1; }

[ -f "$SHARED/engine/build.sh" ] || die "no engine toolchain builder at $SHARED/engine/build.sh (set PLATFORM_SHARED to the shared/ directory)"
command -v go >/dev/null || die "go not found: the toolchain is built from Go modules (install Go 1.26 and retry)"

need=("$ENGINE_HOME/bin/bundle/pulumi" "$ENGINE_HOME/bin/bundle/pulumi-language-nodejs" "$ENGINE_HOME/bin/etcd"
      "$ENGINE_HOME/bin/kube-apiserver" "$ENGINE_HOME/bin/kube-controller-manager" "$ENGINE_HOME/bin/kube-scheduler"
      "$ENGINE_HOME/bin/kwok" "$HOME/.pulumi/plugins/resource-kubernetes-v4.34.2/pulumi-resource-kubernetes"
      "$HOME/.pulumi/plugins/resource-random-v4.21.2/pulumi-resource-random")
missing=()
for f in "${need[@]}"; do [ -x "$f" ] || missing+=("$f"); done
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'test:engine: building the engine toolchain (missing: %s); cold build ~40 min, cached in %s\n' "${missing[*]##*/}" "$ENGINE_HOME"
  bash "$SHARED/engine/build.sh" all
  for f in "${need[@]}"; do [ -x "$f" ] || die "toolchain build finished but $f is missing; see the output of $SHARED/engine/build.sh"; done
fi

# Fail fast, before starting anything, when a port the control plane needs is taken on 127.0.0.1.
for port in 2379 2380 6443 10257 10259; do
  if ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
    die "port $port on 127.0.0.1 is already in use ($(ss -Htlnp "sport = :$port" | awk '{print $NF}' | head -1)); stop what holds it (an earlier engine run: C=<its dir> bash $SHARED/engine/cluster.sh stop) and retry"
  fi
done

# The policy pack is its own package: the engine loads it from policies/ with its own node_modules.
if [ ! -d policies/node_modules/@pulumi/policy ]; then
  if [ -f policies/package-lock.json ]; then (cd policies && npm ci --no-audit --no-fund); else (cd policies && npm install --no-audit --no-fund --no-save); fi
fi

export C
C=$(mktemp -d /tmp/platform-engine-cluster.XXXXXX)
# Every process this run starts (control plane, CLI, language host, providers, node) inherits this marker, so the
# teardown can find exactly those, even plugins orphaned by an interrupted `pulumi up`, and nothing else.
export ENGINE_RUN_ID=$C
kill_ours() {
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = "$$" ] && continue
    if { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "ENGINE_RUN_ID=$C"; then kill "$pid" 2>/dev/null || true; fi
  done
}
stop_cluster() {
  local rc=$?
  trap - EXIT INT TERM
  C=$C bash "$SHARED/engine/cluster.sh" stop >/dev/null 2>&1 || true
  kill_ours
  rm -rf "$C"
  exit $rc
}
trap stop_cluster EXIT INT TERM
bash "$SHARED/engine/cluster.sh" start
# The control plane is ready when the kwok node reports Ready.
for _ in $(seq 1 60); do
  if curl -sk -H 'Authorization: Bearer engine-test-token' https://127.0.0.1:6443/api/v1/nodes/kwok-node-0 | grep -q '"type": "Ready"'; then break; fi
  sleep 1
done
# Label the node as every EKS/ACK node is labelled: prod workloads spread across zones with DoNotSchedule, and a
# node without a zone label can host none of them.
curl -sfk -o /dev/null -H 'Authorization: Bearer engine-test-token' -H 'Content-Type: application/merge-patch+json' -X PATCH \
  --data '{"metadata":{"labels":{"topology.kubernetes.io/zone":"local-a","topology.kubernetes.io/region":"local"}}}' \
  https://127.0.0.1:6443/api/v1/nodes/kwok-node-0 || die "could not label the kwok node"

ENGINE_KUBECONFIG="$C/kubeconfig" npx jest --config jest.engine.config.js --runInBand "$@"
