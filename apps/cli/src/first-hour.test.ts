/**
 * The three flows that stopped a newcomer in issue 14, each as it failed: `curriculum --host model` (no backend),
 * `predict` on a `train` output folder (CLIP and vocabulary from the checkpoint, `--clip` given any checkpoint),
 * and the committed `bin` launcher (see bin.test.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describeShared, sharedPath, tempDir } from '@clip-vg/test-utils';
import { runCli } from './testing/run-cli';
import { tinyWorld } from './testing/tiny-world';

describeShared('a newcomer on a tiny synthetic world', () => {
  const root = tempDir('clip-vg-first-hour-');
  let world: string;
  let modelConfig: string;
  const vocab = () => sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz');

  beforeAll(async () => {
    ({ world, modelConfig } = await tinyWorld(root));
  }, 60_000);

  const hostOptions = () => [
    '--dataset',
    'synthetic',
    '--host-option',
    `splitRoot=${world}`,
    '--host-option',
    `dataRoot=${world}`,
    '--host-option',
    `modelConfig=${modelConfig}`,
    '--host-option',
    `vocab=${vocab()}`,
    '--host-option',
    'epochs=1',
    '--host-option',
    'batchSize=8',
    '--host-option',
    'workers=0',
    '--examples',
    '0',
    '--backend',
    'wasm',
  ];

  test('curriculum --host model initialises a backend itself (was: "No backend found in registry.")', async () => {
    const out = path.join(root, 'ssa-model');
    const run = await runCli(['curriculum', '--policy', 'ssa', '--host', 'model', ...hostOptions(), '--thresholds', '0.2,0.5', '-o', out, '--quiet']);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('clip-vg:') && !l.startsWith('clip-vg: backend'))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^curriculum ssa: val Acc@0\.5 /);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(existsSync(path.join(out, 'model', 'config.json'))).toBe(true);
  }, 300_000);

  test('curriculum --host @clip-vg/training, as the training README says, is the same host', async () => {
    const out = path.join(root, 'ssa-package');
    const run = await runCli(['curriculum', '--policy', 'all', '--host', '@clip-vg/training', ...hostOptions(), '-o', out, '--quiet']);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('clip-vg:') && !l.startsWith('clip-vg: backend'))).toEqual([]);
    expect(run.code).toBe(0);
  }, 300_000);

  test('predict reads a train output folder with no --vocab and no --clip; --clip takes any checkpoint', async () => {
    const run = path.join(root, 'run');
    const trained = await runCli([
      'train',
      '--dataset',
      'synthetic',
      '--split-root',
      world,
      '--data-root',
      world,
      '--model-config',
      modelConfig,
      '--vocab',
      vocab(),
      '--epochs',
      '1',
      '--batch-size',
      '8',
      '--imsize',
      '32',
      '--workers',
      '0',
      '--backend',
      'wasm',
      '-o',
      run,
    ]);
    expect(trained.code).toBe(0);
    const image = path.join(world, 'images', readdirSync(path.join(world, 'images')).sort()[0]);
    const box = /^\[-?\d+\.\d\d, -?\d+\.\d\d, -?\d+\.\d\d, -?\d+\.\d\d\]\n$/;

    // the run folder itself, its best_checkpoint/ and its checkpoint/: saved without CLIP, CLIP from the recorded source
    for (const checkpoint of [run, path.join(run, 'best_checkpoint'), path.join(run, 'checkpoint')]) {
      const predicted = await runCli(['predict', '--checkpoint', checkpoint, '--image', image, '--text', 'the red circle', '--backend', 'wasm']);
      expect([predicted.code, predicted.stderr.replace(/^clip-vg: backend.*\n/, '')]).toEqual([0, '']);
      expect(predicted.stdout).toMatch(box);
    }
    // the same box from eval's loader: eval takes the run folder too
    const evaluated = await runCli([
      'eval',
      '--checkpoint',
      run,
      '--dataset',
      'synthetic',
      '--split',
      'val',
      '--split-root',
      world,
      '--data-root',
      world,
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(evaluated.code).toBe(0);

    // --clip takes a train folder (its recorded CLIP source) and a convert folder holding CLIP
    const light = path.join(root, 'light');
    expect((await runCli(['checkpoint', 'convert', sharedPath('golden', 'clipvg-tiny', 'checkpoint.pth'), light, '--no-clip', '--backend', 'wasm'])).code).toBe(
      0,
    );
    const full = path.join(root, 'full');
    expect((await runCli(['checkpoint', 'convert', sharedPath('golden', 'clipvg-tiny', 'checkpoint.pth'), full, '--backend', 'wasm'])).code).toBe(0);
    const golden = sharedPath('golden', 'clipvg-tiny', 'images', 'img0.png');
    const withClip = await runCli([
      'predict',
      '--checkpoint',
      light,
      '--clip',
      full,
      '--vocab',
      vocab(),
      '--image',
      golden,
      '--text',
      'the red car',
      '--backend',
      'wasm',
    ]);
    expect([withClip.code, withClip.stderr.replace(/^clip-vg: backend.*\n/, '')]).toEqual([0, '']);
    const reference = await runCli(['predict', '--checkpoint', full, '--vocab', vocab(), '--image', golden, '--text', 'the red car', '--backend', 'wasm']);
    expect(withClip.stdout).toBe(reference.stdout);
    const fromRun = await runCli([
      'predict',
      '--checkpoint',
      path.join(run, 'best_checkpoint'),
      '--clip',
      run,
      '--image',
      image,
      '--text',
      'the red circle',
      '--backend',
      'wasm',
    ]);
    expect(fromRun.code).toBe(0);

    // an official .pth records no vocabulary: the error names the flag, not an API option
    const noVocab = await runCli(['predict', '--checkpoint', full, '--image', golden, '--text', 'the red car', '--backend', 'wasm']);
    expect(noVocab.code).toBe(1);
    expect(noVocab.stderr).toMatch(/^clip-vg: .*full: records no tokenizer vocabulary; pass --vocab FILE/m);
    expect(noVocab.stderr).not.toMatch(/options\./);
  }, 300_000);
});
