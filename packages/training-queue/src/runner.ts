/**
 * The coordinator side of fusion trainings: a `TrainingRunner` whose trainings are `train-fusion` jobs. The setup
 * (config, feature table, initial weights) goes to the shared artifact folder once; each job carries references and
 * its rows. Jobs are keyed by content, so a rerun of an experiment collects the finished jobs' results instead of
 * training again. Predictions run here, on the coordinator's own copy of the table: they are cheap next to a training.
 */
import * as path from 'node:path';
import { FusionTrainingPool, type FeatureRows, type FusionTrainResult, type FusionWeights, type TrainingJob, type TrainingRunner } from '@clip-vg/onnx-engine';
import { encodeSetup, readResult, writeArtifact, type ArtifactRef, type TrainingSetup } from './artifacts';
import { JobClient, type JobClientOptions } from './job-client';
import { encodeJob, jobIdOf, TRAIN_JOB } from './payload';

export type { QueueEvent } from './job-client';

export interface QueueRunnerOptions extends TrainingSetup, JobClientOptions {}

export class QueueTrainingRunner implements TrainingRunner {
  private constructor(
    private readonly client: JobClient,
    private readonly setupRef: ArtifactRef,
    private readonly local: FusionTrainingPool,
  ) {}

  static async start(options: QueueRunnerOptions): Promise<QueueTrainingRunner> {
    const client = await JobClient.start(options);
    try {
      const setupRef = writeArtifact(client.options.artifacts, 'setup-', encodeSetup(options));
      const local = await FusionTrainingPool.start({
        config: options.config,
        table: options.table,
        init: options.init,
        batchSize: options.batchSize,
        workers: 0,
      });
      return new QueueTrainingRunner(client, setupRef, local);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** Where this experiment's setup was written (for workers' logs and the docs). */
  get setup(): ArtifactRef {
    return this.setupRef;
  }

  /** Jobs found finished when asked for (a rerun's reuse). */
  get reused(): number {
    return this.client.reused;
  }

  async train(job: TrainingJob, onProgress?: (step: number, steps: number) => void): Promise<FusionTrainResult> {
    const payload = encodeJob(this.setupRef, job);
    const read = (ref: ArtifactRef) => readResult(path.join(this.client.options.artifacts, ref.file), ref.hash);
    const reply = await this.client.run(
      {
        name: TRAIN_JOB,
        jobId: jobIdOf(payload),
        payload,
        steps: job.recipe.steps,
        readable: (ref) => Boolean(read(ref)),
      },
      onProgress,
    );
    return read(reply.result);
  }

  predict(weights: FusionWeights, rows: FeatureRows): Promise<Float32Array> {
    return this.local.predict(weights, rows);
  }

  /** Withdraws the trainings nobody started (see `JobClient.close`), disconnects, stops the local predictor. */
  async close(): Promise<void> {
    await this.client.close();
    await this.local.close();
  }
}
