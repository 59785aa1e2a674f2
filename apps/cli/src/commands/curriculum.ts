import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Command } from 'commander';
import { listHostFactories, loadHost, loadPolicy, registerHostFactory, runExperiment, type TraceEvent } from '@clip-vg/curriculum';
import { initBackend } from '@clip-vg/backend';
import { createHost as createModelHostSession, registerModelHost } from '@clip-vg/training';
import { registerDemoHost } from '@clip-vg/experiments';
import { queuedModelTraining } from '@clip-vg/training-queue';
import { CliError } from '../util/errors';
import { addOutDirOption, outDirFlag } from '../util/outputs';
import { trainingsBar } from '../util/progress';
import { checkQueue, DEFAULT_ARTIFACTS, queueClient, queueRunner } from '../util/queue';

interface CurriculumFlags {
  policy: string;
  host: string;
  out?: string;
  outputDir?: string;
  set: string[];
  hostOption: string[];
  dataset?: string;
  thresholds?: string;
  search?: string;
  h0?: string;
  threshold?: string;
  examples: string;
  subsets: boolean;
  json?: boolean;
  quiet?: boolean;
  backend?: string;
  queue?: string;
  queueName?: string;
  artifacts?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCurriculum(program: Command): void {
  const command = program
    .command('curriculum')
    .description('run a self-paced curriculum experiment (ssa, msa, all, fixed, or your own policy module) and write a report folder')
    .requiredOption('--policy <name|module>', 'required: ssa | msa | all | fixed, or a policy module path (./my-policy.js) or package')
    .option(
      '--host <name|module>',
      'who trains, scores and evaluates: model (real CLIP-VG on a dataset), demo (the demo world: fusion on cached tiny-CLIP features), simulated, or a host module',
      'model',
    )
    .option('--set <key=value>', 'policy option, repeatable (e.g. --set measurers=own --set rounds=2)', collect, [])
    .option('--host-option <key=value>', 'host option, repeatable (e.g. --host-option seed=7)', collect, [])
    .option('--dataset <name>', 'dataset for the host to load (unc, unc+, gref, gref_umd, referit, flickr, synthetic)')
    .option('--thresholds <list>', 'threshold grid for the search, e.g. 0,0.1,0.2 (default: 0,0.1,...,0.9)')
    .option('--search <mode>', 'first-drop or scan-all (default: first-drop)')
    .option('--h0 <h>', 'msa: fixed threshold for choosing source and measurer (default: 0.5)')
    .option('--threshold <h>', 'fixed: the threshold to keep r > h (default: 0.5)')
    .option('--examples <n>', 'report images with predicted and pseudo boxes', '4')
    .option('--no-subsets', 'do not write the selected subsets as .pth split files (written when the samples are split records)')
    .option('--json', 'print the results summary as JSON on stdout')
    .option('--quiet', 'no stage lines on stderr');
  addOutDirOption(command, 'report folder: results.json, report.md/html, plots/, examples/, split files')
    .option('--backend <name>', 'tensorflow, wasm or cpu, for hosts that run models (default: CLIP_VG_BACKEND or the best installed)')
    .option(
      '--queue <url>',
      'with --host demo or model: run the trainings as jobs on this Redis (redis://host:port, rediss://…) for `clip-vg worker` processes',
    )
    .option('--queue-name <name>', "with --queue: BullMQ queue name (the workers' --queue-name)")
    .option('--artifacts <dir>', `with --queue: the shared artifact folder, as the workers' --artifacts (default ${DEFAULT_ARTIFACTS})`)
    .action(async (flags: CurriculumFlags) => {
      const cwd = process.cwd();
      const outDir = path.resolve(cwd, outDirFlag('curriculum', flags)); // checked before any training
      const options = pairs(flags.set, '--set');
      for (const key of ['thresholds', 'search', 'h0', 'threshold'] as const) if (flags[key] !== undefined) options[key] = parseValue(flags[key]);
      const hostOptions = pairs(flags.hostOption, '--host-option');
      if (flags.dataset) hostOptions.dataset = flags.dataset;
      const examples = Number(flags.examples);
      if (!Number.isInteger(examples) || examples < 0) throw new CliError(`--examples must be a non-negative integer, got ${flags.examples}`);

      if ((flags.queueName !== undefined || flags.artifacts !== undefined) && !flags.queue)
        throw new CliError('curriculum: --queue-name and --artifacts go with --queue');
      if (flags.queue && flags.host !== 'demo' && flags.host !== 'model') {
        throw new CliError(
          `curriculum: --queue runs the trainings of --host demo or --host model as queue jobs; host "${flags.host}" trains on this machine (its own --host-option workers=N)`,
        );
      }
      if (flags.queue) await checkQueue(flags.queue);

      registerModelHost(); // the real CLIP-VG host, `--host model`
      registerDemoHost(); // `--host demo`: the demo world's fusion trainings, locally or on a queue
      // the training README names the package: the same host, whether or not it resolves from the current folder
      registerHostFactory('@clip-vg/training', createModelHostSession);
      // every host but the simulated one may run TensorFlow.js models: a backend must be ready before it loads
      // (an unknown host name fails first, in loadHost, without a backend line)
      if (flags.host !== 'simulated' && hostExists(flags.host, cwd)) await wrap(() => initBackend(flags.backend));
      const policy = await wrap(() => loadPolicy(flags.policy, cwd));
      const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`[${flags.host}] ${line}\n`);
      // the built-in hosts report every training's steps: one bar over all of them
      const modelHost = flags.host === 'model' || flags.host === '@clip-vg/training';
      const bar = (flags.host === 'demo' || modelHost) && !flags.quiet ? trainingsBar(`curriculum: ${modelHost ? 'training' : 'fusion'} steps`) : undefined;
      if (modelHost && bar) hostOptions.onTraining = bar.onTraining;
      if (flags.host === 'demo') {
        // the world beside the report, as `demo --out` keeps it: split files and examples name images that still exist
        hostOptions.worldDir ??= path.join(outDir, 'world');
        const extras = { log, onTraining: bar?.onTraining, runner: flags.queue ? queueRunner({ ...flags, queue: flags.queue }, log) : undefined };
        for (const [key, value] of Object.entries(extras)) if (value !== undefined) hostOptions[key] = value;
      }
      const jobs = flags.queue && flags.host === 'model' ? await wrap(() => queueClient({ ...flags, queue: flags.queue! }, log)) : undefined;
      if (jobs) hostOptions.train = queuedModelTraining(jobs);
      const session = await wrap(() => loadHost(flags.host, { hostOptions, cwd })).catch(async (error: unknown) => {
        bar?.stop();
        await jobs?.close();
        throw error;
      });
      const show = flags.quiet ? undefined : (e: TraceEvent) => showEvent(e);
      try {
        const out = await wrap(() =>
          runExperiment({ policy, options, session, outDir, hostName: flags.host, writeSubsets: flags.subsets ? 'auto' : false, examples, onEvent: show }),
        );
        const s = out.summary;
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ ...s, histograms: s.histograms.map(({ counts: _c, ...h }) => h), trace: undefined, report: out.report.html, splits: out.splits })}\n`,
          );
        } else {
          process.stdout.write(
            `curriculum ${s.policy}: val Acc@0.5 ${(s.valAccuracy * 100).toFixed(2)}% on ${s.selectedSamples}/${s.totalSamples} samples ` +
              `(${s.trainings} trainings); thresholds ${JSON.stringify(s.thresholds)}; report ${out.report.html}\n`,
          );
        }
      } finally {
        bar?.stop();
        await session.close?.();
        await jobs?.close();
      }
    });
}

/** A registered host, a file or an installed package: something loadHost will load. */
function hostExists(host: string, cwd: string): boolean {
  if (listHostFactories().includes(host) || existsSync(path.resolve(cwd, host))) return true;
  try {
    createRequire(path.join(cwd, 'noop.js')).resolve(host);
    return true;
  } catch {
    return false;
  }
}

/** Stage lines on stderr: decisions, selections and stops (trainings are too many to list). */
function showEvent(e: TraceEvent): void {
  if (e.kind === 'train' || e.kind === 'score') return;
  process.stderr.write(`[${e.stage}] ${e.message}\n`);
}

function pairs(list: string[], flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at <= 0) throw new CliError(`${flag} expects key=value, got "${item}"`);
    out[item.slice(0, at)] = parseValue(item.slice(at + 1));
  }
  return out;
}

/** `true`/`false`, numbers and JSON arrays/objects become values; anything else stays a string. */
function parseValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  if (/^[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new CliError(`cannot parse option value as JSON: ${raw}`);
    }
  }
  return raw;
}

async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}
