/**
 * `clip-vg eval --checkpoint M --dataset D --split S`: Acc@0.5 and mean IoU with the deterministic eval
 * transform, as the official `eval.py` (prediction clamped to the image square, IoU ≥ 0.5 counts).
 */
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import { loadModel, parseEngineName } from '@clip-vg/grounder';
import { evaluateModel, loadGroundingSplit, type EvaluationResult, type LoadedSplit } from '@clip-vg/training';
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
    .requiredOption('--checkpoint <path>', 'required: an official CLIP-VG .pth, a checkpoint convert folder, or a train / curriculum output folder')
    .requiredOption('--dataset <name>', 'required: unc, unc+, gref, gref_umd, referit, flickr or synthetic')
    .requiredOption('--split-root <dir>', 'required: folder holding {dataset}/{dataset}_{split}.pth')
    .requiredOption('--data-root <dir>', 'required: image root (synthetic: the world folder)')
    .option('--prompt <template>', 'text template, as used in training')
    .option('--batch-size <n>', 'batch size', '128')
    .option(
      '--clip <path|name>',
      'CLIP weights, for a checkpoint saved without them and without a recorded source (a .pth, a Hugging Face folder or name, or a CLIP-VG checkpoint holding CLIP)',
    )
    .option('--vocab <file>', 'tokenizer vocabulary (default: the one recorded with the checkpoint)')
    .option('--workers <n>', 'image decoding threads')
    .option('--backend <name>', 'tensorflow, wasm or cpu')
    .option('--engine <name>', 'tfjs or onnx (ONNX Runtime, every core)', 'tfjs')
    .option('--json', 'print the result as JSON');
}

export function registerEval(program: Command): void {
  modelDataOptions(program.command('eval').description('Acc@0.5 and mean IoU of a trained model on a split'))
    .requiredOption('--split <split>', 'required: val, testA, testB, test, ...')
    .option('--source <name>', 'evaluate one pseudo-label source of train_separate/ (split train_pseudo)')
    .action(async (flags: EvalFlags) => {
      const { result } = await evaluateSplit(flags, `eval ${flags.dataset} ${flags.split}`);
      const out = {
        dataset: flags.dataset,
        split: flags.split,
        samples: result.total,
        correct: result.correct,
        accuracy: result.accuracy,
        meanIoU: result.meanIoU,
      };
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
  const batchSize = positive(flags.batchSize, '--batch-size');
  const workers = flags.workers === undefined ? undefined : positive(flags.workers, '--workers', 0);
  const engine = await cliStep(async () => parseEngineName(flags.engine)).catch((error: Error) => {
    throw new CliError(`--${error.message}`);
  });
  const split = await cliStep(async () =>
    loadGroundingSplit({
      dataset: flags.dataset,
      split: flags.split,
      splitRoot: flags.splitRoot,
      dataRoot: flags.dataRoot,
      source: flags.source,
      prompt: flags.prompt,
    }),
  );
  await cliStep(() => initBackend(flags.backend));
  // the one loader of predict and Grounder; evaluation keeps the TensorFlow.js model for its configuration
  const loaded = await cliStep(() => loadModel(flags.checkpoint, { engine, clip: flags.clip, vocab: flags.vocab, keepModel: true }));
  try {
    const bar = progressBar(label, split.records.length);
    let last = 0;
    const result = await cliStep(() =>
      evaluateModel(loaded.model!, split.records, {
        imageRoot: split.imageRoot,
        tokenizer: loaded.tokenizer,
        batchSize,
        workers,
        predictor: loaded.predictor,
        onBatch: (done) => {
          bar.tick(done - last);
          last = done;
        },
      }),
    );
    bar.stop();
    return { result, split };
  } finally {
    await loaded.dispose();
  }
}

export function positive(raw: string, flag: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}
