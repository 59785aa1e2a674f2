/**
 * `clip-vg reliability --checkpoint M --dataset D --split train_pseudo [--source S] --out OUT`: the
 * reliability of every pseudo-label, r = IoU(clamped prediction, pseudo box), with the deterministic eval
 * transform (never the training augmentation the official script silently applies under `train_pseudo`).
 * Writes the official `iou_result`, `refine_{t}` and `bad_label` files and a 1000-bin histogram (JSON, PNG).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { writeReliabilityOutputs } from '@clip-vg/curriculum';
import { cliStep } from '../util/errors';
import { addOutDirOption, outDirFlag } from '../util/outputs';
import { evaluateSplit, modelDataOptions, positive, type EvalFlags } from './eval';

interface ReliabilityFlags extends EvalFlags {
  out?: string;
  outputDir?: string;
  bins: string;
  plot: boolean;
}

export function registerReliability(program: Command): void {
  const command = modelDataOptions(
    program.command('reliability').description('score every pseudo-label with a measurer model; write the official reliability files'),
  )
    .option('--split <split>', 'the pseudo-label split', 'train_pseudo')
    .option('--source <name>', 'score one pseudo-label source of train_separate/');
  addOutDirOption(command, 'where the .pth subsets and the histogram go')
    .option('--bins <n>', 'histogram bins over (0, 1]', '1000')
    .option('--no-plot', 'skip the histogram PNG')
    .action(async (flags: ReliabilityFlags) => {
      const bins = positive(flags.bins, '--bins');
      const outDir = path.resolve(outDirFlag('reliability', flags));
      // reliability r = IoU(clamp01(prediction), pseudo box): the IoU of the Acc@0.5 metric, per record
      const { result, split } = await evaluateSplit(flags, `reliability ${flags.dataset}`);
      const outputs = await cliStep(() =>
        writeReliabilityOutputs({
          // the synthetic world is written like unc; its files keep its own name
          dataset: flags.dataset,
          records: split.records,
          predictions: result.predictions,
          gtBoxes: result.targets,
          reliabilities: Array.from(result.ious),
          outDir,
          // files named after what was scored: {ds}_{split}[_{source}]_iou_result.pth, ...
          split: flags.source ? `${flags.split}_${flags.source}` : flags.split,
          bins,
          plot: flags.plot,
        }),
      );
      const summary = {
        dataset: flags.dataset,
        source: flags.source ?? null,
        samples: split.records.length,
        accuracy: outputs.accuracy,
        kept: outputs.kept,
        files: outputs.files,
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(
          `${flags.dataset}${flags.source ? ` (${flags.source})` : ''}: ${split.records.length} pseudo-labels, ${(outputs.accuracy * 100).toFixed(2)}% with r ≥ 0.5; ` +
            `r > 0.5 keeps ${outputs.kept['0_5']}; ${outputs.files.length} files in ${outDir}\n`,
        );
      }
    });
}
