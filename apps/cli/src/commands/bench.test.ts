/**
 * @jest-environment ../../packages/onnx-engine/jest.environment.js
 */
// onnxruntime-node inside jest needs the main realm's typed arrays (see that file); CLI tests that run
// `--engine onnx` in-process take this docblock.
import { redisServerBinary } from '@clip-vg/training-queue';
import { runCli } from '../testing/run-cli';

if (!redisServerBinary()) console.warn('clip-vg bench: redis-server not found (apt-get install redis-server): the --queue bench test is skipped');

describe('clip-vg bench', () => {
  test('--json on the tiny model, TensorFlow.js engine: one JSON object with the numbers', async () => {
    const { code, out, err } = await runCli(['bench', '--engine', 'tfjs', '--backend', 'wasm', '--model', 'tiny', '--batch', '2', '--runs', '1', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ engine: 'tfjs', backend: 'wasm', batch: 2, model: 'tiny', text_tokens: 20 });
    expect(result.images_per_s).toBeGreaterThan(0);
    expect(result.runs_ms).toHaveLength(1);
    expect(result.peak_rss_mb).toBeGreaterThan(0);
  });

  test('text output on the onnx engine names the engine and the runtime', async () => {
    const onnx = (...extra: string[]) =>
      runCli(['bench', '--engine', 'onnx', '--backend', 'wasm', '--model', 'tiny', '--runs', '1', '--threads', '1', ...extra]);
    const { code, out } = await onnx('--batch', '2');
    expect(code).toBe(0);
    expect(out).toMatch(/engine onnx on ort-cpu \(1 threads\), batch 2/);
    expect(out).toMatch(/images\/s/);
    const chunked = await onnx('--batch', '3', '--chunk', '2', '--json');
    expect(chunked.code).toBe(0);
    expect(JSON.parse(chunked.out)).toMatchObject({ engine: 'onnx', batch: 3, chunk_size: 2, expressions_per_image: 1 });
    const shared = await onnx('--batch', '4', '--per-image', '2');
    expect(shared.code).toBe(0);
    expect(shared.out).toMatch(/batch 4 \(2 expressions per image\)/);
    expect(shared.out).toMatch(/image–expression pairs\/s \([\d.]+ distinct images\/s\)/);
    const sharedJson = JSON.parse((await onnx('--batch', '4', '--per-image', '2', '--json')).out);
    expect(sharedJson.distinct_images_per_s).toBeCloseTo(sharedJson.images_per_s / 2, 6);
  });

  test('--train --json: a training step (forward, backward, AdamW) on the tiny model', async () => {
    const { code, out, err } = await runCli([
      'bench',
      '--train',
      '--backend',
      'wasm',
      '--model',
      'tiny',
      '--batch',
      '2',
      '--runs',
      '1',
      '--warmup',
      '0',
      '--json',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ mode: 'train', engine: 'tfjs', backend: 'wasm', batch: 2, trainable_parameters: 386_628 });
    expect(result.images_per_s).toBeGreaterThan(0);
    expect((await runCli(['bench', '--train', '--engine', 'onnx', '--model', 'tiny'])).err).toBe(
      'clip-vg: bench: --train runs on the tfjs engine (ONNX Runtime here is inference only)\n',
    );
  });

  (redisServerBinary() ? test : test.skip)(
    '--queue --json: the same 1-step trainings through a local thread and through a throwaway Redis',
    async () => {
      const { code, out } = await runCli(['bench', '--queue', '--jobs', '2', '--backend', 'wasm', '--json']);
      expect(code).toBe(0);
      const result = JSON.parse(out);
      expect(result).toMatchObject({ mode: 'queue', jobs: 2, steps_per_job: 1, rows_per_job: 800, redis: 'local redis-server' });
      expect(result.local_runs_ms).toHaveLength(2);
      expect(result.queue_runs_ms).toHaveLength(2);
      // each figure is rounded to 0.1 ms on its own, so their difference may be off by one rounding step
      expect(Math.abs(result.overhead_ms_per_job - (result.queue_ms_per_job - result.local_ms_per_job))).toBeLessThanOrEqual(0.1 + 1e-9);
    },
    120_000,
  );

  test('bad options fail with one line', async () => {
    expect((await runCli(['bench', '--engine', 'torch'])).err).toBe('clip-vg: bench: --engine must be tfjs or onnx, got "torch"\n');
    expect((await runCli(['bench', '--batch', '0'])).err).toBe('clip-vg: bench: --batch must be a positive integer, got "0"\n');
    expect((await runCli(['bench', '--chunk', '1.5'])).err).toBe('clip-vg: bench: --chunk must be a positive integer, got "1.5"\n');
    expect((await runCli(['bench', '--per-image', '0'])).err).toBe('clip-vg: bench: --per-image must be a positive integer, got "0"\n');
    const unknown = await runCli(['bench', '--model', 'RN50', '--backend', 'wasm']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^clip-vg: bench: unknown model "RN50"/m);
    expect((await runCli(['bench', '--queue', '--jobs', '0'])).err).toBe('clip-vg: bench: --jobs must be a positive integer, got "0"\n');
    const unreachable = await runCli(['bench', '--queue', 'redis://127.0.0.1:1', '--backend', 'wasm']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/clip-vg: bench --queue: redis:\/\/127\.0\.0\.1:1: cannot connect/);
  });
});
