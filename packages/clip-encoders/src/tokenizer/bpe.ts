/**
 * Byte-pair encoding of one pre-token (already byte-mapped), as in OpenAI's simple_tokenizer: the last
 * symbol carries the `</w>` end-of-word suffix; repeatedly merge the adjacent pair with the lowest rank.
 * Results are cached per pre-token, since referring expressions reuse a small vocabulary of words.
 */
export class BytePairEncoder {
  private readonly cache = new Map<string, string[]>();

  /** `ranks` maps `"first second"` to the merge's rank (its line number in the merges list). */
  constructor(private readonly ranks: ReadonlyMap<string, number>) {}

  /** The BPE symbols of `token` (e.g. "hello" -> ["hello</w>"]). */
  encode(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const symbols = this.merge(token);
    this.cache.set(token, symbols);
    return symbols;
  }

  private merge(token: string): string[] {
    // Pre-tokens are strings of byte characters (all in the BMP), so UTF-16 indexing is per symbol.
    let word = token.split('');
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      const best = this.lowestRankedPair(word);
      if (!best) break;
      const [first, second] = best;
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]);
          i += 1;
        }
      }
      word = merged;
    }
    return word;
  }

  private lowestRankedPair(word: string[]): [string, string] | undefined {
    let bestRank = Infinity;
    let best: [string, string] | undefined;
    for (let i = 0; i < word.length - 1; i++) {
      const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = [word[i], word[i + 1]];
      }
    }
    return best;
  }
}
