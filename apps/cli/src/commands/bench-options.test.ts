import { chmodSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

/** bench's option checks, before any backend or model: one line, exit 1. */
test('bench rejects a batch that cannot be one tensor and a --profile folder it cannot write', async () => {
  const huge = await runCli(['bench', '--batch', '100000', '--json']);
  expect([huge.code, huge.stderr]).toEqual([1, 'clip-vg: bench: --batch must be at most 4096, got 100000\n']);

  const dir = tempDir('clip-vg-bench-');
  const missing = path.join(dir, 'nope', 'prof');
  const noFolder = await runCli(['bench', '--engine', 'onnx', '--model', 'tiny', '--profile', missing, '--json']);
  expect([noFolder.code, noFolder.stderr]).toEqual([1, `clip-vg: ${missing}: --profile folder ${path.dirname(missing)} does not exist\n`]);

  const tfjs = await runCli(['bench', '--model', 'tiny', '--profile', path.join(dir, 'prof'), '--json']);
  expect(tfjs.stderr).toBe('clip-vg: bench: --profile applies to --engine onnx\n');

  if (process.getuid?.() !== 0) {
    // root writes anywhere: the read-only case only means something for other users
    const readOnly = path.join(dir, 'ro');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    const denied = await runCli(['bench', '--engine', 'onnx', '--model', 'tiny', '--profile', path.join(readOnly, 'prof'), '--json']);
    expect(denied.stderr).toBe(`clip-vg: ${path.join(readOnly, 'prof')}: cannot write into ${readOnly} (permission denied)\n`);
  }
});
