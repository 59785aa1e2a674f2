import { BytePairEncoder } from './bpe';
import { byteEncoderTable } from './byte-encoder';
import { cleanText, PY_WHITESPACE } from './text-clean';
import { type BpeVocabulary, EOT_TOKEN, loadVocabulary, SOT_TOKEN, vocabularyFromOpenAiMerges } from './vocab-files';

export interface TokenizeOptions {
  /** Tokens per row, SOT and EOT included; default 77 (CLIP's text context). */
  contextLength?: number;
  /** Cut over-long text and put EOT last; default false: over-long text is an error, as in OpenAI's clip.tokenize. */
  truncate?: boolean;
}

/** Token ids of a batch, row-major `[batch, contextLength]`, zero-padded; mask is 1 on SOT..EOT, 0 on padding. */
export interface TokenizedBatch {
  ids: Int32Array;
  mask: Uint8Array;
  batch: number;
  contextLength: number;
}

/** CLIP's pre-tokenizer (simple_tokenizer.py), with Python's `\s` instead of JavaScript's. */
const PRE_TOKEN = new RegExp(`<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${PY_WHITESPACE}\\p{L}\\p{N}]+`, 'giu');

/**
 * OpenAI CLIP's BPE tokenizer, id for id: ftfy-style cleaning, HTML unescape, whitespace collapse, lower case,
 * CLIP's pre-tokenizer, byte-to-unicode map, BPE with `</w>` word ends.
 */
export class ClipTokenizer {
  readonly sot: number;
  readonly eot: number;
  readonly vocabSize: number;
  private readonly encoder: Map<string, number>;
  private readonly decoder: Map<number, string>;
  private readonly bpe: BytePairEncoder;
  private readonly byteEncoder = byteEncoderTable();
  private readonly byteDecoder = new Map(this.byteEncoder.map((c, b) => [c, b]));
  private readonly utf8 = new TextEncoder();

  constructor(vocabulary: BpeVocabulary, source = 'vocabulary') {
    this.encoder = vocabulary.encoder;
    this.decoder = new Map([...this.encoder].map(([token, id]) => [id, token]));
    this.bpe = new BytePairEncoder(new Map(vocabulary.merges.map(([a, b], rank) => [`${a} ${b}`, rank])));
    const sot = this.encoder.get(SOT_TOKEN);
    const eot = this.encoder.get(EOT_TOKEN);
    if (sot === undefined || eot === undefined) throw new Error(`${source}: the vocabulary lacks ${SOT_TOKEN} or ${EOT_TOKEN}`);
    this.sot = sot;
    this.eot = eot;
    this.vocabSize = this.encoder.size;
  }

  /**
   * From a path: OpenAI's `bpe_simple_vocab_16e6.txt.gz`, a Hugging Face `vocab.json` (+ `merges.txt` beside it)
   * or `tokenizer.json`, or a model folder holding any of them.
   */
  static async load(pathOrDir: string): Promise<ClipTokenizer> {
    return new ClipTokenizer(loadVocabulary(pathOrDir), pathOrDir);
  }

  /** From the decompressed text of OpenAI's merges file. */
  static fromBpeMerges(text: string): ClipTokenizer {
    return new ClipTokenizer(vocabularyFromOpenAiMerges(text, 'BPE merges'), 'BPE merges');
  }

  /** BPE ids of `text`, without SOT/EOT. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const [preToken] of cleanText(text).matchAll(PRE_TOKEN)) {
      if (preToken === SOT_TOKEN || preToken === EOT_TOKEN) {
        ids.push(preToken === SOT_TOKEN ? this.sot : this.eot);
        continue;
      }
      let mapped = '';
      for (const byte of this.utf8.encode(preToken)) mapped += this.byteEncoder[byte];
      for (const symbol of this.bpe.encode(mapped)) {
        const id = this.encoder.get(symbol);
        if (id === undefined) throw new Error(`BPE symbol ${JSON.stringify(symbol)} is not in the vocabulary`);
        ids.push(id);
      }
    }
    return ids;
  }

  /** Text of `ids`, up to the first EOT (so padded rows decode cleanly); word ends become spaces, as in OpenAI's decode. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (const id of Array.from(ids)) {
      if (id === this.eot) break;
      if (id === this.sot) continue;
      const token = this.decoder.get(id);
      if (token === undefined) throw new Error(`token id ${id} is not in the vocabulary`);
      for (const c of token.replace(/<\/w>/g, ' ')) bytes.push(c === ' ' ? 0x20 : (this.byteDecoder.get(c) ?? 0x3f));
    }
    return new TextDecoder().decode(Uint8Array.from(bytes)).trim();
  }

  /** `[SOT] + bpe + [EOT]`, zero-padded to `contextLength`, for one text or a batch. */
  tokenize(texts: string | string[], options: TokenizeOptions = {}): TokenizedBatch {
    const list = typeof texts === 'string' ? [texts] : texts;
    const contextLength = options.contextLength ?? 77;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new Error(`contextLength must be an integer >= 2, got ${contextLength}`);
    }
    const ids = new Int32Array(list.length * contextLength);
    const mask = new Uint8Array(list.length * contextLength);
    list.forEach((text, row) => {
      let tokens = [this.sot, ...this.encode(text), this.eot];
      if (tokens.length > contextLength) {
        if (!options.truncate) {
          const preview = text.length > 40 ? `${text.slice(0, 40)}...` : text;
          throw new Error(
            `text ${row} is ${tokens.length} tokens with SOT/EOT, over the context length ${contextLength} ` +
              `(pass truncate to cut it): ${JSON.stringify(preview)}`,
          );
        }
        tokens = tokens.slice(0, contextLength);
        tokens[contextLength - 1] = this.eot;
      }
      ids.set(tokens, row * contextLength);
      mask.fill(1, row * contextLength, row * contextLength + tokens.length);
    });
    return { ids, mask, batch: list.length, contextLength };
  }
}
