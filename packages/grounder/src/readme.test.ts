/**
 * @jest-environment ../onnx-engine/jest.environment.js
 */
// the onnx engine runs ONNX Runtime in-process: this docblock gives jest's sandbox the main realm's typed arrays.
/**
 * The README's first code block, run verbatim (as an ES module, against the built package) on the tiny golden
 * checkpoint: its file names are links in a temp folder to the golden checkpoint, the CLIP vocabulary and a golden
 * image. The box must match the official PyTorch prediction within 0.5 px. Then the API itself: every golden case
 * through groundBatch on both engines, from a path, bytes and a decoded image.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadImage } from '@clip-vg/image';
import { describeShared, sharedPath, tempDir } from '@clip-vg/test-utils';
import { Grounder } from './index';

const PACKAGE = path.resolve(__dirname, '..');

interface GoldenCase {
  image: string;
  width: number;
  height: number;
  text: string;
  pred_xyxy_pixels: number[];
}

function readmeExample(): string {
  const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```ts block');
  return block[1];
}

describeShared('the README example and the Grounder API on the tiny golden checkpoint', () => {
  const golden = (...parts: string[]) => sharedPath('golden', 'clipvg-tiny', ...parts);
  const cases = (): GoldenCase[] => JSON.parse(readFileSync(golden('cases.json'), 'utf8')).cases;
  const vocab = () => sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz');
  const near = (box: number[], expected: number[], tolerance: number) =>
    box.forEach((v, k) => expect(Math.abs(v - expected[k])).toBeLessThanOrEqual(tolerance));

  test('the README code block runs verbatim and gives the golden box within 0.5 px', () => {
    if (!existsSync(path.join(PACKAGE, 'dist', 'index.mjs')))
      throw new Error('packages/grounder/dist is missing: run npx nx run @clip-vg/grounder:build first');
    const code = readmeExample();
    const c = cases().find((x) => code.includes(`'${x.text}'`));
    if (!c) throw new Error('the README example must ground the text of a golden case');
    expect(Math.max(c.width, c.height)).toBe(64); // no resize: 0.5 px is the bar
    const dir = tempDir('grounder-readme-');
    symlinkSync(golden('checkpoint.pth'), path.join(dir, 'checkpoint.pth'));
    symlinkSync(vocab(), path.join(dir, 'bpe_simple_vocab_16e6.txt.gz'));
    symlinkSync(golden(c.image), path.join(dir, 'photo.jpg')); // decoded by content: a PNG under a .jpg name
    mkdirSync(path.join(dir, 'node_modules', '@clip-vg'), { recursive: true });
    symlinkSync(PACKAGE, path.join(dir, 'node_modules', '@clip-vg', 'grounder'));
    writeFileSync(path.join(dir, 'example.mjs'), `${code}\nprocess.stdout.write(JSON.stringify(box));\n`);
    const run = spawnSync(process.execPath, ['example.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CLIP_VG_BACKEND: 'wasm' },
      timeout: 120_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    near(JSON.parse(run.stdout), c.pred_xyxy_pixels, 0.5);
  }, 150_000);

  for (const engine of ['tfjs', 'onnx'] as const) {
    test(`groundBatch on ${engine}: every golden case (0.5 px unresized, 2 px where Pillow resized), paths, bytes and decoded images`, async () => {
      const grounder = await Grounder.fromPretrained(golden('checkpoint.pth'), { vocab: vocab(), engine, backend: 'wasm' });
      try {
        const all = cases();
        const progress: number[] = [];
        const results = await grounder.groundBatch(
          all.map((c) => ({ image: golden(c.image), text: c.text })),
          { batchSize: 2, onProgress: (done) => progress.push(done) },
        );
        expect(progress).toEqual([2, 4, 5]);
        results.forEach((r, i) => near(r.box, all[i].pred_xyxy_pixels, Math.max(all[i].width, all[i].height) === 64 ? 0.5 : 2));
        const c = all[1];
        const fromBytes = await grounder.ground(readFileSync(golden(c.image)), c.text);
        const fromImage = await grounder.ground(await loadImage(golden(c.image)), c.text);
        near(fromBytes.box, results[1].box, 1e-3); // a batch of one: the same up to float rounding
        near(fromImage.box, results[1].box, 1e-3);
      } finally {
        await grounder.dispose();
      }
      await expect(grounder.ground(golden(cases()[0].image), 'x')).rejects.toThrow(/disposed/);
    }, 150_000);
  }

  test('bad input: one line naming the problem', async () => {
    await expect(Grounder.fromPretrained(golden('nope.pth'), { vocab: vocab() })).rejects.toThrow(/nope\.pth: no such checkpoint/);
    await expect(Grounder.fromPretrained(golden('checkpoint.pth'))).rejects.toThrow(/checkpoint\.pth: records no tokenizer vocabulary/);
    const grounder = await Grounder.fromPretrained(golden('checkpoint.pth'), { vocab: vocab(), backend: 'wasm' });
    try {
      await expect(grounder.ground(golden(cases()[0].image), '  ')).rejects.toThrow('query 0: the text is empty');
      await expect(grounder.ground(golden('missing.png'), 'a dog')).rejects.toThrow(/missing\.png: not found/);
      const long = Array.from({ length: 40 }, () => 'red car').join(' ');
      await expect(grounder.ground(golden(cases()[0].image), long)).rejects.toThrow(/over the context length/);
    } finally {
      await grounder.dispose();
    }
  });
});
