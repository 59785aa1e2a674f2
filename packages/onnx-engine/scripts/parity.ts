/**
 * Max |difference| of the ONNX engine's boxes against the TensorFlow.js model (development check of graph
 * rewrites; the tests assert the 1e-4 bound on the golden tiny checkpoint):
 *   npx esbuild scripts/parity.ts --bundle --platform=node --external:@tensorflow/* --external:onnxruntime-node \
 *     --external:sharp --external:protobufjs --outfile=/tmp/onnx-parity.js
 *   NODE_PATH=$PWD/../../node_modules node /tmp/onnx-parity.js '{"model":"ViT-B/16","batch":2}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { benchConfig, benchInputs } from '../src/benchmark';
import { OnnxClipVG } from '../src/engine';
import { buildClipVGOnnx, type GraphOptions } from '../src/graph/clip-vg-graph';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as { model?: string; batch?: number; textTokens?: number; padding?: number; seed?: number; graph?: GraphOptions };
  await initBackend('wasm', { log: null });
  const config = benchConfig(options.model ?? 'tiny');
  const model = ClipVG.create(config, { seed: options.seed ?? 0 });
  const inputs = benchInputs(config, options.batch ?? 2, options.textTokens ?? 20, options.padding ?? 0.25);
  const engine = await OnnxClipVG.fromOnnx(buildClipVGOnnx(model.stateDict({ includeClip: true }), config, 'parity', 'full', options.graph), config);
  const reference = model.predict(inputs.images, inputs.pixelMask, inputs.ids);
  const boxes = await engine.predict(inputs.images, inputs.pixelMask, inputs.ids);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(boxes, reference))).dataSync()[0]!);
  console.log(JSON.stringify({ model: options.model ?? 'tiny', max_abs_diff: diff, boxes: Array.from(boxes.dataSync()).slice(0, 8) }));
  tf.dispose([reference, boxes, inputs.images, inputs.pixelMask, inputs.ids]);
  model.dispose();
  await engine.dispose();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
