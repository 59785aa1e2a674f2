import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGE = path.resolve(__dirname, '..');

test('loading the package (built) does not load onnxruntime-node: only the onnx engine does', () => {
  if (!existsSync(path.join(PACKAGE, 'dist', 'index.js'))) throw new Error('packages/grounder/dist is missing: run npx nx run @clip-vg/grounder:build first');
  const script = `require(${JSON.stringify(PACKAGE)}); process.stdout.write(String(Object.keys(require.cache).filter((f) => f.includes('onnxruntime')).length));`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe('0');
});
