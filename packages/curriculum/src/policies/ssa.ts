import { greedyThresholdSearch, SEARCH_MODES, trainEvaluated, type Candidate } from '../greedy';
import { OptionReader } from '../options';
import { describeThreshold, pct, TraceRecorder } from '../trace';
import type { CurriculumHost, CurriculumPolicy, Curve, PolicyOptions, PolicyResult, ReliabilitySet, Sample } from '../types';
import { singleSource } from './pool';

/**
 * SSA, single-source self-paced adapting (paper Fig. 3b):
 *   T0  measurer M = train(S)                      (the "w/o SSA" model, also the baseline to beat)
 *   T1  r = score(M, S)
 *   T2  greedy search over ascending h: F_h = train(r > h), keep the best val accuracy
 * Options (spec §7 leaves each open; defaults follow the reconstruction):
 *   thresholds  ascending list, default 0.0..0.9 step 0.1 (the code's grid)
 *   search      'first-drop' (default) | 'scan-all'
 *   baseline    true (default): h must beat the measurer trained on everything; false: best threshold wins
 *   rounds      1 (default): measurement rounds; round k+1 re-scores S with round k's best model
 *   source      which source to adapt when several are given; default: all of them pooled as one
 */
export const ssaPolicy: CurriculumPolicy = {
  name: 'ssa',
  description: 'single-source self-paced adapting: measurer on all data, then greedy threshold search (r > h)',
  run: runSsa,
  options: ['thresholds', 'search', 'baseline', 'rounds', 'source'],
};

async function runSsa<M, S extends Sample>(sources: Record<string, S[]>, host: CurriculumHost<M, S>, options: PolicyOptions): Promise<PolicyResult<M, S>> {
  const read = new OptionReader('ssa', options);
  const thresholds = read.thresholds();
  const search = read.choice('search', SEARCH_MODES, 'first-drop');
  const useBaseline = read.boolean('baseline', true);
  const rounds = read.integer('rounds', 1, 1);
  const { name, samples: pool } = singleSource('ssa', sources, options.source);
  const trace = new TraceRecorder(host);

  const measured = await trainEvaluated(host, trace, pool, { stage: 'measurer', what: `all of ${name}`, source: name, measurer: name, threshold: null });
  let best: Candidate<M, S> = { threshold: null, model: measured.model, accuracy: measured.accuracy, picked: pool };
  const reliabilities: ReliabilitySet[] = [];
  const curves: Curve[] = [];

  for (let round = 1; round <= rounds; round++) {
    const stage = rounds > 1 ? `search round ${round}` : 'search';
    const measurerName = round === 1 ? name : `${name}@round${round - 1}`;
    const r = await host.score(best.model, pool);
    trace.add({
      kind: 'score',
      stage,
      source: name,
      measurer: measurerName,
      samples: pool.length,
      message: `score ${pool.length} samples of ${name} with the ${round === 1 ? 'measurer' : `round ${round - 1} model`}`,
    });
    reliabilities.push({ measurer: measurerName, source: name, values: r });

    const baseline = useBaseline || round > 1 ? best : undefined;
    if (!baseline) host.release?.(best.model);
    const label = rounds > 1 ? `${name} round ${round}` : name;
    const found = await greedyThresholdSearch({
      host,
      trace,
      stage,
      label,
      base: [],
      pool,
      reliabilities: r,
      thresholds,
      search,
      baseline,
      source: name,
      measurer: measurerName,
    });
    curves.push(found.curve);
    if (!found.best) throw new Error(`policy ssa: no threshold selects any sample of ${name}`);
    best = found.best;
  }

  trace.add({
    kind: 'select',
    stage: 'final',
    source: name,
    threshold: best.threshold,
    samples: best.picked.length,
    accuracy: best.accuracy,
    message: `SSA keeps ${describeThreshold(best.threshold)}: ${best.picked.length}/${pool.length} samples, val ${pct(best.accuracy)}`,
  });
  return {
    model: best.model,
    selected: best.picked,
    thresholds: { [name]: best.threshold },
    valAccuracy: best.accuracy,
    trace: trace.events,
    reliabilities,
    curves,
    perSource: [{ order: 1, source: name, measurer: name, threshold: best.threshold, samples: best.picked }],
  };
}
