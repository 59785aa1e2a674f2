/**
 * `clip-vg predict`: ground a referring expression in an image with a CLIP-VG checkpoint (official `.pth` or
 * a project folder). One image (`--image --text`, optional `--viz`) or a JSON-lines batch (`--input --output`).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { ClipTokenizer } from '@clip-vg/clip-encoders';
import { ClipVG, isProjectFolder, readProjectConfig, type ClipVGConfig } from '@clip-vg/fusion-transformer';
import { drawDetections, letterbox, letterboxToOriginal, loadImage, type Letterboxed, type RgbImage } from '@clip-vg/image';
import { createPredictor, OnnxClipVG, parseEngine, type BoxPredictor, type EngineName } from '@clip-vg/onnx-engine';
import { writeFileAtomic } from '../util/atomic-write';
import { CliError, cliStep, oneLine } from '../util/errors';
import { progressBar } from '../util/progress';

interface PredictCliOptions {
  checkpoint: string;
  vocab: string;
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
  /** The network output: normalised (cx, cy, w, h) in the padded square. */
  boxNormalized: [number, number, number, number];
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict the box of a referring expression: one image (--image --text) or a JSON-lines batch (--input --output)')
    .requiredOption('--checkpoint <file-or-dir>', 'official CLIP-VG .pth or a project folder (clip-vg checkpoint convert)')
    .requiredOption('--vocab <file>', "CLIP's bpe_simple_vocab_16e6.txt.gz (or vocab.json / tokenizer.json)")
    .option('--image <file>', 'the image')
    .option('--text <expression>', 'the referring expression')
    .option('--viz <out.png>', 'also write the image with the box and the expression drawn on it')
    .option('--json', 'print {"image", "text", "box", "boxNormalized"} instead of the box alone')
    .option('--input <file.jsonl>', 'batch mode: lines {"image": path (relative to the file), "text": str}')
    .option('--output <file.jsonl>', 'batch mode: lines {"image", "text", "box": [x1, y1, x2, y2]} (written atomically)')
    .option('--batch-size <n>', 'images per forward pass in batch mode', '8')
    .option('--clip <weights>', 'CLIP weights for a project folder saved without them')
    .option('--exif-rotate', 'rotate photos by their EXIF orientation first (the official code ignores it; boxes are then in the rotated frame)')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: CLIP_VG_BACKEND or the best installed)')
    .option('--engine <name>', 'tfjs (default) or onnx (ONNX Runtime, both cores)', 'tfjs')
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

  try {
    await initBackend(options.backend);
  } catch (error) {
    throw new CliError(oneLine(error));
  }
  const engine = await cliStep(async () => parseEngine(options.engine));
  const tokenizer = await loadTokenizer(options.vocab);
  const { config, predictor } = await loadPredictor(options.checkpoint, options.clip, engine);
  try {
    const predictions: Prediction[] = [];
    const progress = batch ? progressBar('predict', queries.length) : undefined;
    for (let start = 0; start < queries.length; start += batchSize) {
      const chunk = queries.slice(start, start + batchSize);
      const images = await Promise.all(chunk.map((q) => readImage(q, options.exifRotate ?? false)));
      predictions.push(...(await predictBatch(config, predictor, tokenizer, chunk, images.map((img) => letterbox(img, config.imsize)))));
      progress?.tick(chunk.length);
      if (single && options.viz) await writeViz(options.viz, images[0]!, predictions[0]!);
    }
    progress?.stop();
    if (batch) {
      writeFileAtomic(options.output!, predictions.map((p) => `${JSON.stringify({ image: p.image, text: p.text, box: p.box })}\n`).join(''));
      process.stderr.write(`clip-vg: wrote ${predictions.length} predictions to ${options.output}\n`);
    } else if (options.json) {
      process.stdout.write(`${JSON.stringify(predictions[0])}\n`);
    } else {
      process.stdout.write(`[${predictions[0]!.box.map((v) => v.toFixed(2)).join(', ')}]\n`);
    }
  } finally {
    await predictor.dispose();
  }
}

/** Tokenise, stack the letterboxed images and run the model once for the chunk. */
async function predictBatch(
  config: ClipVGConfig,
  predictor: BoxPredictor,
  tokenizer: ClipTokenizer,
  queries: Query[],
  boxes: Letterboxed[],
): Promise<Prediction[]> {
  const { imsize, maxQueryLen } = config;
  let tokens;
  try {
    tokens = tokenizer.tokenize(queries.map((q) => q.text), { contextLength: maxQueryLen });
  } catch (error) {
    throw new CliError(`${queries[0]!.where}: ${oneLine(error)}`);
  }
  const pixels = new Float32Array(queries.length * imsize * imsize * 3);
  const masks = new Int32Array(queries.length * imsize * imsize);
  boxes.forEach((lb, i) => {
    pixels.set(lb.pixels, i * imsize * imsize * 3);
    masks.set(lb.mask, i * imsize * imsize);
  });
  const images = tf.tensor4d(pixels, [queries.length, imsize, imsize, 3]);
  const mask = tf.tensor3d(masks, [queries.length, imsize, imsize], 'int32');
  const ids = tf.tensor2d(tokens.ids, [queries.length, maxQueryLen], 'int32');
  let values: Float32Array;
  try {
    const output = await predictor.predict(images, mask, ids);
    values = output.dataSync() as Float32Array;
    output.dispose();
  } finally {
    tf.dispose([images, mask, ids]);
  }
  return queries.map((q, i) => {
    const boxNormalized = Array.from(values.slice(i * 4, i * 4 + 4)) as Prediction['boxNormalized'];
    return { image: q.image, text: q.text, box: letterboxToOriginal(boxNormalized, boxes[i]!), boxNormalized };
  });
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
  readFileSync(input, 'utf8').split('\n').forEach((raw, index) => {
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

async function loadTokenizer(vocab: string): Promise<ClipTokenizer> {
  if (!existsSync(vocab)) throw new CliError(`${vocab}: no such file`);
  try {
    return await ClipTokenizer.load(vocab);
  } catch (error) {
    throw new CliError(oneLine(error));
  }
}

/**
 * The checkpoint as a predictor. On onnx, a checkpoint that holds CLIP goes straight into the ONNX graph, with no
 * TensorFlow.js copy of the weights (whose wasm memory is never returned): ViT-B/16 peaks ~0.5 GB lower.
 */
async function loadPredictor(checkpoint: string, clip: string | undefined, engine: EngineName): Promise<{ config: ClipVGConfig; predictor: BoxPredictor }> {
  if (!existsSync(checkpoint)) throw new CliError(`${checkpoint}: no such file or folder`);
  const fail = (error: unknown): never => {
    const message = oneLine(error);
    throw new CliError(message.includes(checkpoint) ? message : `${checkpoint}: ${message}`);
  };
  if (engine === 'onnx' && !clip && holdsClip(checkpoint, fail)) {
    const onnx = await OnnxClipVG.fromPretrained(checkpoint).catch(fail);
    return { config: onnx.config, predictor: { engine, predict: (images, mask, ids) => onnx.predict(images, mask, ids), dispose: () => onnx.dispose() } };
  }
  const model = await ClipVG.fromPretrained(checkpoint, clip ? { clip } : {}).catch(fail);
  const predictor = await cliStep(() => createPredictor(model, engine)).catch(async (error: unknown) => {
    model.dispose();
    throw error;
  });
  return { config: model.config, predictor: { ...predictor, dispose: async () => { await predictor.dispose(); model.dispose(); } } };
}

/** False for a project folder saved without CLIP: its CLIP comes from --clip or the hub, through the TensorFlow.js loader. */
function holdsClip(checkpoint: string, fail: (error: unknown) => never): boolean {
  try {
    return !isProjectFolder(checkpoint) || readProjectConfig(checkpoint).includesClip;
  } catch (error) {
    return fail(error);
  }
}

async function writeViz(file: string, image: RgbImage, prediction: Prediction): Promise<void> {
  const png = await drawDetections(image, [{ box: prediction.box, label: prediction.text }], { caption: prediction.text });
  writeFileAtomic(file, png);
}
