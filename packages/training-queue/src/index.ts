export const PACKAGE_NAME = '@clip-vg/training-queue';
export { QueueTrainingRunner, type QueueRunnerOptions } from './runner';
export { JobClient, type JobClientOptions, type JobRequest, type QueueEvent } from './job-client';
export {
  startTrainingWorker,
  DEFAULT_LOCK_DURATION,
  DEFAULT_STALLED_INTERVAL,
  type TrainingWorker,
  type TrainingWorkerOptions,
  type TrainJobResult,
  type JobHandler,
  type JobContext,
} from './worker';
export { DEFAULT_QUEUE, TRAIN_JOB, PayloadError, insideRoots, encodeJob, jobIdOf, validateJob, type TrainPayload, type EncodedRows } from './payload';
export {
  encodeSetup,
  readSetup,
  encodeResult,
  readResult,
  writeArtifact,
  encodeArtifact,
  readArtifact,
  writeAtomic,
  sha256,
  type ArtifactRef,
  type TrainingSetup,
} from './artifacts';
export { checkRedis, createRedis, redactUrl, RedisConnectionError } from './connection';
export { startLocalRedis, redisServerBinary, freePort, type LocalRedis } from './local-redis';
export { MODEL_JOB, modelJob, modelJobHandler, queuedModelTraining, validateModelJob, type ModelJobPayload } from './model-job';
