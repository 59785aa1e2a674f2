/*
 * A require hook that runs the workspace's TypeScript sources in a plain Node process (a sample worker started
 * by a test, where jest's transform does not reach): `.ts` files compile with @swc/core, and `@clip-vg/<name>`
 * resolves to `packages/<name>/src/index.ts` as jest's moduleNameMapper does. The jest preset names this file
 * in CLIP_VG_WORKER_PRELOAD, which the datasets worker pool requires first in every worker.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const packagesDir = path.resolve(__dirname, '..', '..');
const swc = require(require.resolve('@swc/core', { paths: [packagesDir] }));

require.extensions['.ts'] = (module, file) => {
  const out = swc.transformSync(fs.readFileSync(file, 'utf8'), {
    filename: file,
    sourceMaps: 'inline',
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(out.code, file);
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveWorkspaceSources(request, ...rest) {
  const match = /^@clip-vg\/([a-z0-9-]+)$/.exec(request);
  if (match) {
    const file = path.join(packagesDir, match[1], 'src', 'index.ts');
    if (fs.existsSync(file)) return file;
  }
  return resolve.call(this, request, ...rest);
};
