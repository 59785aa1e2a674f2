/**
 * A self-contained inference benchmark for a machine without node_modules (the TensorFlow.js backends are
 * imported statically so a bundler can include them):
 *   npm run bench:pack            (writes dist/device-bench/bench.js; copy it with onnxruntime-node)
 *   node dist/device-bench/bench.js '{"engine":"onnx","batch":8}' [backend]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { benchmarkInference, type InferenceBenchOptions } from '../src/benchmark';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{"engine":"onnx"}') as InferenceBenchOptions;
  await tf.setBackend(process.argv[3] ?? 'wasm');
  await tf.ready();
  console.log(JSON.stringify(await benchmarkInference(options)));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
