/**
 * Scripted hosts for the policy tests (not exported from the package): a model is the list it was trained on,
 * so every decision a policy makes can be worked out by hand.
 */
import type { CurriculumHost, Sample } from './types';

export interface ScriptedModel {
  id: number;
  samples: Sample[];
}

export interface ScriptedHost extends CurriculumHost<ScriptedModel> {
  trained: Sample[][];
  live: Set<number>;
}

/**
 * `reliability(sample, measurerSource)` scores; `accuracy(trainSet)` evaluates. The measurer's source is the source
 * of the first sample it was trained on.
 */
export function scriptedHost(reliability: (s: Sample, measurer: string) => number, accuracy: (trainSet: Sample[]) => number): ScriptedHost {
  let next = 0;
  const host: ScriptedHost = {
    trained: [],
    live: new Set(),
    async train(samples) {
      host.trained.push(samples);
      const model = { id: next++, samples };
      host.live.add(model.id);
      return model;
    },
    async score(model, samples) {
      return samples.map((s) => reliability(s, model.samples[0].source ?? ''));
    },
    async evaluate(model) {
      return accuracy(model.samples);
    },
    release(model) {
      if (!host.live.delete(model.id)) throw new Error(`model ${model.id} released twice`);
    },
  };
  return host;
}
