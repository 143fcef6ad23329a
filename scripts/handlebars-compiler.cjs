// What `import("handlebars")` resolves to in the bundle (scripts/build.mjs): the compiler without the
// package's main file, which adds a printer we never use and registers `.hbs`/`.handlebars` handlers
// on require.extensions, process-wide (not ours to change in a host such as Backstage).
module.exports = require("handlebars/dist/cjs/handlebars.js").default;
