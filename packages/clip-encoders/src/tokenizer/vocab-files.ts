import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bytesToUnicode } from './byte-encoder';

/** A BPE vocabulary: token string -> id, and the merges in rank order. */
export interface BpeVocabulary {
  encoder: Map<string, number>;
  merges: Array<[string, string]>;
}

/** OpenAI keeps the first 49152 - 256 - 2 merges of its file (vocabulary 49,408 with the two specials). */
export const CLIP_MERGE_COUNT = 49152 - 256 - 2;
export const SOT_TOKEN = '<|startoftext|>';
export const EOT_TOKEN = '<|endoftext|>';

/**
 * Parse merges text, one `first second` pair a line. The first line is a header in both OpenAI's file
 * (`"bpe_simple_vocab_16e6.txt#version: 0.2`) and Hugging Face's merges.txt (`#version: 0.2`), and is skipped.
 */
export function parseMerges(text: string, source: string, limit = Infinity): Array<[string, string]> {
  const lines = text.split('\n');
  const merges: Array<[string, string]> = [];
  for (let i = 1; i < lines.length && merges.length < limit; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const parts = line.split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new Error(`${source}: line ${i + 1} is not a BPE merge "first second": ${JSON.stringify(line.slice(0, 60))}`);
    }
    merges.push([parts[0], parts[1]]);
  }
  if (merges.length === 0) throw new Error(`${source}: no BPE merges found`);
  return merges;
}

/** OpenAI's layout: the vocabulary is implied by the merges (bytes, bytes + `</w>`, each merge, then the specials). */
export function vocabularyFromOpenAiMerges(text: string, source: string): BpeVocabulary {
  const merges = parseMerges(text, source, CLIP_MERGE_COUNT);
  const { chars } = bytesToUnicode();
  const tokens = [...chars, ...chars.map((c) => c + '</w>'), ...merges.map(([a, b]) => a + b), SOT_TOKEN, EOT_TOKEN];
  return { encoder: new Map(tokens.map((t, id) => [t, id])), merges };
}

function readText(file: string): string {
  if (!existsSync(file)) throw new Error(`${file}: no such vocabulary file`);
  if (statSync(file).isDirectory()) throw new Error(`${file}: is a folder without vocab.json+merges.txt, tokenizer.json or a .txt.gz merges file`);
  const raw = readFileSync(file);
  if (!file.endsWith('.gz')) return raw.toString('utf8');
  try {
    return gunzipSync(raw).toString('utf8');
  } catch (error) {
    throw new Error(`${file}: not a readable gzip file (${(error as Error).message})`);
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
}

function encoderFromJson(value: unknown, source: string): Map<string, number> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: expected a {token: id} object`);
  const encoder = new Map<string, number>();
  for (const [token, id] of Object.entries(value)) {
    if (!Number.isInteger(id)) throw new Error(`${source}: the id of ${JSON.stringify(token)} is not an integer`);
    encoder.set(token, id as number);
  }
  return encoder;
}

/** Hugging Face `vocab.json` + `merges.txt` (CLIPTokenizer's slow files). */
export function loadVocabJsonAndMerges(vocabFile: string, mergesFile: string): BpeVocabulary {
  const encoder = encoderFromJson(readJson(vocabFile), vocabFile);
  return { encoder, merges: parseMerges(readText(mergesFile), mergesFile, CLIP_MERGE_COUNT) };
}

/** Hugging Face `tokenizer.json` (fast tokenizer): `model.vocab` and `model.merges` ("a b" strings or pairs). */
export function loadTokenizerJson(file: string): BpeVocabulary {
  const json = readJson(file) as { model?: { type?: string; vocab?: unknown; merges?: unknown } };
  const model = json.model;
  if (!model || !Array.isArray(model.merges)) throw new Error(`${file}: no model.merges (not a BPE tokenizer.json)`);
  const encoder = encoderFromJson(model.vocab, `${file} model.vocab`);
  const merges = model.merges.map((m: unknown, i: number): [string, string] => {
    const parts = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string' || typeof parts[1] !== 'string') {
      throw new Error(`${file}: model.merges[${i}] is not a pair`);
    }
    return [parts[0], parts[1]];
  });
  return { encoder, merges };
}

/**
 * Load a vocabulary from a path: OpenAI's `.txt.gz` (or plain `.txt`) merges file, Hugging Face `vocab.json`
 * (with `merges.txt` beside it), `merges.txt` (with `vocab.json` beside it), `tokenizer.json`, or a folder
 * holding one of these (a model folder).
 */
export function loadVocabulary(pathOrDir: string): BpeVocabulary {
  const target = path.resolve(pathOrDir);
  if (existsSync(target) && statSync(target).isDirectory()) return loadVocabularyFromFolder(target);
  const base = path.basename(target);
  const dir = path.dirname(target);
  if (base.endsWith('.json') && base !== 'vocab.json') return loadTokenizerJson(target);
  if (base === 'vocab.json') return loadVocabJsonAndMerges(target, siblingOrThrow(target, 'merges.txt'));
  if (base === 'merges.txt' && existsSync(path.join(dir, 'vocab.json'))) {
    return loadVocabJsonAndMerges(path.join(dir, 'vocab.json'), target);
  }
  return vocabularyFromOpenAiMerges(readText(target), target);
}

function siblingOrThrow(file: string, name: string): string {
  const sibling = path.join(path.dirname(file), name);
  if (!existsSync(sibling)) throw new Error(`${file}: needs ${name} in the same folder`);
  return sibling;
}

function loadVocabularyFromFolder(dir: string): BpeVocabulary {
  const has = (name: string): boolean => existsSync(path.join(dir, name));
  if (has('vocab.json') && has('merges.txt')) {
    return loadVocabJsonAndMerges(path.join(dir, 'vocab.json'), path.join(dir, 'merges.txt'));
  }
  if (has('tokenizer.json')) return loadTokenizerJson(path.join(dir, 'tokenizer.json'));
  const gz = readdirSync(dir)
    .filter((f) => f.endsWith('.txt.gz'))
    .sort();
  if (gz.length > 0) return vocabularyFromOpenAiMerges(readText(path.join(dir, gz[0])), path.join(dir, gz[0]));
  throw new Error(`${dir}: no CLIP vocabulary here (expected vocab.json+merges.txt, tokenizer.json or bpe_simple_vocab_16e6.txt.gz)`);
}
