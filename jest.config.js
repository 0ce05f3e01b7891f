// Unit, component (Pulumi mocks), stack and policy tests. Transpiled by SWC without
// type-checking so the suite stays fast; `npm run typecheck` checks types once.
// jest.integration.config.js reuses everything here but the file selection and timeout.
/** @type {import('jest').Config} */
module.exports = {
  // Jest's Node environment minus the cost of source-mapping the stack traces the Pulumi SDK captures for
  // itself (about 40 % of the suite's CPU time; see the file).
  testEnvironment: "<rootDir>/tests/helpers/jest-environment.js",
  // Jest's runtime, with each module compiled once per worker instead of once per test file (V8's code cache;
  // see the file).
  runtime: "<rootDir>/tests/helpers/jest-runtime.js",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.integration\\.test\\.ts$", "\\.engine\\.test\\.ts$"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  // The SDK's promise wrapper captures a stack trace per RPC promise for a leak report nothing here prints;
  // the mapped module keeps the wrapper but not the capture (tests/helpers/sdk/debuggable.js).
  // @pulumi/pulumi loads its Automation API, TypeScript (9 MB) and npm's arborist when it loads; nothing
  // under mocks uses them and Jest recompiles every module for every test file, so they load on first use
  // instead (tests/helpers/lazy/lazy.js).
  moduleNameMapper: {
    "^\\./debuggable$": "<rootDir>/tests/helpers/sdk/debuggable.js",
    "^\\./automation$": "<rootDir>/tests/helpers/lazy/automation.js",
    "^typescript$": "<rootDir>/tests/helpers/lazy/typescript.js",
    "^@npmcli/arborist$": "<rootDir>/tests/helpers/lazy/arborist.js",
  },
  // Jest's default is one worker per core minus one, i.e. a single worker on a 2-core machine while the
  // parent process idles; one worker per core halves the wall time there.
  maxWorkers: "100%",
  // Mocked Pulumi programs resolve outputs asynchronously; a generous timeout avoids flakes on 2 cores.
  testTimeout: 60000,
};
