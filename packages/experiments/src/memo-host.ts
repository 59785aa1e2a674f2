/**
 * A curriculum host that trains each distinct training set once per experiment, and starts announced trainings
 * (`prefetch`) right away so that a host with several workers runs them side by side. The demo's runs overlap by
 * design: the `all` baseline of a source IS that source's SSA/MSA measurer (spec: the measurer is the w/o-SSA
 * model), so a policy asking to train on exactly the samples of a finished training gets that model back.
 * Trainings are deterministic in (samples in order, seed), so neither changes a result, only the time.
 *
 * Memoised models survive the policies' `release` and are freed by `dispose()`.
 */
import type { CurriculumHost, Sample } from '@clip-vg/curriculum';

export interface MemoHost<M, S extends Sample = Sample> extends CurriculumHost<M, S> {
  /** Trainings actually started (cache misses, announced ones included). */
  readonly trainings: number;
  /** Requests for a training set asked for before (answered from memory). */
  readonly reused: number;
  /** Announced trainings no policy asked for in the end. */
  readonly unused: number;
  prefetch(trainingSets: S[][], info: { stage: string }): void;
  dispose(): void;
}

export function memoizeHost<M, S extends Sample = Sample>(host: CurriculumHost<M, S>): MemoHost<M, S> {
  const models = new Map<string, Promise<M>>();
  const accuracy = new Map<M, Promise<number>>();
  const scores = new Map<M, Map<string, Promise<number[]>>>();
  let trainings = 0;
  let reused = 0;
  const asked = new Set<string>();
  const start = (samples: S[], info: { stage: string }): Promise<M> => {
    const key = samplesKey(samples);
    let model = models.get(key);
    if (!model) {
      model = host.train(samples, info);
      // a failure surfaces when the model is asked for, not as an unhandled rejection of an unused prefetch
      model.catch(() => undefined);
      models.set(key, model);
      trainings++;
    }
    return model;
  };
  return {
    get trainings() {
      return trainings;
    },
    get reused() {
      return reused;
    },
    get unused() {
      return trainings - asked.size;
    },
    prefetch(sets: S[][], info: { stage: string }): void {
      for (const samples of sets) start(samples, info);
    },
    async train(samples: S[], info: { stage: string }): Promise<M> {
      const key = samplesKey(samples);
      if (asked.has(key)) reused++;
      asked.add(key);
      return start(samples, info);
    },
    async score(model: M, samples: S[]): Promise<number[]> {
      const key = samplesKey(samples);
      const byModel = scores.get(model) ?? new Map<string, Promise<number[]>>();
      scores.set(model, byModel);
      if (!byModel.has(key)) byModel.set(key, host.score(model, samples));
      return [...(await byModel.get(key)!)];
    },
    async evaluate(model: M): Promise<number> {
      if (!accuracy.has(model)) accuracy.set(model, host.evaluate(model));
      return accuracy.get(model)!;
    },
    release(): void {
      // kept until dispose(): a later policy may ask for the same training
    },
    report: host.report?.bind(host),
    dispose(): void {
      for (const model of models.values())
        void model.then(
          (m) => host.release?.(m),
          () => undefined,
        );
      models.clear();
      accuracy.clear();
      scores.clear();
    },
  };
}

function samplesKey(samples: Sample[]): string {
  return samples.map((s) => s.id).join('\u0000');
}
