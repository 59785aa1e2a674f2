/**
 * The curriculum host `demo` (`clip-vg curriculum --host demo --policy …`): any policy — the built-in ones or a
 * module of your own — on the demo world's three pseudo-label sources, every training the demo's fusion on cached
 * tiny-CLIP features. Trainings run on a local pool of worker threads, or on any `TrainingRunner` given as
 * `runner` (e.g. a Redis queue of remote workers: `clip-vg curriculum --host demo --queue URL`).
 *
 * Options (`--host-option key=value`): `seed` (0), `preset` (`full` | `quick`; default `quick`), `settings` (a JSON
 * object of `DemoSettings` overriding the preset's, e.g. `{"steps":400}`), `worldDir` (where the world's images go;
 * default a temporary folder, removed at the end), `workers` (threads; default one per core); programmatic only:
 * `runner`, `onTraining`, `log`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkHostOptions, registerHostFactory, type HostFactory, type HostSession } from '@clip-vg/curriculum';
import { PSEUDO_SOURCES } from '@clip-vg/datasets';
import { FusionTrainingPool, type PoolOptions, type TrainingRunner } from '@clip-vg/onnx-engine';
import { memoizeHost } from '../memo-host';
import { createFusionHost, testModel, type DemoSample, type FusionModel, type TrainingEvent } from './fusion-host';
import { prepareDemo } from './prepare';
import { DEMO_PRESETS, resolveDemoSettings, type DemoPreset, type DemoSettings } from './settings';

export const DEMO_HOST_OPTIONS = ['seed', 'preset', 'settings', 'worldDir', 'workers', 'runner', 'onTraining', 'log'] as const;

/** Report images are drawn this many times the world's 48-pixel size. */
const EXAMPLE_SCALE = 4;

export const createDemoHost: HostFactory = async (options) => {
  checkHostOptions('demo', options, DEMO_HOST_OPTIONS);
  const seed = options.seed === undefined ? 0 : Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`demo host: seed must be a non-negative integer, got ${JSON.stringify(options.seed)}`);
  const preset = (options.preset ?? 'quick') as DemoPreset;
  if (preset !== 'quick' && preset !== 'full') throw new Error(`demo host: preset must be quick or full, got ${JSON.stringify(options.preset)}`);
  const overrides = options.settings ?? {};
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
    throw new Error(`demo host: settings must be a JSON object of demo settings, got ${JSON.stringify(options.settings)}`);
  const unknown = Object.keys(overrides).filter((k) => !(k in DEMO_PRESETS.full));
  if (unknown.length > 0)
    throw new Error(`demo host: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${Object.keys(DEMO_PRESETS.full).join(', ')})`);
  const settings = resolveDemoSettings(preset, overrides as Partial<DemoSettings>);
  const workers = options.workers === undefined ? os.availableParallelism() : Number(options.workers);
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`demo host: workers must be a non-negative integer, got ${JSON.stringify(options.workers)}`);
  const runnerFactory = options.runner as ((setup: Omit<PoolOptions, 'workers'>) => Promise<TrainingRunner>) | undefined;
  if (runnerFactory !== undefined && typeof runnerFactory !== 'function') throw new Error('demo host: runner must be a function (setup) => TrainingRunner');
  const log = options.log as ((line: string) => void) | undefined;

  const temporary = options.worldDir === undefined ? mkdtempSync(path.join(os.tmpdir(), 'clip-vg-demo-world-')) : undefined;
  const worldDir = temporary ?? path.resolve(String(options.worldDir));
  const removeWorld = () => temporary && rmSync(temporary, { recursive: true, force: true });
  let runner: TrainingRunner | undefined;
  try {
    const demo = await prepareDemo({ worldDir, seed, settings: settings, log });
    runner = runnerFactory ? await runnerFactory(demo.setup) : await FusionTrainingPool.start({ ...demo.setup, workers });
    const pool = runner;
    const host = memoizeHost(
      createFusionHost({
        runner: pool,
        recipe: demo.recipe,
        seed,
        rowsOf: demo.features.rowsOf,
        val: demo.features.rowsOf(demo.world.splits.val),
        onTraining: options.onTraining as ((event: TrainingEvent) => void) | undefined,
      }),
    );
    const sources = Object.fromEntries(PSEUDO_SOURCES.map((src) => [src, demo.sources[src].map((r): DemoSample => ({ ...r }))]));
    const session: HostSession<FusionModel, DemoSample> = {
      dataset: 'demo',
      host,
      sources,
      async examples(model, samples, count) {
        const shown = samples.slice(0, count);
        if (shown.length === 0) return [];
        const { predictions } = await testModel(pool, model, demo.features.rowsOf(shown));
        const size = demo.config.imsize * EXAMPLE_SCALE;
        const scaled = (b: readonly number[]) => b.map((v) => v * EXAMPLE_SCALE) as [number, number, number, number];
        return shown.map((sample, i) => {
          const [cx, cy, w, h] = predictions.subarray(4 * i, 4 * i + 4);
          const predicted = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map((v) => Math.min(1, Math.max(0, v)) * size) as [number, number, number, number];
          const right = demo.correct.get(sample.id);
          return {
            title: `${sample.text} (${sample.source ?? 'pseudo'}${right === undefined ? '' : right ? ': right' : ': wrong'})`,
            image: path.join(demo.imageDir, sample.image),
            width: size,
            height: size,
            boxes: [
              { box: scaled(sample.box), label: 'pseudo', color: '#ee8800', labelBelow: true },
              { box: predicted, label: 'model', color: '#2255ee' },
            ],
          };
        });
      },
      async close() {
        host.dispose();
        await pool.close();
        removeWorld();
      },
    };
    return session;
  } catch (error) {
    await runner?.close();
    removeWorld();
    throw error;
  }
};

/** Register `createDemoHost` as the curriculum host `demo`. */
export function registerDemoHost(): void {
  registerHostFactory('demo', createDemoHost);
}
