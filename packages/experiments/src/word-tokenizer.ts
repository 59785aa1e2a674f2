/**
 * A word-level tokenizer for worlds with a closed vocabulary (the synthetic grounding world). It follows CLIP's
 * id conventions so that the CLIP text tower and CLIP-VG's masks work unchanged: 0 is padding, every text is
 * `SOT words… EOT`, and EOT is the largest id (CLIP pools the text at `argmax(ids)`).
 *
 * Why not CLIP's BPE: its 49,408-entry vocabulary file is not part of a fresh clone, and a tiny CLIP trained
 * from scratch on a ~40-word world gains nothing from it but a 49k-row embedding table.
 */
import type { TextTokenizer } from '@clip-vg/datasets';

const WORD = /[a-z0-9]+/g;
/** Ids 0 and 1 are padding and unknown words; the world's words follow; SOT and EOT come last. */
const PAD = 0;
const UNKNOWN = 1;
const FIRST_WORD = 2;

export class WordTokenizer implements TextTokenizer {
  private readonly ids: Map<string, number>;

  private constructor(readonly words: readonly string[]) {
    this.ids = new Map(words.map((w, i) => [w, FIRST_WORD + i]));
  }

  /** Every distinct word of `texts`, sorted, so the same texts always give the same ids. */
  static fromTexts(texts: Iterable<string>): WordTokenizer {
    const words = new Set<string>();
    for (const text of texts) for (const w of splitWords(text)) words.add(w);
    return new WordTokenizer([...words].sort());
  }

  /** From a saved word list (`tokenizer.words`). */
  static fromWords(words: readonly string[]): WordTokenizer {
    if (new Set(words).size !== words.length) throw new Error('WordTokenizer: the word list has duplicates');
    return new WordTokenizer([...words]);
  }

  get sot(): number {
    return FIRST_WORD + this.words.length;
  }

  get eot(): number {
    return this.sot + 1;
  }

  /** Rows of CLIP's token embedding this tokenizer needs. */
  get vocabSize(): number {
    return this.eot + 1;
  }

  encode(text: string): number[] {
    return splitWords(text).map((w) => this.ids.get(w) ?? UNKNOWN);
  }

  /** Row-major `[texts, contextLength]` ids, zero-padded; long texts are cut and still end with EOT, as CLIP's `truncate=True`. */
  tokenize(texts: string[], options: { contextLength?: number } = {}): { ids: Int32Array; mask: Uint8Array } {
    const contextLength = options.contextLength ?? 32;
    if (!Number.isInteger(contextLength) || contextLength < 2) throw new Error(`WordTokenizer: contextLength must be an integer ≥ 2, got ${contextLength}`);
    const ids = new Int32Array(texts.length * contextLength).fill(PAD);
    const mask = new Uint8Array(texts.length * contextLength);
    texts.forEach((text, row) => {
      const tokens = [this.sot, ...this.encode(text).slice(0, contextLength - 2), this.eot];
      ids.set(tokens, row * contextLength);
      mask.fill(1, row * contextLength, row * contextLength + tokens.length);
    });
    return { ids, mask };
  }
}

function splitWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
