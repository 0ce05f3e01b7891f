module.exports = require("./lazy")(() => require(require.resolve("@pulumi/pulumi/automation")));
