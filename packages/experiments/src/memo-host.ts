/**
 * A curriculum host that trains each distinct training set once per experiment. The demo's runs overlap by
 * design: the `all` baseline of a source IS that source's SSA/MSA measurer (spec: the measurer is the w/o-SSA
 * model), so a policy asking to train on exactly the samples of a finished training gets that model back.
 * Trainings are deterministic in (samples in order, seed), so this changes no result, only the time.
 *
 * Memoised models survive the policies' `release` and are freed by `dispose()`.
 */
import type { CurriculumHost, Sample } from '@clip-vg/curriculum';

export interface MemoHost<M> extends CurriculumHost<M> {
  /** Trainings actually run (cache misses). */
  readonly trainings: number;
  /** Trainings answered from memory. */
  readonly reused: number;
  dispose(): void;
}

export function memoizeHost<M>(host: CurriculumHost<M>): MemoHost<M> {
  const models = new Map<string, M>();
  const accuracy = new Map<M, number>();
  const scores = new Map<M, Map<string, number[]>>();
  let trainings = 0;
  let reused = 0;
  return {
    get trainings() {
      return trainings;
    },
    get reused() {
      return reused;
    },
    async train(samples: Sample[], info: { stage: string }): Promise<M> {
      const key = samplesKey(samples);
      const known = models.get(key);
      if (known !== undefined) {
        reused++;
        return known;
      }
      const model = await host.train(samples, info);
      trainings++;
      models.set(key, model);
      return model;
    },
    async score(model: M, samples: Sample[]): Promise<number[]> {
      const key = samplesKey(samples);
      const byModel = scores.get(model) ?? new Map<string, number[]>();
      scores.set(model, byModel);
      if (!byModel.has(key)) byModel.set(key, await host.score(model, samples));
      return [...byModel.get(key)!];
    },
    async evaluate(model: M): Promise<number> {
      if (!accuracy.has(model)) accuracy.set(model, await host.evaluate(model));
      return accuracy.get(model)!;
    },
    release(): void {
      // kept until dispose(): a later policy may ask for the same training
    },
    report: host.report?.bind(host),
    dispose(): void {
      for (const model of models.values()) host.release?.(model);
      models.clear();
      accuracy.clear();
      scores.clear();
    },
  };
}

function samplesKey(samples: Sample[]): string {
  return samples.map((s) => s.id).join('\u0000');
}
