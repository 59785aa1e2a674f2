#!/usr/bin/env node
/*
 * Sum the jest results of every package (each writes .jest-results.json when run through `npm test`) into one
 * closing line, `Tests: N passed, N failed, N skipped`, and list the skipped suites' reasons once.
 */
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;
let packages = 0;
for (const group of ['packages', 'apps']) {
  const dir = path.join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name, '.jest-results.json');
    if (!existsSync(file)) continue;
    const results = JSON.parse(readFileSync(file, 'utf8'));
    packages += 1;
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
  }
}
console.log(`\n${packages} packages tested`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || packages === 0 ? 1 : 0;
