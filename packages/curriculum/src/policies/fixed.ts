import { trainEvaluated } from '../greedy';
import { OptionReader } from '../options';
import { selectByReliability } from '../select';
import { describeThreshold, pct, TraceRecorder } from '../trace';
import type { CurriculumHost, CurriculumPolicy, PolicyOptions, PolicyResult, Sample } from '../types';
import { singleSource } from './pool';

/**
 * `fixed`: SSA without the search. Measurer on the whole source, keep `r > threshold`, train once.
 * Options: `threshold` (default 0.5, the README's choice for RefCOCO+), `source` (as in ssa).
 */
export const fixedPolicy: CurriculumPolicy = {
  name: 'fixed',
  description: 'measurer on all data, then keep r > threshold (option threshold, default 0.5) and train once',
  run: runFixed,
  options: ['threshold', 'source'],
};

async function runFixed<M, S extends Sample>(sources: Record<string, S[]>, host: CurriculumHost<M, S>, options: PolicyOptions): Promise<PolicyResult<M, S>> {
  const h = new OptionReader('fixed', options).number('threshold', 0.5, 0, 1);
  const { name, samples: pool } = singleSource('fixed', sources, options.source);
  const trace = new TraceRecorder(host);

  const measurer = await trainEvaluated(host, trace, pool, { stage: 'measurer', what: `all of ${name}`, source: name, measurer: name, threshold: null });
  const r = await host.score(measurer.model, pool);
  trace.add({ kind: 'score', stage: 'measurer', source: name, measurer: name, samples: pool.length, message: `score ${pool.length} samples of ${name}` });
  host.release?.(measurer.model);

  const picked = selectByReliability(pool, r, h);
  if (picked.length === 0) throw new Error(`policy fixed: no sample of ${name} has ${describeThreshold(h)}`);
  const final = await trainEvaluated(host, trace, picked, { stage: 'final', what: `${name} ${describeThreshold(h)}`, source: name, threshold: h });
  trace.add({
    kind: 'select',
    stage: 'final',
    source: name,
    threshold: h,
    samples: picked.length,
    accuracy: final.accuracy,
    message: `fixed ${describeThreshold(h)}: ${picked.length}/${pool.length} samples, val ${pct(final.accuracy)}`,
  });
  return {
    model: final.model,
    selected: picked,
    thresholds: { [name]: h },
    valAccuracy: final.accuracy,
    trace: trace.events,
    reliabilities: [{ measurer: name, source: name, values: r }],
    curves: [
      {
        label: name,
        points: [
          { threshold: null, accuracy: measurer.accuracy, samples: pool.length },
          { threshold: h, accuracy: final.accuracy, samples: picked.length },
        ],
        chosen: h,
      },
    ],
    perSource: [{ order: 1, source: name, measurer: name, threshold: h, samples: picked }],
  };
}
