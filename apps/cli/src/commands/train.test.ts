/**
 * train / eval / reliability end to end on a tiny synthetic world. The resume test spawns the built CLI
 * (`nx run @clip-vg/cli:build`, which `test` depends on), which kills itself with SIGKILL after a fixed number of
 * steps (CLIP_VG_KILL_AFTER_STEPS), mid-epoch, and checks that resuming reproduces an uninterrupted run bit for bit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { loadPth, openSafetensors } from '@clip-vg/torch-io';
import { runCli } from '../testing/run-cli';
import { tinyWorld } from '../testing/tiny-world';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

function epochsDone(dir: string): number {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'checkpoint', 'training_state.json'), 'utf8')) as { epochsDone: number }).epochsDone;
  } catch {
    return 0;
  }
}

describeShared('clip-vg train | eval | reliability (tiny synthetic world)', () => {
  let root: string;
  let common: string[];

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'clip-vg-train-cli-'));
    const { world, modelConfig } = await tinyWorld(root);
    common = [
      '--dataset',
      'synthetic',
      '--split-root',
      world,
      '--data-root',
      world,
      '--model-config',
      modelConfig,
      '--vocab',
      sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'),
      '--backend',
      'wasm',
      '--workers',
      '1',
    ];
  }, 60_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('SIGKILL mid-epoch, then --resume: the same final weights and optimizer state as an uninterrupted run', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx nx run @clip-vg/cli:build first`);
    const full = path.join(root, 'full');
    // the uninterrupted run takes its recipe from a YAML config file; the interrupted one from flags
    writeFileSync(path.join(root, 'recipe.yaml'), 'epochs: 4\nbatch-size: 4\nlr: 0.001\nseed: 21\n');
    const a = await spawnCli(['train', ...common, '--config', path.join(root, 'recipe.yaml'), '-o', full]).done;
    expect(a.stderr).not.toMatch(/clip-vg: (?!backend)/);
    expect(a.code).toBe(0);

    const killed = path.join(root, 'killed');
    const flags = ['train', ...common, '--epochs', '4', '--batch-size', '4', '--lr', '0.001', '--seed', '21', '-o', killed];
    // the pseudo-label split has 24 rows, 6 steps of 4 an epoch: step 9 is halfway through the second epoch
    const killedExit = await spawnCli(flags, { CLIP_VG_KILL_AFTER_STEPS: '9' }).done;
    expect([killedExit.signal, killedExit.stderr]).toEqual(['SIGKILL', expect.anything()]);
    const doneAtKill = epochsDone(killed);
    expect(doneAtKill).toBe(1);

    const c = await spawnCli([...flags, '--resume', '--json']).done;
    expect(c.code).toBe(0);
    // it really continued: from the epoch after the last complete one, not from scratch
    expect((JSON.parse(c.stdout) as { resumedAt: number }).resumedAt).toBe(doneAtKill);
    expect(epochsDone(killed)).toBe(4);

    const expected = openSafetensors(path.join(full, 'checkpoint', 'trainer.safetensors'));
    const actual = openSafetensors(path.join(killed, 'checkpoint', 'trainer.safetensors'));
    expect(actual.names().sort()).toEqual(expected.names().sort());
    expect(actual.metadata.step).toBe(expected.metadata.step);
    for (const name of expected.names()) {
      const x = expected.get(name).data as Float32Array;
      const y = actual.get(name).data as Float32Array;
      expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength))).toBe(true);
    }
    expected.close();
    actual.close();
    const losses = (dir: string) =>
      readFileSync(path.join(dir, 'log.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).loss);
    expect(losses(killed)).toEqual(losses(full));
  }, 300_000);

  test('eval prints Acc@0.5 and mean IoU; reliability writes the official files that torch-io reads back', async () => {
    const checkpoint = path.join(root, 'full', 'best_checkpoint');
    const data = common.slice(0, 6);
    const model = ['--checkpoint', checkpoint, '--backend', 'wasm', '--workers', '0'];
    const evaluated = await runCli(['eval', ...model, ...data, '--split', 'val', '--json']);
    expect(evaluated.stderr).not.toMatch(/clip-vg: (?!backend)/);
    expect(evaluated.code).toBe(0);
    const result = JSON.parse(evaluated.stdout) as { samples: number; accuracy: number; meanIoU: number };
    expect(result.samples).toBeGreaterThan(0);
    expect(result.accuracy).toBeGreaterThanOrEqual(0);
    expect(result.meanIoU).toBeGreaterThanOrEqual(0);

    const out = path.join(root, 'reliability');
    const scored = await runCli(['reliability', ...model, ...data, '--source', 'relation', '-o', out, '--json']);
    expect(scored.code).toBe(0);
    const summary = JSON.parse(scored.stdout) as { samples: number };
    const rows = loadPth(path.join(out, 'synthetic_train_pseudo_relation_iou_result.pth')) as unknown[][];
    expect(rows).toHaveLength(summary.samples);
    expect(rows[0]).toHaveLength(7);
    for (const t of ['0_0', '0_5', '0_9', '1_0']) expect(existsSync(path.join(out, `synthetic_train_pseudo_relation_refine_${t}.pth`))).toBe(true);
    const histogram = JSON.parse(readFileSync(path.join(out, 'synthetic_train_pseudo_relation_reliability_histogram.json'), 'utf8')) as { counts: number[] };
    expect(histogram.counts).toHaveLength(1000);
    expect(existsSync(path.join(out, 'synthetic_train_pseudo_relation_reliability_histogram.png'))).toBe(true);
  }, 120_000);

  test('bad input fails with one line', async () => {
    const noOutput = await runCli(['train', ...common]);
    expect(noOutput.code).toBe(1);
    expect(noOutput.stderr).toMatch(/clip-vg: train: --out is required/);
    const cached = await runCli(['train', ...common, '-o', path.join(root, 'x'), '--cache-features', path.join(root, 'cache')]);
    expect(cached.code).toBe(1);
    expect(cached.stderr).toMatch(/--cache-features needs the eval transform/);
    const bigBatch = await runCli(['train', ...common, '-o', path.join(root, 'x'), '--batch-size', '100000']);
    expect(bigBatch.stderr).toMatch(/clip-vg: train: --batch-size 100000 is more than the \d+ records of synthetic train; pass a smaller --batch-size\n$/);
    expect(bigBatch.stderr).not.toMatch(/trainModel/);
    const badScheduler = await runCli(['train', ...common, '-o', path.join(root, 'x'), '--lr-scheduler', 'linear']);
    expect(badScheduler.code).toBe(1);
    const missing = await runCli(['eval', '--checkpoint', path.join(root, 'nope'), ...common.slice(0, 6), '--split', 'val']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope: no such checkpoint/);
  });
});
