import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { ClipTokenizer } from './clip-tokenizer';

describeShared('ClipTokenizer on OpenAI vocabulary', () => {
  let tokenizer: ClipTokenizer;
  beforeAll(async () => {
    tokenizer = await ClipTokenizer.load(sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'));
  });

  test('vocabulary shape and special tokens', () => {
    expect(tokenizer.vocabSize).toBe(49408);
    expect(tokenizer.sot).toBe(49406);
    expect(tokenizer.eot).toBe(49407);
  });

  test('reproduces every line of golden/tokenizer.jsonl exactly', () => {
    const lines = readFileSync(sharedPath('golden', 'tokenizer.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBe(426);
    const mismatches: string[] = [];
    for (const line of lines) {
      const { text, ids } = JSON.parse(line) as { text: string; ids: number[] };
      const got = tokenizer.encode(text);
      if (JSON.stringify(got) !== JSON.stringify(ids)) mismatches.push(`${JSON.stringify(text)}: ${got} != ${ids}`);
    }
    expect(mismatches).toEqual([]);
  });

  test('reproduces the 77-token sequences of golden/clipvg-tiny/cases.json', () => {
    const { cases } = JSON.parse(readFileSync(sharedPath('golden', 'clipvg-tiny', 'cases.json'), 'utf8')) as {
      cases: Array<{ text: string; tokens: number[] }>;
    };
    const out = tokenizer.tokenize(cases.map((c) => c.text));
    expect(out.batch).toBe(cases.length);
    expect(out.contextLength).toBe(77);
    cases.forEach((c, row) => {
      expect(Array.from(out.ids.subarray(row * 77, (row + 1) * 77))).toEqual(c.tokens);
      const length = c.tokens.indexOf(49407) + 1;
      expect(Array.from(out.mask.subarray(row * 77, (row + 1) * 77))).toEqual(c.tokens.map((_t, i) => (i < length ? 1 : 0)));
    });
  });

  test('over-long text: an error naming the length, or truncation with EOT last', () => {
    const long = Array.from({ length: 80 }, () => 'dog').join(' ');
    expect(() => tokenizer.tokenize(long)).toThrow(/82 tokens with SOT\/EOT, over the context length 77/);
    const cut = tokenizer.tokenize([long, 'a cat'], { truncate: true });
    expect(cut.ids[0]).toBe(49406);
    expect(cut.ids[76]).toBe(49407);
    expect(cut.ids[75]).toBe(tokenizer.encode('dog')[0]);
    expect(cut.mask.subarray(0, 77).every((m) => m === 1)).toBe(true);
    expect(Array.from(cut.ids.subarray(77, 82))).toEqual([49406, ...tokenizer.encode('a cat'), 49407, 0]);
  });

  test('exactly 75 BPE tokens fit; a custom context length applies', () => {
    const fits = Array.from({ length: 75 }, () => 'dog').join(' ');
    expect(tokenizer.tokenize(fits).ids[76]).toBe(49407);
    expect(tokenizer.tokenize('a dog', { contextLength: 8 }).ids.length).toBe(8);
  });

  test('fromBpeMerges matches load, and decode inverts encode on clean text', () => {
    const text = gunzipSync(readFileSync(sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'))).toString('utf8');
    const again = ClipTokenizer.fromBpeMerges(text);
    const phrase = 'the man in gray pants on the left, 2nd from right!';
    expect(again.encode(phrase)).toEqual(tokenizer.encode(phrase));
    expect(tokenizer.decode(tokenizer.tokenize(phrase).ids)).toBe('the man in gray pants on the left , 2 nd from right !');
  });

  test('special-token text maps to the special ids, as in OpenAI code', () => {
    expect(tokenizer.encode('<|startoftext|>dog<|endoftext|>')).toEqual([49406, ...tokenizer.encode('dog'), 49407]);
  });
});

test('a bad vocabulary path is a one-line error naming the file', async () => {
  await expect(ClipTokenizer.load('/no/such/vocab.txt.gz')).rejects.toThrow(/^\/no\/such\/vocab\.txt\.gz: no such vocabulary file$/);
});
