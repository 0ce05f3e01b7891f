// A module that loads its target on first use. Jest maps three of @pulumi/pulumi's load-time imports here
// (see jest.config.js): the SDK requires its Automation API, TypeScript (9 MB, for closure serialisation)
// and npm's arborist (for computeCodePaths) when it loads, and Jest recompiles every module for every test
// file, so these three alone cost about a second of CPU per test file although no test or program here
// calls them. Anything that does use them still gets the real module on first property access.
module.exports = function lazy(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      // Answered without loading: lets TypeScript's `__importStar` hand the proxy through untouched.
      get: (_, key) => (key === "__esModule" ? true : target()[key]),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
};
