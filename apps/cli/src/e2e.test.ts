/**
 * The newcomer's path of the root README's "Use it" section, end to end on a tiny synthetic world, each step reading
 * what the previous one wrote: data synthesize → train → eval → predict (single, --viz, batch) → reliability →
 * curriculum --host model with ssa and with the example policy file → the report exists.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeShared, REPO_ROOT, sharedPath, tempDir } from '@clip-vg/test-utils';
import { runCli, type CliRun } from './testing/run-cli';

/** No `clip-vg:` line but the backend one: nothing went wrong. */
function clean(run: CliRun): void {
  expect([run.code, run.stderr.split('\n').filter((l) => l.startsWith('clip-vg:') && !/^clip-vg: (backend|wrote) /.test(l))]).toEqual([0, []]);
}

describeShared('the README walk, end to end (tiny synthetic world)', () => {
  const root = tempDir('clip-vg-e2e-');
  const at = (...parts: string[]) => path.join(root, ...parts);
  const vocab = () => sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz');
  const modelConfig = path.join(REPO_ROOT, 'examples', 'tiny-model.json');
  const data = () => ['--dataset', 'synthetic', '--split-root', at('world'), '--data-root', at('world')];
  const B = ['--backend', 'wasm'];

  test('synthesize, train, eval, predict, reliability, curriculum', async () => {
    clean(await runCli(['data', 'synthesize', '--out', at('world'), '--train', '10', '--val', '3', '--test', '2', '--imsize', '40']));
    const image = at(
      'world',
      'images',
      readdirSync(at('world', 'images'))
        .filter((f) => f.startsWith('synthetic_test_'))
        .sort()[0],
    );

    const trained = await runCli([
      'train',
      ...data(),
      '--model-config',
      modelConfig,
      '--vocab',
      vocab(),
      '--epochs',
      '1',
      '--batch-size',
      '8',
      '--workers',
      '0',
      ...B,
      '-o',
      at('run'),
    ]);
    clean(trained);
    expect(trained.stdout).toMatch(/^trained 1 epoch: best val Acc@0\.5 /);
    // a second train into the same folder refuses, naming both ways out
    const again = await runCli(['train', ...data(), '--model-config', modelConfig, '--vocab', vocab(), '--epochs', '1', ...B, '-o', at('run')]);
    expect([again.code, again.stderr]).toEqual([
      1,
      `clip-vg: ${at('run')}: holds a run already (checkpoint, best_checkpoint, log.jsonl); pass --resume to continue it or --overwrite to replace it\n`,
    ]);

    const evaluated = await runCli(['eval', '--checkpoint', at('run'), ...data(), '--split', 'test', ...B, '--json']);
    clean(evaluated);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ dataset: 'synthetic', split: 'test' });

    const single = await runCli(['predict', '--checkpoint', at('run'), '--image', image, '--text', 'the red circle', '--viz', at('box.jpg'), ...B]);
    clean(single);
    expect(single.stdout).toMatch(/^\[-?\d+\.\d\d, -?\d+\.\d\d, -?\d+\.\d\d, -?\d+\.\d\d\]\n$/);
    expect([...readFileSync(at('box.jpg')).subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // JPEG, as the extension says
    writeFileSync(at('queries.jsonl'), `${JSON.stringify({ image, text: 'the red circle' })}\n${JSON.stringify({ image, text: 'the blue square' })}\n`);
    const batch = await runCli(['predict', '--checkpoint', at('run'), '--input', at('queries.jsonl'), '--output', at('out', 'boxes.jsonl'), ...B]);
    clean(batch);
    expect(readFileSync(at('out', 'boxes.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);

    const scored = await runCli(['reliability', '--checkpoint', at('run'), ...data(), '--source', 'template', ...B, '-o', at('reliability')]);
    clean(scored);
    expect(existsSync(at('reliability', 'synthetic_train_pseudo_template_iou_result.pth'))).toBe(true);

    const host = [
      '--host',
      'model',
      '--dataset',
      'synthetic',
      '--host-option',
      `splitRoot=${at('world')}`,
      '--host-option',
      `dataRoot=${at('world')}`,
      '--host-option',
      `modelConfig=${modelConfig}`,
      '--host-option',
      `vocab=${vocab()}`,
      '--host-option',
      'epochs=1',
      '--host-option',
      'workers=0',
      '--examples',
      '1',
      '--quiet',
      ...B,
    ];
    const ssa = await runCli(['curriculum', '--policy', 'ssa', '--thresholds', '0.2,0.5', ...host, '-o', at('ssa')]);
    clean(ssa);
    expect(existsSync(at('ssa', 'report.html'))).toBe(true);
    const mine = await runCli(['curriculum', '--policy', path.join(REPO_ROOT, 'examples', 'my-policy.js'), '--set', 'keep=0.3', ...host, '-o', at('mine')]);
    clean(mine);
    expect(mine.stdout).toMatch(/^curriculum keep-above: /);
    expect(existsSync(at('mine', 'report.html'))).toBe(true);
    // the curriculum's final model is a checkpoint like any other
    clean(await runCli(['predict', '--checkpoint', at('mine'), '--image', image, '--text', 'the red circle', ...B]));
  }, 600_000);
});
