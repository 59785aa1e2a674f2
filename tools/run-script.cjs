#!/usr/bin/env node
/*
 * Runs a package's TypeScript script, from the package folder (what the packages' `npm run` scripts do):
 *
 *   node ../../tools/run-script.cjs scripts/bench.ts [args...]
 *   node ../../tools/run-script.cjs --pack OUT.js scripts/device-bench.ts
 *
 * esbuild bundles the script with the workspace sources it imports (tsconfig paths map `@clip-vg/*` to src, so no
 * build is needed) into dist/scripts/, then Node runs it with the remaining arguments. Native and WebAssembly
 * packages stay external: they load from node_modules. `--pack OUT.js` bundles everything but ONNX Runtime into
 * OUT.js and stops, for a machine without node_modules.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { buildSync } = require('esbuild');

const EXTERNAL = ['@tensorflow/*', 'onnxruntime-node', 'sharp', 'protobufjs'];

function main(argv) {
  const pack = argv[0] === '--pack' ? argv[1] : undefined;
  const [script, ...args] = pack ? argv.slice(2) : argv;
  if (!script || (argv[0] === '--pack' && !pack)) {
    console.error('usage: run-script.cjs [--pack OUT.js] SCRIPT.ts [args...]');
    return 2;
  }
  const outfile = pack ?? path.join('dist', 'scripts', `${path.basename(script, path.extname(script))}.js`);
  buildSync({
    entryPoints: [script],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: pack ? ['onnxruntime-node'] : EXTERNAL,
    // a packed script imports the tfjs backends for their registration alone; their sideEffects lists would drop that
    ignoreAnnotations: Boolean(pack),
    outfile,
    logLevel: 'warning',
  });
  if (pack) return 0;
  const run = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
  return run.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
