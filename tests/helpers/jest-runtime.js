// Jest's module runtime, with V8's code cache kept across the test files of a worker.
//
// Jest runs every test file in a fresh module registry and VM context, so every module the file loads is
// compiled again: the SDK, the providers, zod, the components (about 1,900 modules for a stack build). Jest
// compiles with a per-module dynamic-import callback, which keeps V8 from reusing its own in-process cache, so
// that compilation was about a quarter of the suite's CPU. Here the first compilation of a module in a worker
// produces V8's code cache for it, and later test files compile the same source from that cache. Only the
// compilation is shared: every test file still evaluates every module afresh in its own context, so no state
// crosses files. The cache is used only for the identical source text (V8 checks it as well and compiles
// normally when it rejects the data); any failure falls back to Jest's own compile, which reports errors.
const vm = require("vm");
const Runtime = require("jest-runtime").default;

/** filename -> { source, data }: the code cache of each module this worker has compiled. */
const codeCache = new Map();

class CodeCachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
    const compile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      const context = executor.environment.getVmContext();
      if (context == null || executor.resolution.isCoreModule(filename)) return compile(source, filename);
      const cached = codeCache.get(filename);
      const hit = cached !== undefined && cached.source === source;
      let fn;
      try {
        // The options Jest's compile passes, plus the code cache.
        fn = vm.compileFunction(source, executor.injectedModuleParameters, {
          filename,
          importModuleDynamically: async (specifier, _fn, attributes, ...rest) => executor.dynamicImport(specifier, filename, context, attributes, rest[0]),
          parsingContext: context,
          cachedData: hit ? cached.data : undefined,
          produceCachedData: !hit,
        });
      } catch {
        return compile(source, filename);
      }
      if (!hit && fn.cachedDataProduced) codeCache.set(filename, { source, data: fn.cachedData });
      return fn;
    };
  }
}

module.exports = CodeCachingRuntime;
