// Integration tier: generated artefacts checked by the real programs that consume them
// (promtool, amtool, PostgreSQL, an S3-compatible server, shellcheck, Kubernetes schemas).
// Same environment, transform and module mapping as the unit tier (jest.config.js).
const unit = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  testMatch: ["**/*.integration.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  testTimeout: 180000,
};
