/**
 * The curriculum experiment of the README on the demo world (shared/spec/demo-recipe.md):
 *   world → the shipped pretrained tiny CLIP, frozen → its features cached once → oracle (clean GT) · `all` on
 *   each source and on the union · `ssa` on template · `msa` on all three → every final model evaluated on the
 *   clean test split → results.json + report.html.
 * Val (annotated) selects checkpoints and thresholds, as in the official code; test is only reported. Every
 * training is a job on a pool of worker threads; the policies announce independent trainings together, so the
 * pool runs them side by side, and the results equal a sequential run's.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { getPolicy, type CurriculumHost, type PolicyResult, type Sample } from '@clip-vg/curriculum';
import { PSEUDO_SOURCES, type GroundingRecord } from '@clip-vg/datasets';
import { FusionTrainingPool, type FeatureRows, type PoolOptions, type TrainingRunner } from '@clip-vg/onnx-engine';
import type { PretrainDemoClipOptions } from '../demo-clip';
import { memoizeHost } from '../memo-host';
import { prepareDemo } from './prepare';
import { createFusionHost, testModel, type DemoSample, type FusionModel, type TrainingEvent } from './fusion-host';
import { writeDemoReport, type DemoExample, type PseudoExample } from './report';
import { resolveDemoSettings, type DemoPreset, type DemoSettings } from './settings';

export interface DemoOptions {
  /** Output folder: `world/`, `results.json`, `report.html`, `ssa/`, `msa/`, `plots/`, `examples/`. */
  out: string;
  seed?: number;
  preset?: DemoPreset;
  settings?: Partial<DemoSettings>;
  /** Training worker threads (default: one per core). 0 trains on the calling thread; results are the same. */
  workers?: number;
  /** Pretrain the tiny CLIP here (from this seed) instead of loading the shipped one. */
  pretrain?: boolean | Omit<PretrainDemoClipOptions, 'seed'>;
  log?: (line: string) => void;
  /**
   * Who runs the trainings (default: a `FusionTrainingPool` of `workers` threads), e.g. a queue of remote workers
   * (`@clip-vg/training-queue`). Trainings are deterministic given their job, so any runner gives the same results.
   */
  runner?: (setup: Omit<PoolOptions, 'workers'>) => Promise<TrainingRunner>;
  /** Every training's start, progress and end, e.g. for a progress bar. */
  onTraining?: (event: TrainingEvent) => void;
}

/** One trained model: what it trained on and how it scores. */
export interface MethodResult {
  /** Acc@0.5 on the clean test split, a fraction. */
  test: number;
  /** Acc@0.5 on the annotated val split (used for selection). */
  val: number;
  /** Training labels. */
  labels: number;
  /** Fraction of those labels that are correct (known for the synthetic world). */
  labelPrecision: number;
  /** The step whose val accuracy was kept. */
  bestStep: number;
}

/** Below this oracle test accuracy the run cannot show a curriculum effect, and the results say so. */
const ORACLE_LEARNED = 0.2;

export const DEMO_METHODS = ['oracle', 'baseline_template', 'baseline_relation', 'baseline_caption', 'baseline_union', 'ssa', 'msa'] as const;
export type DemoMethod = (typeof DEMO_METHODS)[number];

export type DemoResults = Record<DemoMethod, number> & {
  thresholds: { ssa: Record<string, number | null>; msa: Record<string, number | null> };
  /** MSA's steps: the source added, the measurer that scored it, its threshold. */
  msaSteps: { source: string; measurer: string; threshold: number | null }[];
  methods: Record<DemoMethod, MethodResult>;
  /** The frozen tiny CLIP: shipped or pretrained in this run, and its caption retrieval top-1. */
  clip: { origin: 'shipped' | 'pretrained'; retrievalAccuracy: number; seconds: number };
  /** Trainings run (announced ones included), requests answered by an earlier identical one, announced but unused. */
  trainings: number;
  reusedTrainings: number;
  unusedTrainings: number;
  /** Worker threads of the local pool; null when `runner` ran the trainings elsewhere (e.g. a queue). */
  workers: number | null;
  seed: number;
  preset: DemoPreset;
  settings: DemoSettings;
  /** What did not go as designed (e.g. the oracle did not learn; MSA fell back to the union). */
  notes: string[];
  seconds: number;
};

/** The policies' results with the sources they ran on, for the per-policy report folders. */
export interface PolicyRun {
  result: PolicyResult<FusionModel>;
  sources: Record<string, Sample[]>;
}

export async function runDemo(options: DemoOptions): Promise<{ results: DemoResults; report: string }> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const preset = options.preset ?? 'full';
  const s = resolveDemoSettings(preset, options.settings);
  const workers = options.workers ?? os.availableParallelism();
  const log = options.log ?? (() => undefined);
  const out = path.resolve(options.out);

  const demo = await prepareDemo({ worldDir: path.join(out, 'world'), seed, settings: s, pretrain: options.pretrain, log });
  const { world, sources, correct, config, features, recipe, setup } = demo;
  log(
    `features of ${world.images.length} images cached; training ${options.runner ? 'on the given runner' : `on ${workers} worker thread${workers === 1 ? '' : 's'}`}`,
  );
  const pool = options.runner ? await options.runner(setup) : await FusionTrainingPool.start({ ...setup, workers });
  const testRows = features.rowsOf(world.splits.test);
  const host = memoizeHost(
    createFusionHost({
      runner: pool,
      recipe,
      seed,
      rowsOf: features.rowsOf,
      val: features.rowsOf(world.splits.val),
      onTraining: (e) => {
        options.onTraining?.(e);
        if (e.done) log(`  training ${e.id} done (${e.stage}, ${e.samples} labels)`);
      },
    }),
  );
  const precision = (samples: Sample[]) => (samples.length ? samples.filter((x) => correct.get(x.id) ?? true).length / samples.length : 0);
  const methods = {} as Record<DemoMethod, MethodResult>;
  const record = async (method: DemoMethod, model: FusionModel, samples: Sample[]) => {
    const { accuracy } = await testModel(pool, model, testRows);
    methods[method] = { test: accuracy, val: model.valAccuracy, labels: samples.length, labelPrecision: precision(samples), bestStep: model.bestStep };
    log(`${method}: test ${pct(accuracy)}, val ${pct(model.valAccuracy)}, ${samples.length} labels (${pct(methods[method].labelPrecision)} correct)`);
  };

  // spread copies: a record's interface type has no index signature, a policy's sample does
  const groundTruth: DemoSample[] = world.splits.train.map((r) => ({ ...r }));
  const pseudo: Record<string, DemoSample[]> = Object.fromEntries(PSEUDO_SOURCES.map((src) => [src, sources[src].map((r) => ({ ...r }))]));
  const notes: string[] = [];
  try {
    // the baselines do not depend on each other (and are SSA's and MSA's measurers)
    host.prefetch([groundTruth, ...PSEUDO_SOURCES.map((src) => pseudo[src]), PSEUDO_SOURCES.flatMap((src) => pseudo[src])], { stage: 'baselines' });
    const oracle = await host.train(groundTruth, { stage: 'oracle' });
    await record('oracle', oracle, groundTruth);
    if (methods.oracle.test < ORACLE_LEARNED) {
      const note = `the oracle reached only ${pct(methods.oracle.test)} test Acc@0.5: the fusion did not learn to ground within this budget, so differences between the methods below are noise`;
      notes.push(note);
      log(note);
    }
    const all = getPolicy('all');
    for (const src of PSEUDO_SOURCES) {
      const run = await all.run({ [src]: pseudo[src] }, host, {});
      await record(`baseline_${src}` as DemoMethod, run.model, run.selected);
    }
    const union = await all.run(pseudo, host, {});
    await record('baseline_union', union.model, union.selected);
    const ssaSources = { template: pseudo.template };
    const ssa = await getPolicy('ssa').run(ssaSources, host, { thresholds: s.thresholds });
    await record('ssa', ssa.model, ssa.selected);
    const msaOptions = { thresholds: s.thresholds, h0: s.h0, measurers: s.msaMeasurers, order: 'fixed', sourceOrder: [...PSEUDO_SOURCES] };
    const msa = await runMsa(pseudo, host, msaOptions, union, notes, log);
    await record('msa', msa.model, msa.selected);

    const exampleRecords = world.splits.test.slice(0, s.examples);
    const examples = await drawnExamples(
      pool,
      exampleRecords,
      features.rowsOf(exampleRecords),
      { union: union.model, msa: msa.model },
      demo.imageDir,
      config.imsize,
    );
    const results: DemoResults = {
      ...(Object.fromEntries(DEMO_METHODS.map((m) => [m, methods[m].test])) as Record<DemoMethod, number>),
      thresholds: { ssa: ssa.thresholds, msa: msa.thresholds },
      msaSteps: (msa.perSource ?? []).map((p) => ({ source: p.source, measurer: p.measurer, threshold: p.threshold })),
      methods,
      clip: demo.clip,
      trainings: host.trainings,
      reusedTrainings: host.reused,
      unusedTrainings: host.unused,
      workers: options.runner ? null : workers,
      seed,
      preset,
      settings: s,
      notes,
      seconds: (performance.now() - started) / 1000,
    };
    const kept = new Set(ssa.selected.map((x) => x.id));
    const pseudoExamples: PseudoExample[] = world.pseudo.template.slice(0, 2 * s.examples).map((p) => ({
      record: p.record,
      image: path.join(demo.imageDir, p.record.image),
      size: config.imsize,
      source: 'template',
      truth: world.images[p.imageIndex].scene.objects[p.target].box,
      correct: p.correct,
      kept: kept.has(p.record.id),
    }));
    const report = await writeDemoReport(
      out,
      results,
      { ssa: { result: ssa, sources: ssaSources }, msa: { result: msa, sources: pseudo } },
      examples,
      pseudoExamples,
    );
    log(`report: ${report}`);
    return { results, report };
  } finally {
    host.dispose();
    await pool.close();
  }
}

/**
 * MSA, or, when no pseudo-label of any source passes h0 under any measurer (an oracle that did not learn), the
 * union baseline it starts from, said so in the notes rather than failing the whole demo.
 */
async function runMsa(
  sources: Record<string, DemoSample[]>,
  host: CurriculumHost<FusionModel, DemoSample>,
  options: Record<string, unknown>,
  union: PolicyResult<FusionModel>,
  notes: string[],
  log: (line: string) => void,
): Promise<PolicyResult<FusionModel>> {
  try {
    return await getPolicy('msa').run(sources, host, options);
  } catch (error) {
    if (!/nothing to train on/.test((error as Error).message)) throw error;
    const note = `msa: ${(error as Error).message}; reporting the union baseline as msa`;
    notes.push(note);
    log(note);
    return union;
  }
}

async function drawnExamples(
  pool: TrainingRunner,
  records: GroundingRecord[],
  rows: FeatureRows,
  models: Record<'union' | 'msa', FusionModel>,
  imageRoot: string,
  size: number,
): Promise<DemoExample[]> {
  if (records.length === 0) return [];
  const predictions = {} as Record<'union' | 'msa', Float32Array>;
  for (const key of ['union', 'msa'] as const) predictions[key] = (await testModel(pool, models[key], rows)).predictions;
  return records.map((r, i) => ({ record: r, image: path.join(imageRoot, r.image), size, union: box(predictions.union, i), msa: box(predictions.msa, i) }));
}

/** Normalised cxcywh → fractions xyxy of the image (the letterbox is the identity here). */
function box(pred: Float32Array, i: number): [number, number, number, number] {
  const [cx, cy, w, h] = pred.subarray(i * 4, i * 4 + 4);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return [clamp(cx - w / 2), clamp(cy - h / 2), clamp(cx + w / 2), clamp(cy + h / 2)];
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
