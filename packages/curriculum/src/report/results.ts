import { reliabilityHistogram, type ReliabilityHistogram } from '../histogram';
import type { Curve, PolicyResult, Sample, TraceEvent } from '../types';

/** The JSON-safe outcome of one curriculum experiment (`results.json`): no models, no sample arrays. */
export interface CurriculumResults {
  policy: string;
  options: Record<string, unknown>;
  dataset?: string;
  host?: string;
  valAccuracy: number;
  totalSamples: number;
  selectedSamples: number;
  /** How many models the run trained (measurers, candidates, finals). */
  trainings: number;
  thresholds: Record<string, number | null>;
  sources: { name: string; total: number; selected: number; order: number | null; measurer: string | null; threshold: number | null; file?: string }[];
  curves: Curve[];
  histograms: HistogramEntry[];
  trace: TraceEvent[];
}

export interface HistogramEntry extends ReliabilityHistogram {
  measurer: string;
  source: string;
  /** SR: a source scored by its own measurer; CR: by another source's. */
  kind: 'SR' | 'CR';
}

/** Summarise a policy run for `results.json` and the report. */
export function summarizeRun<M>(
  policy: string,
  options: Record<string, unknown>,
  sources: Record<string, Sample[]>,
  result: PolicyResult<M>,
  extra: { dataset?: string; host?: string; bins?: number; trainings?: number } = {},
): CurriculumResults {
  const per = new Map((result.perSource ?? []).map((p) => [p.source, p]));
  const names = Object.keys(sources);
  // pooled policies (ssa, all, fixed) name no per-source selection: count each source's samples in the selection
  const chosen = new Set<unknown>(result.selected);
  return {
    policy,
    options,
    dataset: extra.dataset,
    host: extra.host,
    valAccuracy: result.valAccuracy,
    totalSamples: names.reduce((a, n) => a + sources[n].length, 0),
    selectedSamples: result.selected.length,
    trainings: extra.trainings ?? result.trace.filter((e) => e.kind === 'train').length,
    thresholds: result.thresholds,
    sources: names.map((name) => {
      const p = per.get(name);
      return {
        name,
        total: sources[name].length,
        selected: p ? p.samples.length : sources[name].filter((s) => chosen.has(s)).length,
        order: p?.order ?? null,
        measurer: p?.measurer ?? null,
        threshold: p?.threshold ?? null,
      };
    }),
    curves: result.curves ?? [],
    histograms: (result.reliabilities ?? []).map((r) => ({
      measurer: r.measurer,
      source: r.source,
      kind: r.measurer === r.source ? 'SR' : 'CR',
      ...reliabilityHistogram(r.values, extra.bins ?? 1000),
    })),
    trace: result.trace,
  };
}
