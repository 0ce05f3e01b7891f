#!/usr/bin/env node
// Completes package-lock.json with the per-platform optional packages (e.g. @swc/core-darwin-arm64) that a
// registry serving only Linux builds cannot resolve. npm then leaves them out of the lock and `npm ci` refuses
// the lock as "out of sync". A lock written against the full registry lists them as optional with os/cpu
// constraints, which is what this adds; `npm ci` skips them on non-matching machines without fetching.
//
// Run after `npm install` changes the lock:  node scripts/complete-lockfile.js
const fs = require("fs");
const path = require("path");

const file = path.join(__dirname, "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));

const OS = ["darwin", "linux", "win32", "android", "freebsd", "openharmony", "sunos", "aix"];
const CPU = { x64: "x64", arm64: "arm64", ia32: "ia32", arm: "arm", ppc64: "ppc64", s390x: "s390x", riscv64: "riscv64", loong64: "loong64", wasm32: "wasm32" };

/** os/cpu/libc constraints from a platform package name like core-linux-arm64-musl. */
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const constraints = {};
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => p in CPU);
  if (os) constraints.os = [os];
  if (cpu) constraints.cpu = [CPU[cpu]];
  if (parts.includes("musl") || parts.includes("musleabihf")) constraints.libc = ["musl"];
  else if (parts.includes("gnu") || parts.includes("gnueabihf")) constraints.libc = ["glibc"];
  return constraints;
}

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${location}/node_modules/${dep}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const constraints = platformOf(dep);
    if (!constraints.os && !constraints.cpu) continue; // not a platform package: leave it to npm
    lock.packages[key] = { version, dev: entry.dev, optional: true, ...constraints };
    if (!entry.dev) delete lock.packages[key].dev;
    added++;
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform-specific optional packages to package-lock.json`);
