// Engine tier: the real Pulumi CLI and Kubernetes provider against a local control plane. Run through
// `npm run test:engine` (scripts/test-engine.sh), which builds or reuses the toolchain, starts the control plane
// on 127.0.0.1 and always stops it.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.engine.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // One `pulumi up` of a whole stack waits for Deployments to become available.
  testTimeout: 15 * 60 * 1000,
};
