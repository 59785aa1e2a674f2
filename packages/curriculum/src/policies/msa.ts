import { greedyThresholdSearch, SEARCH_MODES, trainEvaluated, type Candidate } from '../greedy';
import { OptionReader } from '../options';
import { selectByReliability } from '../select';
import { describeThreshold, pct, TraceRecorder } from '../trace';
import type { CurriculumHost, CurriculumPolicy, Curve, PolicyOptions, PolicyResult, ReliabilitySet, Sample, SourceSelection } from '../types';

type MeasurerSet = 'all' | 'own' | 'cross';

/**
 * MSA, multi-source self-paced adapting (paper Fig. 3c, spec §4):
 *   T0  one measurer per source, M_i = train(S_i); H_ij = score(M_i, S_j)  (SR: i = j, CR: i ≠ j)
 *   each step, with D the samples chosen so far:
 *     (1)+(2) pick the (source j, measurer i) whose D ∪ {r_ij > h0} trains the best model
 *     (3)     greedy threshold search for that pair (as SSA, on top of D)
 *     stop when the step's best accuracy does not beat the previous step's; else D ← D ∪ its selection
 * Options (each settles an open detail of spec §7):
 *   h0          0.5 (default; the README's released threshold) fixed threshold for steps (1)+(2)
 *   order       'search' (default): any remaining source may come next | 'fixed': sources in the given order
 *   sourceOrder the order for 'fixed' and for ties (default: the order of the sources object)
 *   measurers   'all' (default): SR and CR compete | 'own': SR only | 'cross': CR only (SR when there is one source)
 *   thresholds, search   as in ssa
 *   stopOnNoGain true (default): stop when a step does not raise val accuracy; false: add every source
 */
export const msaPolicy: CurriculumPolicy = {
  name: 'msa',
  description: 'multi-source self-paced adapting: per-source measurers, SR/CR measurer choice at h0, greedy threshold per step',
  run: runMsa,
  options: ['h0', 'thresholds', 'search', 'order', 'measurers', 'stopOnNoGain', 'sourceOrder'],
};

async function runMsa<M, S extends Sample>(sources: Record<string, S[]>, host: CurriculumHost<M, S>, options: PolicyOptions): Promise<PolicyResult<M, S>> {
  const read = new OptionReader('msa', options);
  const h0 = read.number('h0', 0.5, 0, 1);
  const thresholds = read.thresholds();
  const search = read.choice('search', SEARCH_MODES, 'first-drop');
  const order = read.choice('order', ['search', 'fixed'] as const, 'search');
  const measurerSet = read.choice<MeasurerSet>('measurers', ['all', 'own', 'cross'], 'all');
  const stopOnNoGain = read.boolean('stopOnNoGain', true);
  const names = sourceOrder(sources, read.names('sourceOrder'));
  const trace = new TraceRecorder(host);

  // T0: measurers, and every histogram H[i][j] the chosen measurer set can use
  const H = new Map<string, number[]>();
  const reliabilities: ReliabilitySet[] = [];
  host.prefetch?.(
    names.map((i) => sources[i]),
    { stage: 'measurer' },
  );
  for (const i of names) {
    const { model } = await trainEvaluated(host, trace, sources[i], { stage: 'measurer', what: `all of ${i}`, source: i, measurer: i, threshold: null });
    for (const j of names) {
      if (!allowed(measurerSet, i, j, names.length)) continue;
      const values = await host.score(model, sources[j]);
      trace.add({
        kind: 'score',
        stage: 'measurer',
        source: j,
        measurer: i,
        samples: values.length,
        message: `score ${j} with the ${i} measurer (${i === j ? 'SR' : 'CR'})`,
      });
      H.set(key(i, j), values);
      reliabilities.push({ measurer: i, source: j, values });
    }
    host.release?.(model);
  }

  let D: S[] = [];
  let current: { model: M; accuracy: number } | undefined;
  const perSource: SourceSelection<S>[] = [];
  const curves: Curve[] = [];
  const remaining = [...names];

  for (let step = 1; remaining.length > 0; step++) {
    const stage = `msa step ${step}`;
    const candidates = order === 'fixed' ? [remaining[0]] : remaining;
    const winner = await choosePair(host, trace, stage, D, candidates, names, sources, H, h0);
    if (!winner) {
      trace.add({ kind: 'stop', stage, message: `no remaining source has samples with ${describeThreshold(h0)} under any measurer; stop` });
      break;
    }
    const { source: j, measurer: i } = winner;
    trace.add({
      kind: 'decide',
      stage,
      source: j,
      measurer: i,
      threshold: h0,
      accuracy: winner.candidate.accuracy,
      message: `step ${step}: add ${j}, measured by ${i} (${i === j ? 'SR' : 'CR'}), ${pct(winner.candidate.accuracy)} at ${describeThreshold(h0)}`,
    });

    const label = `step ${step}: ${j} by ${i}`;
    const found = await greedyThresholdSearch({
      host,
      trace,
      stage,
      label,
      base: D,
      pool: sources[j],
      reliabilities: H.get(key(i, j))!,
      thresholds,
      search,
      reuse: winner.candidate,
      source: j,
      measurer: i,
    });
    curves.push(found.curve);
    const best = keepBetter(host, winner.candidate, found.best);

    if (stopOnNoGain && current && best.accuracy <= current.accuracy) {
      host.release?.(best.model);
      trace.add({
        kind: 'stop',
        stage,
        source: j,
        measurer: i,
        accuracy: best.accuracy,
        message: `adding ${j} gives ${pct(best.accuracy)}, no better than ${pct(current.accuracy)}; stop`,
      });
      break;
    }
    if (current) host.release?.(current.model);
    D = [...D, ...best.picked];
    current = { model: best.model, accuracy: best.accuracy };
    perSource.push({ order: step, source: j, measurer: i, threshold: best.threshold, samples: best.picked });
    remaining.splice(remaining.indexOf(j), 1);
    trace.add({
      kind: 'select',
      stage,
      source: j,
      measurer: i,
      threshold: best.threshold,
      samples: best.picked.length,
      accuracy: best.accuracy,
      message: `step ${step}: ${j} ${describeThreshold(best.threshold)} adds ${best.picked.length} samples; D has ${D.length}, val ${pct(best.accuracy)}`,
    });
  }

  if (!current) throw new Error(`policy msa: no source has samples with ${describeThreshold(h0)}; nothing to train on`);
  return {
    model: current.model,
    selected: D,
    thresholds: Object.fromEntries(perSource.map((p) => [p.source, p.threshold])),
    valAccuracy: current.accuracy,
    trace: trace.events,
    reliabilities,
    curves,
    perSource,
  };
}

/** Steps (1)+(2): every allowed (source, measurer) pair at h0; the best val accuracy wins, earliest on ties. */
async function choosePair<M, S extends Sample>(
  host: CurriculumHost<M, S>,
  trace: TraceRecorder,
  stage: string,
  D: S[],
  candidates: string[],
  names: string[],
  sources: Record<string, S[]>,
  H: Map<string, number[]>,
  h0: number,
): Promise<{ source: string; measurer: string; candidate: Candidate<M, S> } | undefined> {
  let winner: { source: string; measurer: string; candidate: Candidate<M, S> } | undefined;
  host.prefetch?.(
    candidates
      .flatMap((j) => names.map((i) => H.get(key(i, j)) && selectByReliability(sources[j], H.get(key(i, j))!, h0)))
      .filter((picked): picked is S[] => picked !== undefined && picked.length > 0)
      .map((picked) => [...D, ...picked]),
    { stage },
  );
  for (const j of candidates) {
    for (const i of names) {
      const r = H.get(key(i, j));
      if (!r) continue;
      const picked = selectByReliability(sources[j], r, h0);
      if (picked.length === 0) {
        trace.add({
          kind: 'decide',
          stage,
          source: j,
          measurer: i,
          threshold: h0,
          samples: 0,
          message: `${j} by ${i}: no sample has ${describeThreshold(h0)}; skipped`,
        });
        continue;
      }
      const { model, accuracy } = await trainEvaluated(host, trace, [...D, ...picked], {
        stage,
        what: `D + ${j} by ${i} ${describeThreshold(h0)}`,
        source: j,
        measurer: i,
        threshold: h0,
      });
      if (!winner || accuracy > winner.candidate.accuracy) {
        if (winner) host.release?.(winner.candidate.model);
        winner = { source: j, measurer: i, candidate: { threshold: h0, model, accuracy, picked } };
      } else {
        host.release?.(model);
      }
    }
  }
  return winner;
}

/** The h0 pass already trained a model; keep it if the greedy search found nothing better, and free the loser. */
function keepBetter<M, S extends Sample>(host: CurriculumHost<M, S>, h0Candidate: Candidate<M, S>, searched: Candidate<M, S> | undefined): Candidate<M, S> {
  if (!searched || searched.model === h0Candidate.model) return h0Candidate;
  if (h0Candidate.accuracy > searched.accuracy) {
    host.release?.(searched.model);
    return h0Candidate;
  }
  host.release?.(h0Candidate.model);
  return searched;
}

function allowed(set: MeasurerSet, i: string, j: string, n: number): boolean {
  if (set === 'own' || (set === 'cross' && n === 1)) return i === j;
  if (set === 'cross') return i !== j;
  return true;
}

function key(i: string, j: string): string {
  return `${i}\u0000${j}`;
}

function sourceOrder(sources: Record<string, readonly Sample[]>, given: string[] | undefined): string[] {
  const names = Object.keys(sources);
  if (names.length === 0) throw new Error('policy msa: no sources given');
  for (const n of names) if (sources[n].length === 0) throw new Error(`policy msa: source ${n} has no samples`);
  if (!given) return names;
  const unknown = given.filter((n) => !(n in sources));
  if (unknown.length > 0) throw new Error(`policy msa: option sourceOrder names unknown source ${unknown[0]} (have ${names.join('|')})`);
  return [...given, ...names.filter((n) => !given.includes(n))];
}
