/**
 * `clip-vg predict`: ground a referring expression in an image with a CLIP-VG checkpoint (official `.pth` or
 * a project folder). One image (`--image --text`, optional `--viz`) or a JSON-lines batch (`--input --output`).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import { Grounder, parseEngineName } from '@clip-vg/grounder';
import { drawDetections, encodeForFile, IMAGE_EXTENSIONS, loadImage, type RgbImage } from '@clip-vg/image';
import { writeFileAtomic } from '../util/atomic-write';
import { CliError, cliStep, oneLine } from '../util/errors';
import { checkOutputFile } from '../util/outputs';
import { progressBar } from '../util/progress';

interface PredictCliOptions {
  checkpoint: string;
  vocab?: string;
  image?: string;
  text?: string;
  viz?: string;
  json?: boolean;
  input?: string;
  output?: string;
  batchSize: string;
  backend?: string;
  engine?: string;
  clip?: string;
  exifRotate?: boolean;
  truncate?: boolean;
}

/** One query: where it came from (for error messages), the image path and the expression. */
interface Query {
  where: string;
  image: string;
  imagePath: string;
  text: string;
}

interface Prediction {
  image: string;
  text: string;
  /** Original-image pixels (x1, y1, x2, y2). */
  box: [number, number, number, number];
  /** The network output: (cx, cy, w, h) normalised to the letterboxed (padded, square) input. */
  boxNormalized: [number, number, number, number];
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict the box of a referring expression: one image (--image --text) or a JSON-lines batch (--input --output)')
    .requiredOption('--checkpoint <path>', 'required: an official CLIP-VG .pth, a checkpoint convert folder, or a train / curriculum output folder')
    .option('--vocab <file>', "CLIP's bpe_simple_vocab_16e6.txt.gz (or vocab.json / a model folder); default: the one the checkpoint records")
    .option('--image <file>', 'the image')
    .option('--text <expression>', 'the referring expression')
    .option('--viz <file>', 'also write the image with the box and the expression drawn on it (.png, .jpg or .webp, by extension)')
    .option(
      '--json',
      'print {"image", "text", "box", "boxNormalized"}: box in original pixels, boxNormalized the network output (cx, cy, w, h) normalised to the letterboxed square',
    )
    .option('--input <file.jsonl>', 'batch mode: lines {"image": path (relative to the file), "text": str}')
    .option('--output <file.jsonl>', 'batch mode: lines {"image", "text", "box": [x1, y1, x2, y2]} (written atomically)')
    .option('--batch-size <n>', 'images per forward pass in batch mode', '8')
    .option(
      '--clip <path|name>',
      'CLIP weights, for a checkpoint saved without them and without a recorded source (a .pth, a Hugging Face folder or name, or a CLIP-VG checkpoint holding CLIP)',
    )
    .option('--truncate', "cut expressions longer than the model's text length instead of failing (as the official code does)")
    .option('--exif-rotate', 'rotate photos by their EXIF orientation first (the official code ignores it; boxes are then in the rotated frame)')
    .option('--backend <name>', 'tensorflow, wasm or cpu (default: CLIP_VG_BACKEND or the best installed)')
    .option('--engine <name>', 'tfjs or onnx (ONNX Runtime, every core)', 'tfjs')
    .action((options: PredictCliOptions) => predictCommand(options));
}

async function predictCommand(options: PredictCliOptions): Promise<void> {
  const single = options.image !== undefined || options.text !== undefined;
  const batch = options.input !== undefined || options.output !== undefined;
  if (single === batch) throw new CliError('predict: pass either --image and --text, or --input and --output');
  if (batch && (options.viz || options.json)) throw new CliError('predict: --viz and --json apply to --image mode');
  const queries = single ? [singleQuery(options)] : readQueries(options.input, options.output);
  const batchSize = Number(options.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`predict: --batch-size must be a positive integer, got ${options.batchSize}`);
  if (options.output) checkOutputFile(options.output);
  if (options.viz) checkOutputFile(options.viz, Object.keys(IMAGE_EXTENSIONS));
  const engine = await cliStep(async () => parseEngineName(options.engine)).catch((error: Error) => {
    throw new CliError(`--${error.message}`);
  });

  await cliStep(() => initBackend(options.backend));
  const grounder = await Grounder.fromPretrained(options.checkpoint, {
    engine,
    vocab: options.vocab,
    clip: options.clip,
    truncate: options.truncate ?? false,
  }).catch((error: unknown) => {
    const message = oneLine(error);
    throw new CliError(message.includes(options.checkpoint) || /^\S+: /.test(message) ? message : `${options.checkpoint}: ${message}`);
  });
  try {
    const predictions: Prediction[] = [];
    const progress = batch ? progressBar('predict', queries.length) : undefined;
    for (let start = 0; start < queries.length; start += batchSize) {
      const chunk = queries.slice(start, start + batchSize);
      const images = await Promise.all(chunk.map((q) => readImage(q, options.exifRotate ?? false)));
      let results;
      try {
        results = await grounder.groundDecoded(
          images,
          chunk.map((q) => q.text),
        );
      } catch (error) {
        // the tokenizer names the row of the chunk ("text 2 is 80 tokens ..."): name its line instead
        const message = oneLine(error).replace('(pass truncate to cut it)', '(pass --truncate to cut it)');
        const row = /^text (\d+) /.exec(message);
        const query = chunk[row ? Number(row[1]) : 0] ?? chunk[0];
        throw new CliError(`${query.where}: ${row ? message.replace(/^text \d+ /, 'the text ') : message}`);
      }
      predictions.push(...results.map((r, i) => ({ image: chunk[i].image, text: chunk[i].text, box: r.box, boxNormalized: r.boxNormalized })));
      progress?.tick(chunk.length);
      if (single && options.viz) await writeViz(options.viz, images[0], predictions[0]);
    }
    progress?.stop();
    if (batch) {
      writeFileAtomic(options.output!, predictions.map((p) => `${JSON.stringify({ image: p.image, text: p.text, box: p.box })}\n`).join(''));
      process.stderr.write(`clip-vg: wrote ${predictions.length} ${predictions.length === 1 ? 'prediction' : 'predictions'} to ${options.output}\n`);
    } else if (options.json) {
      process.stdout.write(`${JSON.stringify(predictions[0])}\n`);
    } else {
      process.stdout.write(`[${predictions[0].box.map((v) => v.toFixed(2)).join(', ')}]\n`);
    }
  } finally {
    await grounder.dispose();
  }
}

function singleQuery(options: PredictCliOptions): Query {
  if (!options.image || options.text === undefined) throw new CliError('predict: --image and --text go together');
  if (options.input || options.output) throw new CliError('predict: pass either --image and --text, or --input and --output');
  if (options.text.trim() === '') throw new CliError('predict: --text is empty');
  return { where: options.image, image: options.image, imagePath: options.image, text: options.text };
}

function readQueries(input: string | undefined, output: string | undefined): Query[] {
  if (!input || !output) throw new CliError('predict: --input and --output go together');
  if (!existsSync(input)) throw new CliError(`${input}: no such file`);
  const base = path.dirname(input);
  const queries: Query[] = [];
  readFileSync(input, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '') return;
      const where = `${input}:${index + 1}`;
      let row: { image?: unknown; text?: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        throw new CliError(`${where}: not a JSON object`);
      }
      if (typeof row.image !== 'string' || row.image === '') throw new CliError(`${where}: "image" must be a path`);
      if (typeof row.text !== 'string' || row.text.trim() === '') throw new CliError(`${where}: "text" is empty`);
      queries.push({ where, image: row.image, imagePath: path.resolve(base, row.image), text: row.text });
    });
  if (queries.length === 0) throw new CliError(`${input}: no queries`);
  return queries;
}

async function readImage(query: Query, autoOrient: boolean): Promise<RgbImage> {
  try {
    return await loadImage(query.imagePath, { autoOrient });
  } catch (error) {
    const message = oneLine(error);
    throw new CliError(query.where === query.image ? message : `${query.where}: ${message}`);
  }
}

async function writeViz(file: string, image: RgbImage, prediction: Prediction): Promise<void> {
  const png = await drawDetections(image, [{ box: prediction.box, label: prediction.text }], { caption: prediction.text });
  writeFileAtomic(file, await encodeForFile(png, file));
}
