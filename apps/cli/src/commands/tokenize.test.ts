import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { runCli } from '../testing/run-cli';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-tokenize-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describeShared('clip-vg tokenize', () => {
  const vocab = () => sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz');

  test('reproduces golden/tokenizer.jsonl line for line, in order', async () => {
    const golden = readFileSync(sharedPath('golden', 'tokenizer.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(input, golden.map((g) => JSON.stringify({ text: g.text })).join('\n') + '\n');
    const output = path.join(dir, 'out', 'ids.jsonl');
    const result = await runCli(['tokenize', '--vocab', vocab(), '--input', input, '--output', output]);
    expect(result).toMatchObject({ code: 0, out: '' });
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(golden.map((g) => ({ text: g.text, ids: g.ids })));
  });

  test('writes to stdout without --output', async () => {
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(input, '{"text": "The MAN on the LEFT"}\n');
    const result = await runCli(['tokenize', '--vocab', vocab(), '--input', input]);
    expect(result.code).toBe(0);
    expect(result.out).toBe('{"text":"The MAN on the LEFT","ids":[518,786,525,518,1823]}\n');
  });

  test('--model takes the vocabulary from a model folder', async () => {
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(input, '{"text": "The MAN on the LEFT"}\n');
    const result = await runCli(['tokenize', '--model', sharedPath('vocab'), '--input', input]);
    expect(result.out).toBe('{"text":"The MAN on the LEFT","ids":[518,786,525,518,1823]}\n');
  });

  test('a malformed input line names the file and line', async () => {
    const input = path.join(dir, 'in.jsonl');
    writeFileSync(input, '{"text": "ok"}\n{"txt": "no"}\n');
    const result = await runCli(['tokenize', '--vocab', vocab(), '--input', input]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(`clip-vg: ${input}:2: expected {"text": "..."}\n`);
  });
});

test('a bad vocabulary path is a one-line error', async () => {
  const input = path.join(dir, 'in.jsonl');
  writeFileSync(input, '{"text": "a dog"}\n');
  const missing = await runCli(['tokenize', '--vocab', path.join(dir, 'nope.txt.gz'), '--input', input]);
  expect(missing.code).toBe(1);
  expect(missing.err).toBe(`clip-vg: ${path.join(dir, 'nope.txt.gz')}: no such vocabulary file\n`);

  const notGzip = path.join(dir, 'bad.txt.gz');
  writeFileSync(notGzip, 'plain text');
  const bad = await runCli(['tokenize', '--vocab', notGzip, '--input', input]);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(new RegExp(`^clip-vg: ${notGzip}: not a readable gzip file \\(.*\\)\\n$`));

  const none = await runCli(['tokenize', '--input', input]);
  expect(none.err).toBe('clip-vg: tokenize: pass --vocab FILE (or --model NAME|DIR)\n');

  const previous = process.env.CLIP_VG_CACHE;
  process.env.CLIP_VG_CACHE = dir;
  try {
    const uncached = await runCli(['tokenize', '--model', 'openai/nothing', '--input', input]);
    expect(uncached.err).toBe('clip-vg: openai/nothing: no such folder, and not in the model cache (run `clip-vg models pull openai/nothing`)\n');
  } finally {
    if (previous === undefined) delete process.env.CLIP_VG_CACHE;
    else process.env.CLIP_VG_CACHE = previous;
  }
});
