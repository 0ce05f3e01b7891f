#!/usr/bin/env node
// `npm run synth -- <stack>`: what a stack would deploy, as files a reviewer can read (scripts/synth/).
require("./lib/register-ts");
const { main } = require("./synth/cli.ts");

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
