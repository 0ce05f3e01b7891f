// Unit, component (Pulumi mocks), stack and policy tests. Transpiled by SWC without
// type-checking so the suite stays fast; `npm run typecheck` checks types once.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.integration\\.test\\.ts$", "\\.engine\\.test\\.ts$"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // Mocked Pulumi programs resolve outputs asynchronously; a generous timeout avoids flakes on 2 cores.
  testTimeout: 60000,
};
