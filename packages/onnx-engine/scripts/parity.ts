/**
 * Max |difference| of the ONNX engine's boxes against the TensorFlow.js model (development check of graph
 * rewrites; the tests assert the 1e-4 bound on the golden tiny checkpoint):
 *   npm run parity -- '{"model":"ViT-B/16","batch":2}'
 *   npm run parity -- '{"golden":"../../../shared/golden/clipvg-tiny"}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import { loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { benchConfig, benchInputs } from '../src/benchmark';
import { OnnxClipVG } from '../src/engine';
import { buildClipVGOnnx, type GraphOptions } from '../src/graph/clip-vg-graph';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as {
    model?: string;
    batch?: number;
    textTokens?: number;
    padding?: number;
    seed?: number;
    graph?: GraphOptions;
    golden?: string;
  };
  await initBackend('wasm', { log: null });
  // With `golden`: the golden tiny checkpoint and its PyTorch inputs (../shared/golden/clipvg-tiny).
  const golden = options.golden ? (loadPth(`${options.golden}/tensors.pth`) as unknown as Record<string, TorchTensor>) : undefined;
  const model = golden
    ? ClipVG.fromCheckpoint(`${options.golden}/checkpoint.pth`)
    : ClipVG.create(benchConfig(options.model ?? 'tiny'), { seed: options.seed ?? 0 });
  const config = model.config;
  const t = (name: string, dtype: 'float32' | 'int32' = 'float32') => tf.tensor(golden![name].toFloat32Array(), golden![name].shape, dtype);
  const inputs = golden
    ? {
        images: tf.transpose(t('image'), [0, 2, 3, 1]) as tf.Tensor4D,
        pixelMask: t('image_mask', 'int32') as tf.Tensor3D,
        ids: t('text_ids', 'int32') as tf.Tensor2D,
      }
    : benchInputs(config, options.batch ?? 2, options.textTokens ?? 20, options.padding ?? 0.25);
  const engine = await OnnxClipVG.fromOnnx(buildClipVGOnnx(model.stateDict({ includeClip: true }), config, { origin: 'parity', ...options.graph }), config);
  const reference = model.predict(inputs.images, inputs.pixelMask, inputs.ids);
  const boxes = await engine.predict(inputs.images, inputs.pixelMask, inputs.ids);
  const diff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  const vsTorch = golden ? tf.tidy(() => diff(boxes, t('pred_boxes'))) : undefined;
  console.log(
    JSON.stringify({
      model: golden ? 'golden tiny' : (options.model ?? 'tiny'),
      max_abs_diff_vs_tfjs: diff(boxes, reference),
      max_abs_diff_vs_pytorch: vsTorch,
      boxes: Array.from(boxes.dataSync()).slice(0, 8),
    }),
  );
  tf.dispose([reference, boxes, inputs.images, inputs.pixelMask, inputs.ids]);
  model.dispose();
  await engine.dispose();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
