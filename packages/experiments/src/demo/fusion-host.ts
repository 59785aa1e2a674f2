/**
 * The demo's curriculum host: every training is a job for a `TrainingRunner` (the fusion on cached CLIP
 * features, on ONNX Runtime), so trainings that a policy announces together run side by side on the runner's
 * workers. A model is its weights and the val accuracy its training selected them by.
 */
import type { CurriculumHost, Sample } from '@clip-vg/curriculum';
import type { GroundingRecord } from '@clip-vg/datasets';
import { accuracyAt05, type FeatureRows, type FusionRecipe, type FusionTrainResult, type TrainingRunner } from '@clip-vg/onnx-engine';
import type { ModelTrainingEvent } from '@clip-vg/training';

export type FusionModel = FusionTrainResult & { samples: number };

/** A demo sample: a grounding record (clean or pseudo-labelled) as the curriculum policies see it. */
export type DemoSample = GroundingRecord & Sample;

/** A training's start (step 0), progress (every validation) and end (`done`): the model host's event, for one bar over both. */
export type TrainingEvent = ModelTrainingEvent;

export interface FusionHostOptions {
  runner: TrainingRunner;
  recipe: FusionRecipe;
  seed: number;
  /** Rows of `samples` in the runner's feature table. */
  rowsOf(samples: readonly GroundingRecord[]): FeatureRows;
  val: FeatureRows;
  /** Called when a training starts, progresses and ends (for a progress display). */
  onTraining?: (event: TrainingEvent) => void;
}

export function createFusionHost(options: FusionHostOptions): CurriculumHost<FusionModel, DemoSample> {
  const { runner, recipe, seed, val } = options;
  let count = 0;
  return {
    async train(samples, info) {
      const id = ++count;
      const report = (step: number, done: boolean) => options.onTraining?.({ id, stage: info.stage, samples: samples.length, step, steps: recipe.steps, done });
      report(0, false);
      const result = await runner.train({ rows: options.rowsOf(samples), val, recipe, seed }, (step) => report(step, false));
      report(recipe.steps, true);
      return { ...result, samples: samples.length };
    },
    async score(model, samples) {
      const rows = options.rowsOf(samples);
      return Array.from(accuracyAt05(await runner.predict(model.weights, rows), rows.boxes).ious);
    },
    async evaluate(model) {
      return model.valAccuracy;
    },
  };
}

/** Acc@0.5 of `model` on `rows`, and its predictions (normalised cxcywh, unclamped). */
export async function testModel(runner: TrainingRunner, model: FusionModel, rows: FeatureRows): Promise<{ accuracy: number; predictions: Float32Array }> {
  const predictions = await runner.predict(model.weights, rows);
  return { accuracy: accuracyAt05(predictions, rows.boxes).accuracy, predictions };
}
