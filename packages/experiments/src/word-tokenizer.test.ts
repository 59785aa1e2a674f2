import { WordTokenizer } from './word-tokenizer';

describe('WordTokenizer', () => {
  const tokenizer = WordTokenizer.fromTexts(['the red circle', 'a blue square, left of the circle']);

  it('sorts the words and puts SOT and EOT last, EOT largest (CLIP pools at argmax)', () => {
    expect(tokenizer.words).toEqual(['a', 'blue', 'circle', 'left', 'of', 'red', 'square', 'the']);
    expect(tokenizer.eot).toBe(tokenizer.vocabSize - 1);
    expect(tokenizer.sot).toBe(tokenizer.eot - 1);
  });

  it('pads with 0, marks unknown words 1, and truncates keeping EOT', () => {
    const { ids, mask } = tokenizer.tokenize(['The Red triangle', 'a blue square left of the circle'], { contextLength: 6 });
    expect([...ids.subarray(0, 6)]).toEqual([tokenizer.sot, 9, 7, 1, tokenizer.eot, 0]);
    expect([...mask.subarray(0, 6)]).toEqual([1, 1, 1, 1, 1, 0]);
    expect([...ids.subarray(6, 12)]).toEqual([tokenizer.sot, 2, 3, 8, 5, tokenizer.eot]);
  });

  it('round-trips through its word list and rejects bad input', () => {
    expect(WordTokenizer.fromWords(tokenizer.words).encode('left of the circle')).toEqual(tokenizer.encode('left of the circle'));
    expect(() => WordTokenizer.fromWords(['a', 'a'])).toThrow(/duplicates/);
    expect(() => tokenizer.tokenize(['x'], { contextLength: 1 })).toThrow(/contextLength/);
  });
});
