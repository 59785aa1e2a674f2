/**
 * `clip-vg data inspect FILE` prints the records of a split file exactly as the official loader sees them;
 * `clip-vg data verify` checks a dataset's split files against its images.
 */
import type { Command } from 'commander';
import {
  DATASET_NAMES,
  applyPrompt,
  datasetFromFileName,
  formatVerifyReport,
  isDatasetName,
  loadSplitFile,
  verifyDataset,
  type DatasetName,
} from '@clip-vg/datasets';
import { commandGroup } from '../util/command-group';
import { CliError } from '../util/errors';

interface InspectOptions {
  dataset?: string;
  limit?: number;
  prompt?: string;
  full?: boolean;
}

interface VerifyOptions {
  dataset: string;
  splitRoot: string;
  dataRoot: string;
  json?: boolean;
  examples?: number;
}

export function registerData(program: Command): void {
  const data = commandGroup(program, 'data', 'inspect and verify visual-grounding split files (.pth)');

  data
    .command('inspect')
    .description('print the records of a split file as JSON lines {"image", "box": [x1,y1,x2,y2], "text"}, boxes as the official loader computes them')
    .argument('<file>', 'a {dataset}_{split}.pth file (zip or legacy torch.save)')
    .option('--dataset <name>', `${DATASET_NAMES.join(', ')} (default: guessed from the file name)`)
    .option('--limit <n>', 'print at most n records', (v) => positiveInt(v, '--limit'))
    .option('--prompt <template>', 'apply a CLIP-VG prompt template such as "find the {pseudo_query}"')
    .option('--full', 'also print id, boxOriginal (the box as stored) and source')
    .action((file: string, options: InspectOptions) => inspect(file, options));

  data
    .command('verify')
    .description('count rows per split and report missing images, boxes outside their image and empty texts (exit code 1 if any)')
    .requiredOption('--dataset <name>', `required: ${DATASET_NAMES.join(', ')}`)
    .requiredOption('--split-root <dir>', 'required: folder holding {dataset}/{dataset}_{split}.pth')
    .requiredOption('--data-root <dir>', 'required: folder holding the images (other/images/mscoco/..., referit/images, Flickr30k/...)')
    .option('--json', 'print the whole report as one JSON object')
    .option('--examples <n>', 'list at most n items per kind of problem (default: 10)', (v) => positiveInt(v, '--examples'))
    .action((options: VerifyOptions) => verify(options));
}

function inspect(file: string, options: InspectOptions): void {
  const dataset = options.dataset === undefined ? guessDataset(file) : datasetName(options.dataset);
  const records = loadSplitFile(file, dataset);
  const shown = options.limit === undefined ? records : records.slice(0, options.limit);
  let chunk = '';
  for (const record of shown) {
    const text = options.prompt ? applyPrompt(record.text, options.prompt) : record.text;
    const line = options.full
      ? { id: record.id, image: record.image, box: record.box, text, boxOriginal: record.boxOriginal, ...(record.source ? { source: record.source } : {}) }
      : { image: record.image, box: record.box, text };
    chunk += `${JSON.stringify(line)}\n`;
    // Large splits (100k+ rows) go out in blocks rather than one write per line or one huge string.
    if (chunk.length > 1 << 16) {
      process.stdout.write(chunk);
      chunk = '';
    }
  }
  if (chunk) process.stdout.write(chunk);
}

async function verify(options: VerifyOptions): Promise<void> {
  const dataset = datasetName(options.dataset);
  const report = await verifyDataset({ dataset, splitRoot: options.splitRoot, dataRoot: options.dataRoot });
  const out = options.json ? JSON.stringify(report) : formatVerifyReport(report, options.examples ?? 10).join('\n');
  process.stdout.write(`${out}\n`);
  if (report.problems > 0)
    throw new CliError(`data verify: ${report.problems} ${report.problems === 1 ? 'problem' : 'problems'} in ${dataset} (see the report above)`);
}

function datasetName(name: string): DatasetName {
  if (!isDatasetName(name)) throw new CliError(`unknown dataset "${name}": expected one of ${DATASET_NAMES.join(', ')}`);
  return name;
}

function guessDataset(file: string): DatasetName {
  const guessed = datasetFromFileName(file);
  if (!guessed) throw new CliError(`${file}: cannot tell the dataset from the file name; pass --dataset (${DATASET_NAMES.join(', ')})`);
  return guessed;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} expects a non-negative integer, got "${value}"`);
  return n;
}
