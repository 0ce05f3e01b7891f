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

# The edge's TLS certificate: a self-signed one for the dev hosts, generated once if absent (browsers will warn;
# set your own with pulumi config set --secret). The key never touches the disk outside a private temp dir.
while read -r cert_key key_key hosts; do
  [ -n "$cert_key" ] || continue
  if ! pulumi config get "platform:$cert_key" >/dev/null 2>&1 || ! pulumi config get "platform:$key_key" >/dev/null 2>&1; then
    tmp="$(mktemp -d)"
    san="DNS:${hosts//,/,DNS:}"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=${hosts%%,*}" -addext "subjectAltName=$san" \
      -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
    pulumi config set --secret "platform:$cert_key" <"$tmp/tls.crt" >/dev/null
    pulumi config set --secret "platform:$key_key" <"$tmp/tls.key" >/dev/null
    rm -rf "$tmp"
    echo "generated a self-signed certificate for $hosts (platform:$cert_key, platform:$key_key)"
  fi
done < <(node scripts/required-secrets.js dev --certificates)

# Other secrets the dev stack references; generated once with a random value if absent.
for key in $(node scripts/required-secrets.js dev); do
  if ! pulumi config get "platform:$key" >/dev/null 2>&1; then
    openssl rand -hex 24 | pulumi config set --secret "platform:$key" >/dev/null
    echo "generated secret platform:$key"
  fi
done

pulumi up --stack dev "$@"
