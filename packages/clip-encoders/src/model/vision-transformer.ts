/**
 * CLIP's `VisionTransformer`: patch conv → [CLS] + patches → positional embedding → `ln_pre` → blocks →
 * `ln_post` on [CLS] → `proj`. CLIP-VG reads intermediate block outputs instead, so the blocks are exposed
 * one level below the full encoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ClipConfig } from './config';
import { layerNorm } from './layers';
import type { ParameterStore } from './params';
import { residualBlock } from './residual-block';

function checkImages(images: tf.Tensor4D, config: ClipConfig): void {
  const [, height, width, channels] = images.shape;
  if (images.rank !== 4 || channels !== 3) {
    throw new Error(`CLIP image encoder: expected NHWC images [B, H, W, 3], got [${images.shape}]`);
  }
  if (height !== config.imageResolution || width !== config.imageResolution) {
    throw new Error(
      `CLIP image encoder: images are ${height}×${width} but the model's positional embedding is for ` + `${config.imageResolution}×${config.imageResolution}`,
    );
  }
}

/** Images NHWC [B, H, W, 3] → `ln_pre`'d tokens [B, 1 + P, Wv] ([CLS] first, patches in row-major order). */
export function embedImage(images: tf.Tensor4D, params: ParameterStore, config: ClipConfig): tf.Tensor3D {
  checkImages(images, config);
  return tf.tidy(() => {
    const batch = images.shape[0];
    const patch = config.visionPatchSize;
    const width = config.visionWidth;
    // PyTorch conv weight [Wv, 3, p, p] → TF filter [p, p, 3, Wv].
    const filter = params.derived('visual.conv1.weight#HWIO', 'visual.conv1.weight', (w) => tf.transpose(w, [2, 3, 1, 0])) as tf.Tensor4D;
    const grid = tf.conv2d(tf.cast(images, 'float32'), filter, patch, 'valid'); // [B, g, g, Wv]
    const patches = tf.reshape(grid, [batch, -1, width]); // [B, P, Wv]
    const cls = tf.broadcastTo(tf.reshape(params.get('visual.class_embedding'), [1, 1, width]), [batch, 1, width]);
    const tokens = tf.add(tf.concat([cls, patches], 1), params.get('visual.positional_embedding')); // [B, 1+P, Wv]
    return layerNorm(tokens as tf.Tensor3D, params, 'visual.ln_pre');
  });
}

/**
 * Runs blocks 0..max(layers) and returns the output of each requested block, in the order asked
 * (each [B, 1 + P, Wv], no `ln_post`): CLIP-VG's multi-level features.
 */
export function visualBlockOutputs(images: tf.Tensor4D, params: ParameterStore, config: ClipConfig, layers: readonly number[]): tf.Tensor3D[] {
  if (layers.length === 0) throw new Error('encodeImageLayers: no layers requested');
  for (const layer of layers) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= config.visionLayers) {
      throw new Error(`encodeImageLayers: layer ${layer} is outside 0..${config.visionLayers - 1}`);
    }
  }
  const last = Math.max(...layers);
  return tf.tidy(() => {
    const outputs = new Map<number, tf.Tensor3D>();
    let x = embedImage(images, params, config);
    for (let i = 0; i <= last; i++) {
      x = residualBlock(x, params, `visual.transformer.resblocks.${i}`, config.visionHeads);
      outputs.set(i, x);
    }
    // A layer listed twice must come back as two tensors the caller can dispose independently.
    return layers.map((layer, index) => (layers.indexOf(layer) === index ? outputs.get(layer)! : tf.clone(outputs.get(layer)!)));
  });
}

/** Images NHWC [B, H, W, 3] → CLIP image embeddings [B, embedDim] (`ln_post` on [CLS], then `proj`). */
export function encodeImage(images: tf.Tensor4D, params: ParameterStore, config: ClipConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const [tokens] = visualBlockOutputs(images, params, config, [config.visionLayers - 1]); // [B, 1+P, Wv]
    const cls = tf.squeeze(tf.slice(tokens, [0, 0, 0], [-1, 1, -1]), [1]) as tf.Tensor2D; // [B, Wv]
    return tf.matMul(layerNorm(cls, params, 'visual.ln_post'), params.get('visual.proj'));
  });
}
