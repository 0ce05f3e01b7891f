#!/usr/bin/env node
// `npm run docs`: regenerates the README config reference and schemas/pulumi-stack.schema.json from the zod
// schemas (stacks/config-reference.ts does the work; tests/stacks/config-reference.test.ts fails when the
// committed files differ from what it generates).
const fs = require("fs");
const path = require("path");
require("./lib/register-ts");
const { generatedDocs } = require("../stacks/config-reference.ts");

const root = path.resolve(__dirname, "..");
for (const [file, text] of Object.entries(generatedDocs(root))) {
  const full = path.join(root, file);
  const before = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
  if (before === text) {
    console.log(`unchanged ${file}`);
    continue;
  }
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
  console.log(`wrote     ${file}`);
}
