/**
 * `clip-vg demo pretrain-clip [--seed 0] [--steps 1000] [--out DIR] [--backend wasm]`: pretrain the demo's tiny
 * CLIP on the demo world's scene captions (the recipe of shared/spec/demo-recipe.md) and write
 * `model.safetensors`, `config.json` and `meta.json` (retrieval accuracy, seed, steps, the loss of every step,
 * the command, date, seconds), each atomically. The shipped one is `@clip-vg/experiments`' assets/tiny-clip.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import { pretrainDemoClip, saveDemoClip } from '@clip-vg/experiments';
import { CliError } from '../util/errors';

interface PretrainFlags {
  seed: string;
  steps: string;
  out: string;
  backend: string;
  json?: boolean;
  quiet?: boolean;
}

/** Options `demo` itself has: commander lets the parent take them even after the subcommand's name. */
const SHARED = ['seed', 'out', 'backend', 'json', 'quiet'] as const;

export function registerDemoPretrainClip(demo: Command): void {
  demo
    .command('pretrain-clip')
    .description("pretrain the demo's tiny CLIP contrastively on the demo world (1,000 steps: minutes on wasm)")
    .option('--seed <n>', 'seed of the initial weights, the pretraining scenes and the batch order', '0')
    .option('--steps <n>', 'optimiser steps (batch 64, 100 warm-up steps then cosine)', '1000')
    .option('--out <dir>', 'folder for model.safetensors, config.json and meta.json', 'tiny-clip')
    .option('--backend <name>', 'TensorFlow.js backend: wasm (default), cpu or tensorflow', 'wasm')
    .option('--json', 'print meta.json on stdout instead of the summary')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (own: PretrainFlags) => {
      const flags = { ...own };
      for (const key of SHARED) {
        if (demo.getOptionValueSource(key) === 'cli') (flags as Record<string, unknown>)[key] = demo.getOptionValue(key);
      }
      const seed = nonNegativeInteger(flags.seed, '--seed');
      const steps = nonNegativeInteger(flags.steps, '--steps');
      if (steps < 1) throw new CliError('--steps: expected at least 1');
      const out = path.resolve(flags.out);
      await initBackend(flags.backend, { log: null });
      const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`[pretrain-clip] ${line}\n`);
      const command = [
        'clip-vg',
        'demo',
        'pretrain-clip',
        '--seed',
        String(seed),
        '--steps',
        String(steps),
        '--out',
        flags.out,
        '--backend',
        flags.backend,
      ].join(' ');
      const result = await pretrainDemoClip({ seed, steps, log });
      const meta = saveDemoClip(out, result, { command });
      result.clip.dispose();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(meta)}\n`);
        return;
      }
      const curve = meta.retrieval.map((r) => `${(100 * r.accuracy).toFixed(1)}% at ${r.step}`).join(', ');
      process.stdout.write(
        `tiny CLIP: retrieval top-1 ${curve} (512 held-out images, batches of 64); final loss ${meta.losses[meta.losses.length - 1].toFixed(4)}; ` +
          `${meta.parameters} parameters; ${meta.trainSeconds.toFixed(0)} s training, ${meta.seconds.toFixed(0)} s in all\nwritten: ${out}\n`,
      );
    });
}

function nonNegativeInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new CliError(`${flag}: expected a non-negative integer, got "${text}"`);
  return value;
}
