/**
 * Closing a pool while its workers train: each training stops before its next step and rejects, the threads
 * release their ONNX Runtime sessions and end, and the process exits normally. (Terminating a thread in the middle
 * of a session run aborts the whole process from native code, which is why this runs in a child process.)
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DEMO_SHAPE_CLIP } from '@clip-vg/test-utils';

const bundle = path.resolve(__dirname, '..', '..', 'dist', 'index.js');

const script = `
const { FusionTrainingPool, fusionParams, sharedFloat32 } = require(${JSON.stringify(bundle)});
const { clipVGConfig } = require('@clip-vg/fusion-transformer');
const clip = ${JSON.stringify(DEMO_SHAPE_CLIP)};
const config = clipVGConfig(clip, [0, 1, 2, 3], { vlLayers: 1, vlHeads: 4, vlFfnDim: 64, dropout: 0 });
const n = 16, L = config.maxQueryLen;
const table = { visual: sharedFloat32(n * 37 * 256).fill(0.01), text: sharedFloat32(n * L * 64).fill(0.01), textPadding: new Uint8Array(n * L).fill(0) };
const init = Object.fromEntries(fusionParams(config).map((p) => [p.name, new Float32Array(p.shape.reduce((a, b) => a * b, 1)).fill(0.01)]));
const rows = { image: Int32Array.from({ length: n }, (_, i) => i), text: Int32Array.from({ length: n }, (_, i) => i), boxes: new Float32Array(4 * n).fill(0.5) };
const recipe = { steps: 100000, batchSize: 8, lr: 1e-3, weightDecay: 0, warmupSteps: 0, evalEvery: 1 };
(async () => {
  const pool = await FusionTrainingPool.start({ config, table, init, batchSize: 8, workers: 2 });
  let started;
  const running = new Promise((r) => (started = r));
  const jobs = [0, 1, 2].map((seed) => pool.train({ rows, recipe, seed }, () => started()).then(() => 'finished', (e) => e.message));
  await running;
  await pool.close();
  console.log(JSON.stringify(await Promise.all(jobs)));
})();
`;

describe('FusionTrainingPool.close', () => {
  it('stops trainings in flight, rejects them and the waiting ones, and the process exits cleanly', () => {
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: __dirname, timeout: 120_000 });
    expect(child.stderr).not.toMatch(/terminate called|Napi::Error/);
    expect(child.status).toBe(0);
    const outcomes: string[] = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(outcomes).toHaveLength(3);
    expect(outcomes.filter((m) => /closed while training/.test(m))).toHaveLength(2);
    expect(outcomes.filter((m) => /closed before the job started/.test(m))).toHaveLength(1);
  }, 120_000);
});
