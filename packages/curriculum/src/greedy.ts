import { selectByReliability } from './select';
import { describeThreshold, pct, type TraceRecorder } from './trace';
import type { Curve, CurriculumHost, Sample } from './types';

export type SearchMode = 'first-drop' | 'scan-all';
export const SEARCH_MODES: readonly SearchMode[] = ['first-drop', 'scan-all'];

/** A trained and evaluated selection: the model, its val accuracy, and the samples taken from the pool. */
export interface Candidate<M, S extends Sample = Sample> {
  threshold: number | null;
  model: M;
  accuracy: number;
  picked: S[];
}

export interface GreedySearchInput<M, S extends Sample> {
  host: CurriculumHost<M, S>;
  trace: TraceRecorder;
  stage: string;
  label: string;
  /** Samples already chosen (MSA's D); every candidate trains on `base ∪ select(pool, h)`. */
  base: S[];
  pool: S[];
  reliabilities: number[];
  /** Ascending. */
  thresholds: number[];
  search: SearchMode;
  /** Starting point to beat (SSA: the measurer trained on everything). Ownership passes to the search. */
  baseline?: Candidate<M, S>;
  /** A candidate trained earlier at one of the thresholds (MSA's h0 pass): reused, never trained twice, never released. */
  reuse?: Candidate<M, S>;
  source?: string;
  measurer?: string;
}

/**
 * Greedy sample selection on the threshold-vs-accuracy curve: for ascending h, train a fresh model on `r > h` and
 * keep the best val accuracy. `first-drop` stops at the first h that does not improve (ties count as no
 * improvement, as in the reconstruction's `if a > best`); `scan-all` tries every h and keeps the argmax (earliest
 * on ties). Returns the best candidate (undefined only when nothing could be trained) and the curve.
 */
export async function greedyThresholdSearch<M, S extends Sample>(input: GreedySearchInput<M, S>): Promise<{ best?: Candidate<M, S>; curve: Curve }> {
  const { host, trace, stage, base, pool, reliabilities, search, source, measurer } = input;
  const points: Curve['points'] = [];
  let best = input.baseline;
  if (best) points.push({ threshold: best.threshold, accuracy: best.accuracy, samples: base.length + best.picked.length });
  const release = (m: M): void => {
    if (m !== input.reuse?.model) host.release?.(m);
  };
  host.prefetch?.(
    input.thresholds
      .filter((h) => !(input.reuse && input.reuse.threshold === h))
      .map((h) => selectByReliability(pool, reliabilities, h))
      .filter((picked) => picked.length > 0)
      .map((picked) => [...base, ...picked]),
    { stage },
  );

  for (const h of input.thresholds) {
    const picked = selectByReliability(pool, reliabilities, h);
    const trainSet = [...base, ...picked];
    if (picked.length === 0 || trainSet.length === 0) {
      // thresholds ascend, so every later subset is empty too
      trace.add({
        kind: 'stop',
        stage,
        source,
        measurer,
        threshold: h,
        samples: 0,
        message: `${input.label}: no sample has ${describeThreshold(h)}; search ends`,
      });
      break;
    }
    const candidate = input.reuse && input.reuse.threshold === h ? input.reuse : await trainAndEvaluate(input, h, picked, trainSet);
    points.push({ threshold: h, accuracy: candidate.accuracy, samples: trainSet.length });

    if (!best || candidate.accuracy > best.accuracy) {
      if (best) release(best.model);
      trace.add({
        kind: 'decide',
        stage,
        source,
        measurer,
        threshold: h,
        accuracy: candidate.accuracy,
        samples: trainSet.length,
        message: `${input.label}: ${describeThreshold(h)} is the best so far (${pct(candidate.accuracy)})`,
      });
      best = candidate;
      continue;
    }
    release(candidate.model);
    if (search === 'first-drop') {
      trace.add({
        kind: 'stop',
        stage,
        source,
        measurer,
        threshold: h,
        accuracy: candidate.accuracy,
        message: `${input.label}: ${describeThreshold(h)} gives ${pct(candidate.accuracy)}, no better than ${pct(best.accuracy)}; stop at the first drop`,
      });
      break;
    }
  }
  return { best, curve: { label: input.label, points, chosen: best ? best.threshold : null } };
}

async function trainAndEvaluate<M, S extends Sample>(input: GreedySearchInput<M, S>, h: number, picked: S[], trainSet: S[]): Promise<Candidate<M, S>> {
  const { host, trace, stage, source, measurer } = input;
  const model = await trainEvaluated(host, trace, trainSet, { stage, source, measurer, threshold: h, what: `${input.label} ${describeThreshold(h)}` });
  return { threshold: h, model: model.model, accuracy: model.accuracy, picked };
}

/** Train a fresh model on `samples` and evaluate it, tracing both. */
export async function trainEvaluated<M, S extends Sample>(
  host: CurriculumHost<M, S>,
  trace: TraceRecorder,
  samples: S[],
  info: { stage: string; what: string; source?: string; measurer?: string; threshold?: number | null },
): Promise<{ model: M; accuracy: number }> {
  const { stage, source, measurer, threshold } = info;
  trace.add({ kind: 'train', stage, source, measurer, threshold, samples: samples.length, message: `train on ${info.what}: ${samples.length} samples` });
  const model = await host.train(samples, { stage });
  const accuracy = await host.evaluate(model);
  trace.add({ kind: 'evaluate', stage, source, measurer, threshold, samples: samples.length, accuracy, message: `${info.what}: val Acc@0.5 ${pct(accuracy)}` });
  return { model, accuracy };
}
