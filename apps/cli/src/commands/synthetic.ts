/**
 * `clip-vg data synthesize --out DIR`: generate the synthetic grounding world, the embedded default dataset.
 * It is written like `unc` (RefCOCO-style rows, xywh boxes): `--split-root DIR --data-root DIR/images`
 * style paths work with every other command, using the dataset name `synthetic`.
 */
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_PSEUDO_NOISE,
  DEFAULT_WORLD_OPTIONS,
  PSEUDO_SOURCES,
  generateSyntheticWorld,
  syntheticWorldFiles,
  type PseudoNoiseOptions,
  type PseudoSource,
} from '@clip-vg/datasets';
import { commandGroup } from '../util/command-group';
import { CliError } from '../util/errors';
import { checkOutputDir } from '../util/outputs';
import { progressBar } from '../util/progress';

interface SynthesizeOptions {
  out: string;
  seed: number;
  train: number;
  val: number;
  test: number;
  imsize: number;
  objects?: [number, number];
  noise?: Partial<Record<PseudoSource, number>>;
  json?: boolean;
  overwrite?: boolean;
}

export function registerSynthetic(program: Command): void {
  commandGroup(program, 'data', 'inspect and verify visual-grounding split files (.pth)')
    .command('synthesize')
    .description('generate the synthetic grounding world: PNG scenes, ground-truth splits, three noisy pseudo-label sources')
    .requiredOption('--out <dir>', 'required: output folder (images/ and synthetic/ are written inside it)')
    .option('--seed <n>', 'random seed', (v) => integer(v, '--seed', 0), DEFAULT_WORLD_OPTIONS.seed)
    .option('--train <n>', 'train images', (v) => integer(v, '--train', 0), DEFAULT_WORLD_OPTIONS.train)
    .option('--val <n>', 'val images (the annotated split used for selection)', (v) => integer(v, '--val', 0), DEFAULT_WORLD_OPTIONS.val)
    .option('--test <n>', 'test images', (v) => integer(v, '--test', 0), DEFAULT_WORLD_OPTIONS.test)
    .option('--imsize <px>', 'image side in pixels', (v) => integer(v, '--imsize', 32), DEFAULT_WORLD_OPTIONS.imageSize)
    .option('--objects <min-max>', `objects per image (default: ${DEFAULT_WORLD_OPTIONS.minObjects}-${DEFAULT_WORLD_OPTIONS.maxObjects})`, objectRange)
    .option(
      '--noise <source=rate,...>',
      `total error rate per pseudo source, split across its failure modes in the default proportions (default: ${defaultNoise()})`,
      noiseRates,
    )
    .option('--json', 'print the summary as one JSON object')
    .option('--overwrite', 'replace a world already in --out (its images/ and synthetic/ go first, so no stale image stays)')
    .action((options: SynthesizeOptions) => synthesize(options));
}

async function synthesize(options: SynthesizeOptions): Promise<void> {
  checkOutputDir(options.out);
  const planned = syntheticWorldFiles(options.out);
  const previous = [planned.imageDir, planned.splitDir].filter((dir) => existsSync(dir));
  if (previous.length > 0) {
    const names = previous.map((dir) => `${path.basename(dir)}/`).join(', ');
    if (!options.overwrite) throw new CliError(`${planned.root}: holds a world already (${names}); pass --overwrite to replace it`);
    // a smaller world written over a bigger one would leave the bigger one's images beside it
    for (const dir of previous) rmSync(dir, { recursive: true, force: true });
  }
  const total = options.train + options.val + options.test;
  const bar = progressBar('synthesize', total);
  let last = 0;
  const { files, summary } = await generateSyntheticWorld({
    out: options.out,
    seed: options.seed,
    train: options.train,
    val: options.val,
    test: options.test,
    imageSize: options.imsize,
    ...(options.objects ? { minObjects: options.objects[0], maxObjects: options.objects[1] } : {}),
    pseudo: scaledNoise(options.noise ?? {}),
    onProgress: (done) => {
      bar.tick(done - last);
      last = done;
    },
  }).catch((error: unknown) => {
    bar.stop();
    throw new CliError(`data synthesize: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  });
  bar.stop();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ files, ...summary })}\n`);
    return;
  }
  const lines = [
    `synthetic world (seed ${options.seed}) written to ${files.root}`,
    `  images:  ${summary.images.train} train, ${summary.images.val} val, ${summary.images.test} test (${options.imsize} px) in ${files.imageDir}`,
    `  records: ${summary.records.train} train, ${summary.records.val} val, ${summary.records.test} test in ${files.splitDir}`,
    ...PSEUDO_SOURCES.map(
      (s) => `  ${s.padEnd(8)} ${String(summary.pseudo[s].labels).padStart(6)} pseudo-labels, ${(100 * summary.pseudo[s].errorRate).toFixed(1)}% wrong`,
    ),
    `  use it as dataset "synthetic": --split-root ${files.root} --data-root ${files.root} (images under images/)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A total error rate per source, spread over its failure modes in the default proportions. */
function scaledNoise(totals: Partial<Record<PseudoSource, number>>): Partial<Record<PseudoSource, Partial<PseudoNoiseOptions>>> {
  const out: Partial<Record<PseudoSource, Partial<PseudoNoiseOptions>>> = {};
  for (const [source, total] of Object.entries(totals) as [PseudoSource, number][]) {
    const d = DEFAULT_PSEUDO_NOISE[source];
    const sum = d.wrongBox + d.ambiguous + d.wrongAttribute;
    out[source] = { wrongBox: (total * d.wrongBox) / sum, ambiguous: (total * d.ambiguous) / sum, wrongAttribute: (total * d.wrongAttribute) / sum };
  }
  return out;
}

function defaultNoise(): string {
  return PSEUDO_SOURCES.map((s) => {
    const d = DEFAULT_PSEUDO_NOISE[s];
    return `${s}=${+(d.wrongBox + d.ambiguous + d.wrongAttribute).toFixed(2)}`;
  }).join(',');
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new CliError(`${flag} expects an integer ≥ ${min}, got "${value}"`);
  }
  return n;
}

function objectRange(value: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) throw new CliError(`--objects expects MIN-MAX with 1 ≤ MIN ≤ MAX, got "${value}"`);
  return [Number(m[1]), Number(m[2])];
}

function noiseRates(value: string): Partial<Record<PseudoSource, number>> {
  const out: Partial<Record<PseudoSource, number>> = {};
  for (const part of value.split(',')) {
    const [source, rate] = part.split('=').map((s) => s.trim());
    if (!(PSEUDO_SOURCES as readonly string[]).includes(source)) {
      throw new CliError(`--noise: unknown source "${source}", expected ${PSEUDO_SOURCES.join(', ')}`);
    }
    const r = Number(rate);
    if (rate === undefined || rate === '' || !(r >= 0 && r <= 1)) throw new CliError(`--noise: ${source} needs a rate in [0, 1], got "${rate}"`);
    out[source as PseudoSource] = r;
  }
  return out;
}
