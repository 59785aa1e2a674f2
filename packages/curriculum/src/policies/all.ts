import { trainEvaluated } from '../greedy';
import { OptionReader } from '../options';
import { pct, TraceRecorder } from '../trace';
import type { CurriculumHost, CurriculumPolicy, PolicyOptions, PolicyResult, ReliabilitySet, Sample } from '../types';

/**
 * `all`: no selection, the "w/o SSA/MSA" baseline (one model on the union of every source).
 * Option `measure` (default false): also score each source with that model, for the report's histograms.
 */
export const allPolicy: CurriculumPolicy = {
  name: 'all',
  description: 'no selection: train once on every sample of every source (the w/o SSA/MSA baseline)',
  run: runAll,
  options: ['measure'],
};

async function runAll<M, S extends Sample>(sources: Record<string, S[]>, host: CurriculumHost<M, S>, options: PolicyOptions): Promise<PolicyResult<M, S>> {
  const measure = new OptionReader('all', options).boolean('measure', false);
  const names = Object.keys(sources);
  const samples = names.flatMap((n) => sources[n]);
  if (samples.length === 0) throw new Error('policy all: no samples in any source');
  const trace = new TraceRecorder(host);
  const { model, accuracy } = await trainEvaluated(host, trace, samples, { stage: 'final', what: `all ${samples.length} samples`, threshold: null });

  const reliabilities: ReliabilitySet[] = [];
  if (measure) {
    for (const source of names) {
      if (sources[source].length === 0) continue;
      const values = await host.score(model, sources[source]);
      trace.add({ kind: 'score', stage: 'measure', source, measurer: 'all', samples: values.length, message: `score ${source} with the all-data model` });
      reliabilities.push({ measurer: 'all', source, values });
    }
  }
  trace.add({
    kind: 'select',
    stage: 'final',
    threshold: null,
    samples: samples.length,
    accuracy,
    message: `no selection: ${samples.length} samples, val ${pct(accuracy)}`,
  });
  return {
    model,
    selected: samples,
    thresholds: Object.fromEntries(names.map((n) => [n, null])),
    valAccuracy: accuracy,
    trace: trace.events,
    reliabilities,
    perSource: names.map((source, i) => ({ order: i + 1, source, measurer: 'none', threshold: null, samples: sources[source] })),
  };
}
