#!/usr/bin/env node
/*
 * `npm test`: runs every package's tests (the command after `--`), then sums the jest results each package writes
 * to .jest-results.json into one closing line, `Tests: N passed, N failed, N skipped`, lists the failures and the
 * reasons tests were skipped (once each), and exits non-zero when the command failed, a test or suite failed, or a
 * package with tests left no results. Without `--`, it summarises the results already on disk.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const RESULTS = '.jest-results.json';

/** Every workspace package whose `test` script writes jest results. */
function testedPackages() {
  const out = [];
  for (const group of ['packages', 'apps']) {
    const dir = path.join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const manifest = path.join(dir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const test = JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test ?? '';
      if (test.includes(RESULTS)) out.push({ name: `${group}/${name}`, file: path.join(dir, name, RESULTS) });
    }
  }
  return out;
}

/** The first line of a jest suite error that says something (no colours, not jest's own header). */
function firstLine(message = '') {
  const lines = message
    // eslint-disable-next-line no-control-regex -- strips jest's ANSI colour codes
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim());
  return lines.find((l) => l && !l.includes('Test suite failed to run')) ?? 'no message';
}

function runCommand(args) {
  if (args.length === 0) return 0;
  // results of an earlier run must not stand in for a package that fails to run now
  for (const pkg of testedPackages()) rmSync(pkg.file, { force: true });
  const run = spawnSync(args[0], args.slice(1), { stdio: 'inherit', cwd: root, shell: process.platform === 'win32' });
  if (run.error) {
    console.error(`test-summary: cannot run ${args[0]}: ${run.error.message}`);
    return 1;
  }
  return run.status ?? 1;
}

function summarise(commandStatus) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let brokenSuites = 0;
  const failures = [];
  const missing = [];
  const skipReasons = new Map();
  const packages = testedPackages();
  for (const pkg of packages) {
    if (!existsSync(pkg.file)) {
      missing.push(pkg.name);
      continue;
    }
    const results = JSON.parse(readFileSync(pkg.file, 'utf8'));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
    for (const suite of results.testResults) {
      const file = path.relative(root, suite.name);
      const failedTests = suite.assertionResults.filter((a) => a.status === 'failed');
      for (const test of failedTests) failures.push(`${file}: ${test.fullName}`);
      // a suite that failed to run (syntax error, failing hook) has no failed test to name
      if (suite.status === 'failed' && failedTests.length === 0) {
        brokenSuites += 1;
        failures.push(`${file}: failed to run: ${firstLine(suite.message)}`);
      }
      for (const test of suite.assertionResults.filter((a) => a.status === 'pending' || a.status === 'todo')) {
        const where = skipReasons.get(test.title) ?? [];
        where.push(file);
        skipReasons.set(test.title, where);
      }
    }
  }

  console.log(`\n${packages.length - missing.length} packages tested`);
  if (skipReasons.size > 0) {
    console.log('Skipped:');
    for (const [reason, files] of skipReasons) {
      const shown = [...new Set(files)];
      const more = shown.length > 3 ? ` and ${shown.length - 3} more` : '';
      console.log(`  ${files.length} × ${reason} (${shown.slice(0, 3).join(', ')}${more})`);
    }
  }
  if (failures.length > 0) {
    console.log('Failed:');
    for (const line of failures) console.log(`  ${line}`);
  }
  for (const name of missing) console.log(`No results from ${name}: its tests did not run to the end`);
  const broken = brokenSuites ? ` (${brokenSuites} test file${brokenSuites === 1 ? '' : 's'} failed to run)` : '';
  console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped${broken}`);
  const ok = commandStatus === 0 && failed === 0 && brokenSuites === 0 && missing.length === 0 && packages.length > 0;
  if (!ok && commandStatus !== 0 && failures.length === 0 && missing.length === 0) console.log(`The test command exited with ${commandStatus}.`);
  return ok ? 0 : 1;
}

const dashes = process.argv.indexOf('--');
const command = dashes === -1 ? [] : process.argv.slice(dashes + 1);
process.exitCode = summarise(runCommand(command));
