#!/usr/bin/env node
// Prints the secret config keys a stack file references, one per line (used by scripts/up-dev.sh to generate
// missing dev secrets). Plain JavaScript so it runs without a TypeScript toolchain; the sections' own
// *RequiredSecrets functions are the source of truth and tests/scripts/required-secrets.test.ts keeps the two
// in step.
const fs = require("fs");
const path = require("path");
const { parse } = require("yaml");

function requiredSecrets(config) {
  const keys = new Set();
  // A service's secretEnv is serviceDefaults', then its template's, then its own (stacks/sections/service-layers.ts).
  const defaults = config["platform:serviceDefaults"] ?? {};
  const templates = config["platform:serviceTemplates"] ?? {};
  for (const service of config["platform:services"] ?? []) {
    const template = service.template === undefined ? {} : (templates[service.template] ?? {});
    const secretEnv = { ...(defaults.secretEnv ?? {}), ...(template.secretEnv ?? {}), ...(service.secretEnv ?? {}) };
    for (const key of Object.values(secretEnv)) keys.add(key);
  }
  for (const receiver of config["platform:alerting"]?.receivers ?? []) if (receiver.secret) keys.add(receiver.secret);
  const cloud = config["platform:cloud"] ?? "none";
  const cluster = config["platform:cluster"] ?? {};
  const mode = cluster.mode ?? (cloud === "aws" ? "eks" : cloud === "alicloud" ? "ack" : "existing");
  if (config["platform:target"] === "kubernetes" && mode === "existing") keys.add(cluster.kubeconfigSecret ?? "kubeconfig");
  for (const backup of config["platform:backups"] ?? []) {
    const c = backup.destination?.credentials;
    if (c) for (const key of [c.accessKeyIdSecret, c.secretAccessKeySecret]) keys.add(key);
  }
  // An external log sink's password (stacks/sections/logging.ts), read only when logging is on.
  const logging = config["platform:logging"] ?? {};
  if (logging.enabled === true && logging.sink?.passwordSecret) keys.add(logging.sink.passwordSecret);
  for (const pair of certificatePairs(config)) {
    keys.add(pair.certificateSecret);
    keys.add(pair.keySecret);
  }
  return [...keys].sort();
}

/** The Docker edge's certificate/key secret pairs with their hosts (up:dev makes a self-signed pair for each). */
function certificatePairs(config) {
  return (config["platform:dockerEdge"]?.certificates ?? []).map((c) => ({ certificateSecret: c.certificateSecret, keySecret: c.keySecret, hosts: [...c.hosts] }));
}

module.exports = { requiredSecrets, certificatePairs };

if (require.main === module) {
  const [stack, mode] = process.argv.slice(2);
  if (!stack) {
    console.error("usage: required-secrets.js <stack> [--certificates]");
    process.exit(2);
  }
  const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) ?? {};
  if (mode === "--certificates") {
    // One line per pair: <certificate secret> <key secret> <host>[,<host>...]
    for (const pair of certificatePairs(doc.config ?? {})) console.log(`${pair.certificateSecret} ${pair.keySecret} ${pair.hosts.join(",")}`);
  } else {
    for (const key of requiredSecrets(doc.config ?? {})) console.log(key);
  }
}
