// The batch pipeline: worker-thread decoding and augmentation, bounded prefetch, typed-array batches.
export { BatchLoader, createBatchStream, type Batch, type BatchLoaderOptions, type TextTokenizer } from './batch-loader';
export { evalTransformRecord, processSample, recordImagePath, type ImageLayout, type SampleTask, type SampleResult } from './sample-task';
export { runSampleWorker } from './sample-worker';
