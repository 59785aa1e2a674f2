/**
 * `clip-vg train`: the official recipe (`train_clip_vg.py`) as defaults, also from a JSON/YAML `--config` file
 * (flags win). Writes `checkpoint/` (resumable) and `best_checkpoint/` atomically each epoch and `log.jsonl`;
 * `--resume` continues from the last complete epoch with the same result as an uninterrupted run.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { initBackend } from '@clip-vg/backend';
import {
  createModelFromSource,
  FeatureCache,
  loadGroundingSplit,
  loadTokenizerFor,
  resolveModelSource,
  SCHEDULE_NAMES,
  sourceMeta,
  trainModel,
  type ScheduleName,
} from '@clip-vg/training';
import { CliError, cliStep, cliStepSync, oneLine } from '../util/errors';
import { checkOutputDir } from '../util/outputs';
import { progressBar, type Progress } from '../util/progress';

type Parse = (raw: string, flag: string) => unknown;

const int =
  (min: number): Parse =>
  (raw, flag) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be an integer ≥ ${min}, got ${raw}`);
    return n;
  };
const num: Parse = (raw, flag) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliError(`${flag} must be a non-negative number, got ${raw}`);
  return n;
};
const scheduler: Parse = (raw, flag) => {
  if (!SCHEDULE_NAMES.includes(raw as ScheduleName)) throw new CliError(`${flag} must be one of ${SCHEDULE_NAMES.join(', ')}, got ${raw}`);
  return raw;
};
const bool: Parse = (raw, flag) => {
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new CliError(`${flag} must be true or false, got ${raw}`);
};
const str: Parse = (raw) => raw;

interface Spec {
  flags: string;
  description: string;
  parse: Parse;
  default?: unknown;
}

/** Every train option; the attribute name (camelCase) is also the config-file key (kebab-case works too). */
const OPTIONS: Record<string, Spec> = {
  dataset: { flags: '--dataset <name>', description: 'required: unc, unc+, gref, gref_umd, referit, flickr or synthetic', parse: str },
  splitRoot: { flags: '--split-root <dir>', description: 'required: folder holding {dataset}/{dataset}_{split}.pth', parse: str },
  dataRoot: { flags: '--data-root <dir>', description: 'required: image root (synthetic: the world folder)', parse: str },
  trainSplit: { flags: '--train-split <split>', description: 'training split (train_pseudo for pseudo-labels)', parse: str, default: 'train' },
  source: { flags: '--source <name>', description: 'train on one pseudo-label source of train_separate/', parse: str },
  valSplit: { flags: '--val-split <split>', description: 'annotated split for model selection', parse: str, default: 'val' },
  imsize: { flags: '--imsize <px>', description: 'input size (must match the model)', parse: int(8), default: 224 },
  maxQueryLen: { flags: '--max-query-len <n>', description: 'text tokens (must match the model)', parse: int(2), default: 77 },
  epochs: { flags: '--epochs <n>', description: 'epochs', parse: int(1), default: 110 },
  batchSize: { flags: '--batch-size <n>', description: 'batch size', parse: int(1), default: 64 },
  evalBatchSize: { flags: '--eval-batch-size <n>', description: 'validation batch size', parse: int(1), default: 128 },
  lr: { flags: '--lr <lr>', description: 'base learning rate', parse: num, default: 2.5e-4 },
  weightDecay: { flags: '--weight-decay <wd>', description: 'AdamW weight decay', parse: num, default: 1e-4 },
  lrScheduler: { flags: '--lr-scheduler <name>', description: SCHEDULE_NAMES.join('|'), parse: scheduler, default: 'cosine' },
  lrDrop: { flags: '--lr-drop <epochs>', description: 'step schedule: epochs per 10x drop', parse: int(1), default: 60 },
  augCrop: { flags: '--aug-crop [bool]', description: 'RandomSelect crop branch', parse: bool, default: true },
  augScale: { flags: '--aug-scale [bool]', description: 'multi-scale resize', parse: bool, default: true },
  augTranslate: { flags: '--aug-translate [bool]', description: 'random placement in the padded square', parse: bool, default: true },
  augBlur: { flags: '--aug-blur [bool]', description: 'Gaussian blur (p = 0.5)', parse: bool, default: false },
  prompt: { flags: '--prompt <template>', description: 'text template, e.g. "find the region that corresponds to {pseudo_query}"', parse: str },
  seed: { flags: '--seed <n>', description: 'seed of initialisation, data order, augmentation and dropout', parse: int(0), default: 13 },
  out: { flags: '-o, --out <dir>', description: 'required: the run folder (checkpoint/, best_checkpoint/, log.jsonl)', parse: str },
  resume: { flags: '--resume [bool]', description: 'continue the run in --out from its checkpoint/', parse: bool, default: false },
  overwrite: {
    flags: '--overwrite [bool]',
    description: 'replace a run already in --out (without it, and without --resume, train refuses)',
    parse: bool,
    default: false,
  },
  clip: { flags: '--clip <path|name>', description: 'pretrained CLIP weights (file, folder or pulled hub name)', parse: str },
  model: { flags: '--model <name>', description: 'CLIP model name fixing the extract layers', parse: str, default: 'ViT-B/16' },
  modelConfig: { flags: '--model-config <file>', description: 'JSON model with a random CLIP, for tiny experiments (format below)', parse: str },
  vocab: { flags: '--vocab <file>', description: 'tokenizer vocabulary (default: from the --clip folder)', parse: str },
  cacheFeatures: { flags: '--cache-features <dir>', description: 'train fusion + head on cached frozen CLIP features (no augmentation)', parse: str },
  saveClip: { flags: '--save-clip [bool]', description: 'write the frozen CLIP weights into the checkpoints too', parse: bool, default: false },
  workers: { flags: '--workers <n>', description: 'image decoding threads', parse: int(0) },
  backend: { flags: '--backend <name>', description: 'tensorflow, wasm or cpu', parse: str },
  json: { flags: '--json [bool]', description: 'print the summary as JSON', parse: bool, default: false },
};

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train CLIP-VG with the official recipe; resumable, validated every epoch')
    .option('--config <file>', 'JSON or YAML file of options (keys as the flags, camelCase or kebab-case); flags win');
  for (const [key, spec] of Object.entries(OPTIONS)) {
    command.option(
      spec.flags,
      `${spec.description}${spec.default !== undefined ? ` (default: ${String(spec.default)})` : ''}`,
      (raw: string) => spec.parse(raw, `--${kebab(key)}`) as never,
    );
  }
  // the old name of --out, still read (scripts and config files written before it was renamed)
  command.addOption(new Option('--output-dir <dir>').hideHelp());
  command.addHelpText('after', MODEL_CONFIG_HELP);
  command.action(async (flags: Record<string, unknown>) => {
    const given = new Set<string>();
    const options = mergeConfig(flags, command, given);
    await train(options, given);
  });
}

/** The `--model-config` format, in `clip-vg train --help`. */
export const MODEL_CONFIG_HELP = `
--model-config FILE is a JSON object:
  "clip"           a CLIP model name ("ViT-B/16", "ViT-B/32", "ViT-L/14", "ViT-L/14@336px") or a CLIP configuration
                   { embedDim, imageResolution, visionLayers, visionWidth, visionPatchSize, visionHeads,
                     contextLength, vocabSize, transformerWidth, transformerHeads, transformerLayers }
  "extractLayers"  0-based visual blocks whose outputs are fused (required with a CLIP configuration)
  any CLIP-VG field to override: imsize, maxQueryLen, hiddenDim, vlHeads, vlLayers, vlFfnDim, dropout
The CLIP weights are random (seeded by --seed). Example: examples/tiny-model.json in the repository.
`;

function mergeConfig(flags: Record<string, unknown>, command: Command, given: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const file = flags.config as string | undefined;
  const fromFile = file ? readConfigFile(file) : {};
  if (flags.outputDir !== undefined && command.getOptionValueSource('out') !== 'cli') {
    out.out = flags.outputDir;
    given.add('out');
  }
  for (const [key, spec] of Object.entries(OPTIONS)) {
    if (key === 'out' && given.has('out')) continue;
    if (command.getOptionValueSource(key) === 'cli') {
      // an optional boolean given bare (`--resume`) arrives as true
      out[key] = flags[key];
      given.add(key);
    } else if (key in fromFile) {
      out[key] = spec.parse(String(fromFile[key]), `${file}: ${key}`);
      given.add(key);
    } else {
      out[key] = spec.default;
    }
  }
  return out;
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new CliError(`${file}: config file not found`);
  let value: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: cannot parse: ${oneLine(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${file}: expected an object of options`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const named = camel(k.replace(/^--/, '').replace(/_/g, '-'));
    const key = named === 'outputDir' ? 'out' : named;
    if (!(key in OPTIONS)) throw new CliError(`${file}: unknown option "${k}" (known: ${Object.keys(OPTIONS).map(kebab).join(', ')})`);
    out[key] = v;
  }
  return out;
}

async function train(o: Record<string, unknown>, given: Set<string>): Promise<void> {
  for (const key of ['dataset', 'splitRoot', 'dataRoot', 'out'] as const) {
    if (o[key] === undefined) throw new CliError(`train: --${kebab(key)} is required (flag or config file)`);
  }
  const outputDir = path.resolve(o.out as string);
  checkOutputDir(outputDir);
  if (o.resume && o.overwrite) throw new CliError('train: pass --resume or --overwrite, not both');
  const previous = ['checkpoint', 'best_checkpoint', 'log.jsonl'].filter((name) => existsSync(path.join(outputDir, name)));
  if (previous.length > 0 && !o.resume && !o.overwrite) {
    throw new CliError(`${outputDir}: holds a run already (${previous.join(', ')}); pass --resume to continue it or --overwrite to replace it`);
  }
  if (o.cacheFeatures && (o.augCrop || o.augScale || o.augTranslate || o.augBlur)) {
    throw new CliError(
      'train: --cache-features needs the eval transform (augmented images differ every epoch): add --aug-crop false --aug-scale false --aug-translate false',
    );
  }
  await initBackend(o.backend as string | undefined);
  const seed = o.seed as number;
  const source = cliStepSync(() =>
    resolveModelSource({ clip: o.clip as string, model: o.model as string, modelConfig: o.modelConfig as string, vocab: o.vocab as string, seed }),
  );
  if (given.has('imsize') && source.config.imsize !== o.imsize)
    throw new CliError(`train: --imsize ${o.imsize} differs from the model's ${source.config.imsize}`);
  if (given.has('maxQueryLen') && source.config.maxQueryLen !== o.maxQueryLen) {
    throw new CliError(`train: --max-query-len ${o.maxQueryLen} differs from the model's ${source.config.maxQueryLen}`);
  }
  const tokenizer = await cliStep(() => loadTokenizerFor(undefined, source));
  const splitOptions = {
    dataset: o.dataset as string,
    splitRoot: o.splitRoot as string,
    dataRoot: o.dataRoot as string,
    prompt: o.prompt as string | undefined,
  };
  const trainSplit = cliStepSync(() => loadGroundingSplit({ ...splitOptions, split: o.trainSplit as string, source: o.source as string | undefined }));
  const valSplit = cliStepSync(() => loadGroundingSplit({ ...splitOptions, split: o.valSplit as string }));
  if (trainSplit.records.length < (o.batchSize as number)) {
    // batches are full (drop-last, as the official loader): fewer records than one batch train nothing
    throw new CliError(
      `train: --batch-size ${o.batchSize} is more than the ${trainSplit.records.length} records of ${o.dataset} ${o.trainSplit}; pass a smaller --batch-size`,
    );
  }
  // --overwrite: the old run goes only now, once the new one's inputs have all loaded
  if (o.overwrite) for (const name of previous) rmSync(path.join(outputDir, name), { recursive: true, force: true });
  const augment = o.cacheFeatures
    ? false
    : { crop: o.augCrop as boolean, scale: o.augScale as boolean, translate: o.augTranslate as boolean, blur: o.augBlur ? 0.5 : 0 };

  let bar: Progress | undefined;
  let barEpoch = -1;
  // Crash-recovery tests stop a run at a fixed point, the way a crash would: SIGKILL after this many optimizer steps.
  const killAfterSteps = Number(process.env.CLIP_VG_KILL_AFTER_STEPS) || undefined;
  let stepsTaken = 0;
  // the trainer's messages name it (trainModel: ...); the user ran `train`
  const result = await cliStep(() =>
    trainModel({
      createModel: () => createModelFromSource(source, seed),
      records: trainSplit.records,
      valRecords: valSplit.records,
      imageRoot: trainSplit.imageRoot,
      valImageRoot: valSplit.imageRoot,
      tokenizer,
      epochs: o.epochs as number,
      batchSize: o.batchSize as number,
      evalBatchSize: o.evalBatchSize as number,
      lr: o.lr as number,
      weightDecay: o.weightDecay as number,
      lrScheduler: o.lrScheduler as ScheduleName,
      lrDrop: o.lrDrop as number,
      augment,
      seed,
      featureCache: o.cacheFeatures ? new FeatureCache({ dir: o.cacheFeatures as string }) : undefined,
      outputDir,
      resume: o.resume as boolean,
      includeClip: o.saveClip as boolean,
      meta: { ...sourceMeta(source), options: o },
      workers: o.workers as number | undefined,
      onStep: (s) => {
        if (killAfterSteps !== undefined && ++stepsTaken === killAfterSteps) process.kill(process.pid, 'SIGKILL');
        if (s.epoch !== barEpoch) {
          bar?.stop();
          bar = progressBar(`epoch ${s.epoch + 1}/${o.epochs}`, s.steps, 'loss {loss} lr {lr} {ips} img/s');
          barEpoch = s.epoch;
        }
        bar!.tick(1, { loss: s.loss.toFixed(4), lr: s.lr.toExponential(2), ips: s.imagesPerSecond.toFixed(1) });
      },
      onEpoch: (r) => {
        bar?.stop();
        bar = undefined;
        barEpoch = -1;
        if (!o.json) {
          const val = r.valAccuracy === undefined ? '' : ` val Acc@0.5 ${(r.valAccuracy * 100).toFixed(2)}%${r.best ? ' (best)' : ''}`;
          process.stderr.write(
            `epoch ${r.epoch + 1}/${o.epochs}: loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} ${r.imagesPerSecond.toFixed(1)} img/s${val}\n`,
          );
        }
      },
    }).catch((error: unknown) => {
      throw new CliError(oneLine(error).replace(/^trainModel: /, 'train: '));
    }),
  );
  bar?.stop();
  result.model.dispose();
  const summary = {
    epochs: result.history.length,
    resumedAt: result.startEpoch,
    bestAccuracy: result.bestAccuracy,
    bestEpoch: result.bestEpoch,
    lastLoss: result.history.at(-1)?.loss,
    imagesPerSecond: result.history.at(-1)?.imagesPerSecond,
    checkpoint: path.join(outputDir, 'checkpoint'),
    bestCheckpoint: path.join(outputDir, 'best_checkpoint'),
  };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `trained ${summary.epochs} ${summary.epochs === 1 ? 'epoch' : 'epochs'}: best val Acc@0.5 ${(Math.max(0, summary.bestAccuracy) * 100).toFixed(2)}% (epoch ${summary.bestEpoch + 1}); ${summary.bestCheckpoint}\n`,
    );
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
