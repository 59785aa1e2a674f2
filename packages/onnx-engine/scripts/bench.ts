/**
 * The inference benchmark without building the CLI (development):
 *   npx esbuild scripts/bench.ts --bundle --platform=node --external:@tensorflow/* --external:onnxruntime-node \
 *     --external:sharp --external:protobufjs --outfile=/tmp/onnx-bench.js
 *   NODE_PATH=$PWD/../../node_modules node /tmp/onnx-bench.js '{"engine":"onnx","batch":8}'
 */
import { initBackend } from '@clip-vg/backend';
import { benchmarkInference, type InferenceBenchOptions } from '../src/benchmark';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{"engine":"onnx"}') as InferenceBenchOptions & { backend?: string };
  await initBackend(options.backend ?? 'wasm', { log: null });
  console.log(JSON.stringify(await benchmarkInference(options)));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
