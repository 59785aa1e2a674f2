/**
 * `clip-vg tokenize --vocab FILE --input FILE.jsonl [--output FILE]`: CLIP BPE ids of each `{"text"}` line,
 * written as `{"text", "ids"}` lines in the same order (BPE ids only: no SOT/EOT, no padding).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ClipTokenizer, findCachedModel } from '@clip-vg/clip-encoders';
import { writeFileAtomic } from '../util/atomic-write';
import { CliError, oneLine } from '../util/errors';

interface TokenizeCliOptions {
  vocab?: string;
  model?: string;
  input: string;
  output?: string;
}

export function registerTokenize(program: Command): void {
  program
    .command('tokenize')
    .description('CLIP BPE token ids of JSON lines {"text"}, as lines {"text", "ids"} (no SOT/EOT, no padding)')
    .option('--vocab <file>', 'bpe_simple_vocab_16e6.txt.gz, vocab.json (+ merges.txt beside it) or tokenizer.json')
    .option('--model <name-or-dir>', 'take the vocabulary from a model folder or a pulled hub model instead')
    .requiredOption('--input <file>', 'required: JSON lines, each {"text": "..."}')
    .option('--output <file>', 'write here (atomically) instead of stdout')
    .action((options: TokenizeCliOptions) => tokenizeCommand(options));
}

async function tokenizeCommand(options: TokenizeCliOptions): Promise<void> {
  const tokenizer = await loadTokenizer(vocabularySource(options));
  const texts = readTexts(options.input);
  const lines = texts.map(({ text, line }) => {
    try {
      return JSON.stringify({ text, ids: tokenizer.encode(text) });
    } catch (error) {
      throw new CliError(`${options.input}:${line}: ${oneLine(error)}`);
    }
  });
  const output = lines.map((l) => l + '\n').join('');
  if (options.output) writeFileAtomic(options.output, output);
  else process.stdout.write(output);
}

function vocabularySource(options: TokenizeCliOptions): string {
  if (options.vocab && options.model) throw new CliError('tokenize: pass --vocab or --model, not both');
  if (options.vocab) return options.vocab;
  if (!options.model) throw new CliError('tokenize: pass --vocab FILE (or --model NAME|DIR)');
  if (existsSync(options.model)) return options.model;
  const cached = findCachedModel(options.model);
  if (!cached) throw new CliError(`${options.model}: no such folder, and not in the model cache (run \`clip-vg models pull ${options.model}\`)`);
  return cached;
}

async function loadTokenizer(source: string): Promise<ClipTokenizer> {
  try {
    return await ClipTokenizer.load(source);
  } catch (error) {
    throw new CliError(oneLine(error));
  }
}

function readTexts(file: string): Array<{ text: string; line: number }> {
  if (!existsSync(file)) throw new CliError(`${file}: no such input file`);
  const texts: Array<{ text: string; line: number }> = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new CliError(`${file}:${i + 1}: not a JSON line`);
      }
      const text = (value as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw new CliError(`${file}:${i + 1}: expected {"text": "..."}`);
      texts.push({ text, line: i + 1 });
    });
  return texts;
}
