/**
 * @jest-environment ../../packages/onnx-engine/jest.environment.js
 */
// `--engine onnx` runs ONNX Runtime in-process: this docblock gives jest's sandbox the main realm's typed arrays.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeShared, sharedPath, tempDir } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

describeShared('clip-vg predict --engine onnx on the tiny golden checkpoint', () => {
  // Made here, not at the top: where ../shared is absent every test is skipped and jest runs no afterAll.
  const dir = tempDir('clip-vg-predict-onnx-');
  const golden = (...parts: string[]) => sharedPath('golden', 'clipvg-tiny', ...parts);

  test('gives the boxes of the tfjs engine (and so the official ones)', async () => {
    const cases = JSON.parse(readFileSync(golden('cases.json'), 'utf8')).cases as {
      image: string;
      text: string;
      width: number;
      height: number;
      pred_xyxy_pixels: number[];
    }[];
    const input = path.join(dir, 'cases.jsonl');
    writeFileSync(input, cases.map((c) => JSON.stringify({ image: golden(c.image), text: c.text })).join('\n') + '\n');
    const common = [
      'predict',
      '--checkpoint',
      golden('checkpoint.pth'),
      '--vocab',
      sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'),
      '--backend',
      'wasm',
      '--input',
      input,
    ];
    const boxes: Record<string, number[][]> = {};
    for (const engine of ['tfjs', 'onnx']) {
      const output = path.join(dir, `${engine}.jsonl`);
      const { code, err } = await runCli([...common, '--output', output, '--engine', engine]);
      expect([code, err.split('\n').filter((l) => /clip-vg: (?!backend|wrote)/.test(l))]).toEqual([0, []]);
      boxes[engine] = readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).box);
    }
    boxes.onnx.forEach((box, i) => box.forEach((v, k) => expect(Math.abs(v - boxes.tfjs[i][k])).toBeLessThan(1e-3)));
    cases.forEach((c, i) => {
      const tolerance = Math.max(c.width, c.height) === 64 ? 0.5 : 2;
      boxes.onnx[i].forEach((v, k) => expect(Math.abs(v - c.pred_xyxy_pixels[k])).toBeLessThanOrEqual(tolerance));
    });
  }, 120_000);

  test('an unknown engine is one line and exit code 1', async () => {
    const { code, err } = await runCli([
      'predict',
      '--checkpoint',
      golden('checkpoint.pth'),
      '--vocab',
      sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'),
      '--image',
      golden('images', 'img0.png'),
      '--text',
      'x',
      '--engine',
      'tpu',
    ]);
    expect(code).toBe(1);
    expect(err).toBe('clip-vg: --engine must be tfjs or onnx, got "tpu"\n');
  });

  test('a corrupt checkpoint is one line naming the file, exit code 1', async () => {
    const corrupt = path.join(dir, 'corrupt.pth');
    writeFileSync(corrupt, 'not a torch file');
    const { code, err } = await runCli([
      'predict',
      '--checkpoint',
      corrupt,
      '--vocab',
      sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'),
      '--image',
      golden('images', 'img0.png'),
      '--text',
      'x',
      '--engine',
      'onnx',
      '--backend',
      'wasm',
    ]);
    expect(code).toBe(1);
    expect(
      err
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('clip-vg: backend')),
    ).toEqual([expect.stringMatching(/^clip-vg: .*corrupt\.pth: /)]);
  });
});
