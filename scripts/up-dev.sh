#!/usr/bin/env bash
# Deploys the dev stack to the local Docker engine with the Pulumi CLI: local file backend, passphrase
# secrets provider, no cloud account. Generates any missing dev secret once (stored encrypted in
# Pulumi.dev.yaml by the CLI); nothing is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v pulumi >/dev/null || { echo "pulumi CLI not found: https://www.pulumi.com/docs/install/" >&2; exit 1; }
command -v docker >/dev/null || { echo "docker not found: the dev stack runs on a local Docker engine" >&2; exit 1; }

export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
mkdir -p .pulumi-state
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  echo "Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to encrypt dev secrets." >&2
  exit 1
fi

pulumi stack select dev 2>/dev/null || pulumi stack init dev --secrets-provider passphrase

# Secrets the dev stack references; generated once with a random value if absent.
for key in $(node scripts/required-secrets.js dev); do
  if ! pulumi config get "platform:$key" >/dev/null 2>&1; then
    openssl rand -hex 24 | pulumi config set --secret "platform:$key" >/dev/null
    echo "generated secret platform:$key"
  fi
done

pulumi up --stack dev "$@"
