import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeShared, sharedPath, tempDir } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

interface GoldenCase {
  image: string;
  width: number;
  height: number;
  text: string;
  pred_xyxy_pixels: number[];
}

describeShared('clip-vg predict and checkpoint convert on the tiny golden checkpoint', () => {
  // Made here, not at the top: where ../shared is absent every test is skipped and jest runs no afterAll.
  const dir = tempDir('clip-vg-predict-');
  const golden = (...parts: string[]) => sharedPath('golden', 'clipvg-tiny', ...parts);
  const vocab = () => sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz');
  const common = () => ['--checkpoint', golden('checkpoint.pth'), '--vocab', vocab(), '--backend', 'wasm'];
  const cases = (): GoldenCase[] => JSON.parse(readFileSync(golden('cases.json'), 'utf8')).cases;
  const imsize = 64;

  /** The official boxes in original pixels: 0.5 px where no resize happened, 2 px where Pillow resized. */
  function expectGoldenBoxes(rows: { box: number[] }[]): void {
    cases().forEach((c, i) => {
      const tolerance = Math.max(c.width, c.height) === imsize ? 0.5 : 2;
      rows[i].box.forEach((v, k) => expect(Math.abs(v - c.pred_xyxy_pixels[k])).toBeLessThanOrEqual(tolerance));
    });
  }

  function writeCases(file: string): void {
    // Image paths are relative to the JSON-lines file: absolute here, since the file lives in a temp folder.
    writeFileSync(
      file,
      cases()
        .map((c) => JSON.stringify({ image: golden(c.image), text: c.text }))
        .join('\n') + '\n',
    );
  }

  test('batch mode reproduces pred_xyxy_pixels of every case', async () => {
    const input = path.join(dir, 'cases.jsonl');
    const output = path.join(dir, 'out.jsonl');
    writeCases(input);
    const { code, err } = await runCli(['predict', ...common(), '--input', input, '--output', output, '--batch-size', '2']);
    expect(err).toMatch(/wrote 5 predictions/);
    expect(code).toBe(0);
    const rows = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.text)).toEqual(cases().map((c) => c.text));
    expect(Object.keys(rows[0])).toEqual(['image', 'text', 'box']);
    expectGoldenBoxes(rows);
  });

  test('single image: the box, --json and --viz', async () => {
    const c = cases()[4];
    const plain = await runCli(['predict', ...common(), '--image', golden(c.image), '--text', c.text]);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^\[-?\d+\.\d\d, -?\d+\.\d\d, -?\d+\.\d\d, -?\d+\.\d\d\]\n$/);

    const viz = path.join(dir, 'viz.png');
    const json = await runCli(['predict', ...common(), '--image', golden(c.image), '--text', c.text, '--json', '--viz', viz]);
    expect(json.code).toBe(0);
    const row = JSON.parse(json.out);
    expect(row).toMatchObject({ image: golden(c.image), text: c.text });
    expect(row.boxNormalized).toHaveLength(4);
    row.box.forEach((v: number, k: number) => expect(Math.abs(v - c.pred_xyxy_pixels[k])).toBeLessThanOrEqual(2));
    expect(readFileSync(viz).subarray(1, 4).toString()).toBe('PNG');
  });

  test('checkpoint convert writes a folder that predict reads, with and without CLIP', async () => {
    const out = path.join(dir, 'converted');
    const converted = await runCli(['checkpoint', 'convert', golden('checkpoint.pth'), out, '--backend', 'wasm']);
    expect(converted.err).toBe('');
    expect(converted.code).toBe(0);
    expect(converted.out).toMatch(/with CLIP weights/);
    expect(converted.out).toMatch(/386,628 trainable parameters/);
    expect(existsSync(path.join(out, 'model.safetensors')) && existsSync(path.join(out, 'config.json'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'))).toMatchObject({ format: 'clip-vg', includesClip: true });

    const input = path.join(dir, 'cases2.jsonl');
    const output = path.join(dir, 'out2.jsonl');
    writeCases(input);
    const args = ['predict', '--checkpoint', out, '--vocab', vocab(), '--input', input, '--output', output, '--backend', 'wasm'];
    expect((await runCli(args)).code).toBe(0);
    expectGoldenBoxes(
      readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );

    const light = path.join(dir, 'light');
    expect((await runCli(['checkpoint', 'convert', golden('checkpoint.pth'), light, '--no-clip', '--backend', 'wasm'])).code).toBe(0);
    const missing = await runCli(['predict', '--checkpoint', light, '--vocab', vocab(), '--input', input, '--output', output, '--backend', 'wasm']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/saved without CLIP weights/);
  });

  test('bad input: one line naming the culprit, exit 1', async () => {
    const expectError = async (argv: string[], pattern: RegExp) => {
      const run = await runCli(argv);
      const { code } = run;
      const err = run.err.replace(/^clip-vg: backend .*\n/, ''); // logged once per process, by whichever test runs first
      expect(code).toBe(1);
      expect(err).toMatch(pattern);
      expect(err.trim().split('\n')).toHaveLength(1);
    };
    await expectError(['predict', ...common(), '--image', path.join(dir, 'nope.png'), '--text', 'a dog'], /^clip-vg: .*nope\.png: not found/);
    await expectError(['predict', ...common(), '--image', golden('images/img0.png'), '--text', '  '], /--text is empty/);
    await expectError(
      ['predict', '--checkpoint', golden('cases.json'), '--vocab', vocab(), '--image', golden('images/img0.png'), '--text', 'a dog', '--backend', 'wasm'],
      /cases\.json: cannot read the checkpoint/,
    );
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify({ image: golden('images/img0.png'), text: 'ok' })}\n${JSON.stringify({ image: golden('images/img1.png'), text: '' })}\n`,
    );
    await expectError(['predict', ...common(), '--input', bad, '--output', path.join(dir, 'x.jsonl')], /bad\.jsonl:2: "text" is empty/);
    await expectError(['checkpoint', 'convert', path.join(dir, 'none.pth'), path.join(dir, 'o')], /none\.pth: no such file/);
    // outputs are checked before the model loads: a folder as --output, an unknown --viz extension
    const good = path.join(dir, 'good.jsonl');
    writeFileSync(good, `${JSON.stringify({ image: golden('images/img0.png'), text: 'ok' })}\n`);
    await expectError(['predict', ...common(), '--input', good, '--output', dir], new RegExp(`^clip-vg: ${dir}: is a folder, expected a file`));
    await expectError(
      ['predict', ...common(), '--image', golden('images/img0.png'), '--text', 'a dog', '--viz', path.join(dir, 'v.bmp')],
      /v\.bmp: unknown extension \(use \.png, \.jpg, \.jpeg, \.webp\)/,
    );
    // a text over the context length names the flag that cuts it
    const long = Array.from({ length: 80 }, () => 'red car').join(' ');
    await expectError(
      ['predict', ...common(), '--image', golden('images/img0.png'), '--text', long],
      /img0\.png: the text is \d+ tokens .*\(pass --truncate to cut it\)/,
    );
    const cut = await runCli(['predict', ...common(), '--image', golden('images/img0.png'), '--text', long, '--truncate']);
    expect(cut.code).toBe(0);
  });
});
