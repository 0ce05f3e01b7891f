// Resolved with Node's resolver: Jest's would apply the moduleNameMapper entry that points here.
const resolve = require("module").createRequire(require.resolve("@pulumi/pulumi")).resolve;
module.exports = require("./lazy")(() => require(resolve("@npmcli/arborist")));
