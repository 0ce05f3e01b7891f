// Lets plain `node` scripts require the project's TypeScript sources: each .ts file is transpiled by SWC (the
// same transpiler the unit tests use, already a dev dependency) when it is first required. No type-checking;
// `npm run typecheck` does that.
const fs = require("fs");
const swc = require("@swc/core");

require.extensions[".ts"] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  });
  module._compile(code, filename);
};
