// Jest's Node environment, with one cost removed: stack traces the Pulumi SDK captures for itself.
//
// The SDK reads `new Error().stack` for every RPC promise (debuggablePromise, kept for leak reports; tens
// of thousands per stack build) and every resource (Resource.callsites, for the source position it sends
// to the engine). Jest renders every stack through its source-map support, which clones and maps each
// frame, and raises the frame limit from Node's 10 to 100: that was about 40 % of the suite's CPU time.
// Those stacks never reach a test or the mock monitor, so they are rendered the way plain Node would:
// unmapped, and at most Node's default 10 frames unless the SDK itself raised the limit (callsites does).
// Every other error still goes through Jest's source-mapped formatter, so failures point at the TypeScript.
const path = require("path");
const { TestEnvironment } = require("jest-environment-node");

const SDK_DIR = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const NODE_STACK_LIMIT = 10;

/** The SDK's own captures are bare `new Error()`s made inside the SDK; real errors carry a message. */
function capturedBySdk(error, frames) {
  if (error.message) return false;
  const file = frames.length > 0 ? frames[0].getFileName() : undefined;
  return typeof file === "string" && file.includes(SDK_DIR);
}

function plainStack(error, frames, depth) {
  let out = `${error.name ?? "Error"}${error.message ? `: ${error.message}` : ""}`;
  for (let i = 0; i < Math.min(depth, frames.length); i++) out += `\n    at ${frames[i]}`;
  return out;
}

class PlatformTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const sandboxError = this.global.Error;
    const jestLimit = sandboxError.stackTraceLimit;
    // Errors made in the test's realm consult its own Error.prepareStackTrace before the worker's (Jest's).
    sandboxError.prepareStackTrace = (error, frames) => {
      const jestFormatter = Error.prepareStackTrace;
      if (capturedBySdk(error, frames)) {
        return plainStack(error, frames, sandboxError.stackTraceLimit > jestLimit ? frames.length : NODE_STACK_LIMIT);
      }
      if (typeof jestFormatter !== "function") return plainStack(error, frames, frames.length);
      return jestFormatter(error, frames);
    };
  }
}

module.exports = PlatformTestEnvironment;
