/**
 * `clip-vg eval --checkpoint M --dataset D --split S`: Acc@0.5 and mean IoU with the deterministic eval
 * transform, as the official `eval.py` (prediction clamped to the image square, IoU ≥ 0.5 counts).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import { createPredictor, parseEngine } from '@clip-vg/onnx-engine';
import { evaluateModel, loadGroundingSplit, loadTokenizerFor, loadTrainedModel, type EvaluationResult, type LoadedSplit } from '@clip-vg/training';
import { CliError, cliStep } from '../util/errors';
import { progressBar } from '../util/progress';

export interface EvalFlags {
  checkpoint: string;
  dataset: string;
  split: string;
  splitRoot: string;
  dataRoot: string;
  source?: string;
  prompt?: string;
  batchSize: string;
  clip?: string;
  vocab?: string;
  workers?: string;
  backend?: string;
  engine?: string;
  json?: boolean;
}

/** Options shared by eval and reliability. */
export function modelDataOptions(command: Command): Command {
  return command
    .requiredOption('--checkpoint <path>', 'a folder written by clip-vg train (checkpoint/ or best_checkpoint/), a project folder or an official .pth')
    .requiredOption('--dataset <name>', 'unc, unc+, gref, gref_umd, referit, flickr or synthetic')
    .requiredOption('--split-root <dir>', 'folder holding {dataset}/{dataset}_{split}.pth')
    .requiredOption('--data-root <dir>', 'image root (synthetic: the world folder)')
    .option('--prompt <template>', 'text template, as used in training')
    .option('--batch-size <n>', 'batch size', '128')
    .option('--clip <path|name>', 'CLIP weights, for a checkpoint saved without them and without a recorded source')
    .option('--vocab <file>', 'tokenizer vocabulary (default: the one recorded with the checkpoint)')
    .option('--workers <n>', 'image decoding threads')
    .option('--backend <name>', 'tensorflow, wasm or cpu')
    .option('--engine <name>', 'tfjs (default) or onnx (ONNX Runtime, both cores)', 'tfjs')
    .option('--json', 'print the result as JSON');
}

export function registerEval(program: Command): void {
  modelDataOptions(program.command('eval').description('Acc@0.5 and mean IoU of a trained model on a split'))
    .requiredOption('--split <split>', 'val, testA, testB, test, ...')
    .option('--source <name>', 'evaluate one pseudo-label source of train_separate/ (split train_pseudo)')
    .action(async (flags: EvalFlags) => {
      const { result } = await evaluateSplit(flags, `eval ${flags.dataset} ${flags.split}`);
      const out = { dataset: flags.dataset, split: flags.split, samples: result.total, correct: result.correct, accuracy: result.accuracy, meanIoU: result.meanIoU };
      if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else {
        process.stdout.write(
          `${flags.dataset} ${flags.split}: Acc@0.5 ${(result.accuracy * 100).toFixed(2)}% (${result.correct}/${result.total}), mean IoU ${result.meanIoU.toFixed(4)}\n`,
        );
      }
    });
}

/**
 * Shared by eval and reliability: load the model and the split, predict every record with the deterministic eval
 * transform on the chosen engine (progress bar on stderr), free the model.
 */
export async function evaluateSplit(flags: EvalFlags, label: string): Promise<{ result: EvaluationResult; split: LoadedSplit }> {
  await initBackend(flags.backend);
  const engine = await cliStep(async () => parseEngine(flags.engine));
  const { model, tokenizer, split } = await loadModelAndSplit(flags, flags.split);
  const predictor = await cliStep(() => createPredictor(model, engine));
  try {
    const bar = progressBar(label, split.records.length);
    let last = 0;
    const result = await cliStep(() =>
      evaluateModel(model, split.records, {
        imageRoot: split.imageRoot,
        tokenizer,
        batchSize: positive(flags.batchSize, '--batch-size'),
        workers: flags.workers === undefined ? undefined : positive(flags.workers, '--workers', 0),
        predictor,
        onBatch: (done) => {
          bar.tick(done - last);
          last = done;
        },
      }),
    );
    bar.stop();
    return { result, split };
  } finally {
    await predictor.dispose();
    model.dispose();
  }
}

export async function loadModelAndSplit(flags: EvalFlags, splitName: string) {
  const split = await cliStep(async () =>
    loadGroundingSplit({ dataset: flags.dataset, split: splitName, splitRoot: flags.splitRoot, dataRoot: flags.dataRoot, source: flags.source, prompt: flags.prompt }),
  );
  const { model, source } = await cliStep(() => loadTrainedModel(path.resolve(flags.checkpoint), { clip: flags.clip }));
  try {
    const tokenizer = await cliStep(() => loadTokenizerFor(flags.vocab, source));
    return { model, tokenizer, split };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

export function positive(raw: string, flag: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

