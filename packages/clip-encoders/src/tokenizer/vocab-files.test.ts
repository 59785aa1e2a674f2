import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { ClipTokenizer } from './clip-tokenizer';
import { loadVocabulary } from './vocab-files';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-vocab-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describeShared("Hugging Face vocabulary files give the same ids as OpenAI's", () => {
  let golden: Array<{ text: string; ids: number[] }>;
  let hfDir: string;
  beforeAll(() => {
    golden = readFileSync(sharedPath('golden', 'tokenizer.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    hfDir = mkdtempSync(path.join(tmpdir(), 'clip-vg-hf-vocab-'));
    writeHfFiles(hfDir);
  });
  afterAll(() => rmSync(hfDir, { recursive: true, force: true }));

  /** Writes the OpenAI vocabulary in Hugging Face's layouts (as openai/clip-vit-base-patch16 ships them). */
  function writeHfFiles(dir: string): void {
    const { encoder, merges } = loadVocabulary(sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'));
    mkdirSync(path.join(dir, 'slow'));
    writeFileSync(path.join(dir, 'slow', 'vocab.json'), JSON.stringify(Object.fromEntries(encoder)));
    writeFileSync(path.join(dir, 'slow', 'merges.txt'), '#version: 0.2\n' + merges.map((m) => m.join(' ')).join('\n') + '\n');
    const vocab = Object.fromEntries(encoder);
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab, merges: merges.map((m) => m.join(' ')) } }));
    writeFileSync(path.join(dir, 'pairs.json'), JSON.stringify({ model: { type: 'BPE', vocab, merges } }));
  }

  test.each([
    ['a folder with vocab.json + merges.txt', 'slow'],
    ['vocab.json', 'slow/vocab.json'],
    ['merges.txt', 'slow/merges.txt'],
    ['tokenizer.json ("a b" merges)', 'tokenizer.json'],
    ['tokenizer.json ([a, b] merges)', 'pairs.json'],
  ])('%s', async (_name, file) => {
    const tokenizer = await ClipTokenizer.load(path.join(hfDir, file));
    expect([tokenizer.vocabSize, tokenizer.sot, tokenizer.eot]).toEqual([49408, 49406, 49407]);
    const wrong = golden.filter((g) => JSON.stringify(tokenizer.encode(g.text)) !== JSON.stringify(g.ids));
    expect(wrong).toEqual([]);
  });
});

test('bad vocabulary files are one-line errors naming the file', () => {
  const write = (name: string, text: string): string => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  expect(() => loadVocabulary(write('bad.txt.gz', 'not gzip'))).toThrow(/bad\.txt\.gz: not a readable gzip file/);
  expect(() => loadVocabulary(write('m.txt', 'header\nonly-one-part\n'))).toThrow(/m\.txt: line 2 is not a BPE merge "first second": "only-one-part"/);
  expect(() => loadVocabulary(write('tokenizer.json', '{oops'))).toThrow(/tokenizer\.json: invalid JSON/);
  expect(() => loadVocabulary(write('vocab.json', '{}'))).toThrow(/vocab\.json: needs merges\.txt in the same folder/);
  expect(() => loadVocabulary(dir)).toThrow(/tokenizer\.json: invalid JSON/);
  const empty = path.join(dir, 'empty');
  mkdirSync(empty);
  expect(() => loadVocabulary(empty)).toThrow(/empty: no CLIP vocabulary here/);
  expect(() => ClipTokenizer.fromBpeMerges('header only\n')).toThrow(/no BPE merges found/);
});
