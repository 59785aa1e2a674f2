/**
 * The inference benchmark without building the CLI (development):
 *   npm run bench -- '{"engine":"onnx","batch":8}'
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
