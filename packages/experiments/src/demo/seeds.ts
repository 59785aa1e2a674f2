/** Mean and spread of the demo's accuracies over several seeds (the acceptance test of the README's claim). */
import { DEMO_METHODS, type DemoMethod, type DemoResults } from './run-demo';

export interface SeedSummary {
  seeds: number[];
  /** Per method: mean, sample standard deviation and range of test accuracy. */
  methods: Record<DemoMethod, { mean: number; std: number; min: number; max: number; values: number[] }>;
  /** Per seed gains: ssa − baseline_template and msa − baseline_union. */
  gains: { ssa: number[]; msa: number[] };
}

export function summarizeSeeds(runs: readonly DemoResults[]): SeedSummary {
  if (runs.length === 0) throw new Error('summarizeSeeds: no runs');
  const stats = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
    return { mean, std, min: Math.min(...values), max: Math.max(...values), values };
  };
  return {
    seeds: runs.map((r) => r.seed),
    methods: Object.fromEntries(DEMO_METHODS.map((m) => [m, stats(runs.map((r) => r[m]))])) as SeedSummary['methods'],
    gains: { ssa: runs.map((r) => r.ssa - r.baseline_template), msa: runs.map((r) => r.msa - r.baseline_union) },
  };
}
