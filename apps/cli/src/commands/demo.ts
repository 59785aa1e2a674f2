/**
 * `clip-vg demo [--quick] [--seed N | --seeds 0,1,2] [--out DIR] [--workers N] [--pretrain]`: the curriculum
 * experiment on the demo world (the shipped tiny CLIP, oracle, `all` baselines, SSA, MSA), a results table on
 * stdout and a report folder. With several seeds each gets `DIR/seed-N/` and `DIR/seeds.json` holds mean and spread.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import { DEMO_METHODS, runDemo, summarizeSeeds, type DemoResults, type SeedSummary } from '@clip-vg/experiments';
import { writeFileAtomic } from '../util/atomic-write';
import { registerDemoPretrainClip } from './demo-pretrain';
import { CliError } from '../util/errors';
import { checkQueue, DEFAULT_ARTIFACTS, queueRunner } from '../util/queue';
import { trainingsBar } from '../util/progress';
import { checkOutputDir } from '../util/outputs';

interface DemoFlags {
  quick?: boolean;
  seed: string;
  seeds?: string;
  out: string;
  backend: string;
  workers?: string;
  pretrain?: boolean;
  json?: boolean;
  quiet?: boolean;
  queue?: string;
  queueName?: string;
  artifacts?: string;
}

export function registerDemo(program: Command): void {
  const demo = program
    .command('demo')
    .description('run the curriculum experiment on the synthetic grounding world: oracle, all-baselines, SSA and MSA, then a report')
    .option('--quick', 'a smaller world and budget: a smoke check in a few minutes')
    .option('--seed <n>', 'seed of the world, the pretraining and every training', '0')
    .option('--seeds <list>', 'several seeds, e.g. 0,1,2: one report each, plus seeds.json with mean and spread')
    .option('--out <dir>', 'report folder (results.json, report.html, world/, ssa/, msa/)', 'clip-vg-demo')
    .option('--backend <name>', 'TensorFlow.js backend for the frozen CLIP: wasm (default), cpu or tensorflow', 'wasm')
    .option('--workers <n>', 'training worker threads (default: one per core; 0 = train on the main thread, same results)')
    .option('--pretrain', 'pretrain the tiny CLIP from the seed (minutes) instead of using the shipped one')
    .option('--json', 'print results.json (or the seed summary) on stdout instead of the table')
    .option('--quiet', 'no progress lines on stderr')
    .option('--queue <url>', 'run the trainings as jobs on this Redis (redis://host:port, rediss://…) for `clip-vg worker` processes; same results')
    .option('--queue-name <name>', "BullMQ queue name (the workers' --queue-name)")
    .option('--artifacts <dir>', `with --queue: the shared artifact folder, as the workers' --artifacts (default ${DEFAULT_ARTIFACTS})`)
    .action(async (flags: DemoFlags) => {
      const seeds = (flags.seeds ?? flags.seed).split(',').map((s) => parseSeed(s.trim()));
      const workers = flags.workers === undefined ? undefined : parseWorkers(flags.workers);
      const out = path.resolve(flags.out);
      checkOutputDir(out);
      if (flags.queue) await checkQueue(flags.queue);
      await initBackend(flags.backend, { log: null });
      const runs: DemoResults[] = [];
      for (const seed of seeds) {
        const dir = seeds.length > 1 ? path.join(out, `seed-${seed}`) : out;
        const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`[demo seed ${seed}] ${line}\n`);
        const bar = flags.quiet ? undefined : trainingsBar(`demo seed ${seed}: fusion steps`);
        const { results, report } = await runDemo({
          out: dir,
          seed,
          preset: flags.quick ? 'quick' : 'full',
          workers,
          pretrain: flags.pretrain,
          log,
          runner: flags.queue ? queueRunner({ ...flags, queue: flags.queue }, log) : undefined,
          onTraining: bar?.onTraining,
        }).finally(() => bar?.stop());
        runs.push(results);
        if (!flags.json) process.stdout.write(`${table(results)}\nreport: ${report}\n`);
      }
      if (runs.length === 1) {
        if (flags.json) process.stdout.write(`${JSON.stringify(runs[0])}\n`);
        return;
      }
      const summary = summarizeSeeds(runs);
      writeFileAtomic(path.join(out, 'seeds.json'), `${JSON.stringify(summary, null, 2)}\n`);
      process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${seedTable(summary)}\nsummary: ${path.join(out, 'seeds.json')}\n`);
    });
  registerDemoPretrainClip(demo);
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) throw new CliError(`--seed/--seeds: expected non-negative integers, got "${text}"`);
  return seed;
}

function parseWorkers(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new CliError(`--workers: expected an integer from 0 to 64, got "${text}"`);
  return n;
}

function table(r: DemoResults): string {
  const quick = r.preset === 'quick' ? ' (a smoke run: its numbers are noise, not the effect)' : '';
  const lines = [
    `seed ${r.seed} (${r.preset}${quick}), ${r.seconds.toFixed(0)} s, ${r.trainings} trainings ${r.workers === null ? 'on the queue' : `on ${r.workers} worker${r.workers === 1 ? '' : 's'}`}`,
    'method               test    val     labels  correct',
  ];
  for (const m of DEMO_METHODS) {
    const x = r.methods[m];
    lines.push(`${m.padEnd(20)} ${pct(x.test).padStart(6)}  ${pct(x.val).padStart(6)}  ${String(x.labels).padStart(6)}  ${pct(x.labelPrecision).padStart(6)}`);
  }
  lines.push(`thresholds: ssa ${JSON.stringify(r.thresholds.ssa)}, msa ${JSON.stringify(r.thresholds.msa)}`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function seedTable(s: SeedSummary): string {
  const lines = [`seeds ${s.seeds.join(',')}: test Acc@0.5, mean ± std (min–max)`];
  for (const m of DEMO_METHODS) {
    const x = s.methods[m];
    lines.push(`${m.padEnd(20)} ${pct(x.mean)} ± ${pct(x.std)} (${pct(x.min)}–${pct(x.max)})`);
  }
  const gain = (g: number[]) => g.map((v) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}`).join(', ');
  lines.push(`ssa − baseline_template per seed: ${gain(s.gains.ssa)} points; msa − baseline_union: ${gain(s.gains.msa)} points`);
  return lines.join('\n');
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
