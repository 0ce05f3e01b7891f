// Integration tier: generated artefacts checked by the real programs that consume them
// (promtool, amtool, PostgreSQL, an S3-compatible server, shellcheck, Kubernetes schemas).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.integration.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 180000,
};
