// The Pulumi SDK's runtime/debuggable module, with its promise wrapper capturing no stack trace.
//
// debuggablePromise stores `new Error().stack` on every RPC promise (tens of thousands per stack build) for
// one purpose: the leak report printed at process exit when PULUMI_DEBUG_PROMISE_LEAKS is set. Capturing and
// rendering those stacks was about a third of the CPU of a stack build under mocks (Jest raises the frame
// limit to 100). Here the capture runs with a frame limit of 0: the promise is still tracked as a leak
// candidate with its id and context, exactly as before, only its recorded stack is the bare "Error".
// With PULUMI_DEBUG_PROMISE_LEAKS set, the SDK's function runs untouched. Mapped in by jest.config.js for
// the SDK's own `require("./debuggable")`; every other module of the SDK is the real one.
const resolve = require("module").createRequire(require.resolve("@pulumi/pulumi")).resolve;
const debuggable = require(resolve("@pulumi/pulumi/runtime/debuggable"));

if (!debuggable.debugPromiseLeaks) {
  const debuggablePromise = debuggable.debuggablePromise;
  debuggable.debuggablePromise = function debuggablePromiseWithoutStack(p, ctx) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return debuggablePromise(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

module.exports = debuggable;
