export const PACKAGE_NAME = '@clip-vg/training-queue';
export { QueueTrainingRunner, type QueueEvent, type QueueRunnerOptions } from './runner';
export {
  startTrainingWorker,
  DEFAULT_LOCK_DURATION,
  DEFAULT_STALLED_INTERVAL,
  type TrainingWorker,
  type TrainingWorkerOptions,
  type TrainJobResult,
} from './worker';
export { DEFAULT_QUEUE, TRAIN_JOB, PayloadError, encodeJob, jobIdOf, validateJob, type TrainPayload, type EncodedRows } from './payload';
export { encodeSetup, readSetup, encodeResult, readResult, writeArtifact, type ArtifactRef, type TrainingSetup } from './artifacts';
export { checkRedis, createRedis, redactUrl, RedisConnectionError } from './connection';
export { startLocalRedis, redisServerBinary, freePort, type LocalRedis } from './local-redis';
