/**
 * @jest-environment ../../packages/onnx-engine/jest.environment.js
 */
// onnxruntime-node inside jest needs the main realm's typed arrays (see that file); CLI tests that run
// `--engine onnx` in-process take this docblock.
import { ensureGradients } from '@clip-vg/training';
import { main } from '../main';

/** tfjs-core's gradients are ESM that this package's jest config does not transform (training's does). */
const gradientsLoad = ((): boolean => {
  try {
    ensureGradients();
    return true;
  } catch {
    return false;
  }
})();

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    const text = (spy: typeof out) => spy.mock.calls.map((c) => String(c[0])).join('');
    return { code, out: text(out), err: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('clip-vg bench', () => {
  test('--json on the tiny model, TensorFlow.js engine: one JSON object with the numbers', async () => {
    const { code, out, err } = await run(['bench', '--engine', 'tfjs', '--backend', 'wasm', '--model', 'tiny', '--batch', '2', '--runs', '1', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ engine: 'tfjs', backend: 'wasm', batch: 2, model: 'tiny', text_tokens: 20 });
    expect(result.images_per_s).toBeGreaterThan(0);
    expect(result.runs_ms).toHaveLength(1);
    expect(result.peak_rss_mb).toBeGreaterThan(0);
  });

  test('text output on the onnx engine names the engine and the runtime', async () => {
    const { code, out } = await run(['bench', '--engine', 'onnx', '--backend', 'wasm', '--model', 'tiny', '--batch', '2', '--runs', '1', '--threads', '1']);
    expect(code).toBe(0);
    expect(out).toMatch(/engine onnx on ort-cpu \(1 threads\), batch 2/);
    expect(out).toMatch(/images\/s/);
  });

  (gradientsLoad ? test : test.skip)('--train --json: a training step (forward, backward, AdamW) on the tiny model', async () => {
    const { code, out, err } = await run(['bench', '--train', '--backend', 'wasm', '--model', 'tiny', '--batch', '2', '--runs', '1', '--warmup', '0', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ mode: 'train', engine: 'tfjs', backend: 'wasm', batch: 2, trainable_parameters: 386_628 });
    expect(result.images_per_s).toBeGreaterThan(0);
    expect((await run(['bench', '--train', '--engine', 'onnx', '--model', 'tiny'])).err).toBe(
      'clip-vg: bench: --train runs on the tfjs engine (ONNX Runtime here is inference only)\n',
    );
  });

  test('bad options fail with one line', async () => {
    expect((await run(['bench', '--engine', 'torch'])).err).toBe('clip-vg: bench: --engine must be tfjs or onnx, got "torch"\n');
    expect((await run(['bench', '--batch', '0'])).err).toBe('clip-vg: bench: --batch must be a positive integer, got "0"\n');
    const unknown = await run(['bench', '--model', 'RN50', '--backend', 'wasm']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^clip-vg: bench: unknown model "RN50"/);
  });
});
