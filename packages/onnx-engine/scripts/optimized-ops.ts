/**
 * Which nodes ONNX Runtime runs after its graph optimisations (level `all`): writes the optimised model and prints
 * a histogram of `domain:op` (development check of which fusions ORT does by itself):
 *   npm run bench:ops -- tiny '{"fusedAttention":true}'
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { benchConfig } from '../src/benchmark';
import { buildClipVGOnnx, type GraphOptions } from '../src/graph/clip-vg-graph';
import { decodeModel } from '../src/onnx/onnx-proto';

async function main(): Promise<void> {
  await initBackend('wasm', { log: null });
  const config = benchConfig(process.argv[2] ?? 'tiny');
  const options = JSON.parse(process.argv[3] ?? '{}') as GraphOptions;
  const model = ClipVG.create(config, { seed: 0 });
  const bytes = buildClipVGOnnx(model.stateDict({ includeClip: true }), config, { origin: 'random', ...options });
  model.dispose();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-ops-')), 'optimized.onnx');
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: file, intraOpNumThreads: 1 });
  await session.release();
  const graph = (decodeModel(new Uint8Array(fs.readFileSync(file))) as { graph: { node: Array<{ opType: string; domain?: string }> } }).graph;
  const counts: Record<string, number> = {};
  for (const node of graph.node) counts[`${node.domain ?? ''}:${node.opType}`] = (counts[`${node.domain ?? ''}:${node.opType}`] ?? 0) + 1;
  console.log(JSON.stringify({ file, counts }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
