/**
 * Wall time of CLIP forward passes with random weights (a script, not a test: timing never goes in tests).
 *
 *   cd packages/clip-encoders
 *   npm run bench -- [model=ViT-B/16] [backend=wasm] [batch=1] [repeats=5]
 *
 * Reports the median of `repeats` runs after one warm-up run, for the full image embedding, CLIP-VG's
 * four-level features and the 77-token text features.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { CLIP } from '../src/clip';
import { CLIP_CONFIGS, type ClipModelName } from '../src/model/config';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(label: string, repeats: number, run: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const once = async () => {
    const start = performance.now();
    const out = run();
    await Promise.all([out].flat().map((t) => t.data())); // wait for the backend, then free
    tf.dispose(out);
    return performance.now() - start;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(await once());
  console.log(`${label}: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, ${repeats} runs)`);
}

async function main(): Promise<void> {
  const [name = 'ViT-B/16', backend = 'wasm', batchArg = '1', repeatsArg = '5'] = process.argv.slice(2);
  const config = CLIP_CONFIGS[name as ClipModelName];
  if (!config) throw new Error(`unknown model ${name}; one of ${Object.keys(CLIP_CONFIGS).join(', ')}`);
  await tf.setBackend(backend);
  const batch = Number(batchArg);
  const repeats = Number(repeatsArg);
  const clip = CLIP.random(config);
  const images = tf.randomNormal([batch, config.imageResolution, config.imageResolution, 3]) as tf.Tensor4D;
  const ids = tf.tensor2d(
    Array.from({ length: batch }, () => [49406, 320, 1929, 530, 518, 2184, 49407, ...new Array(70).fill(0)]),
    undefined,
    'int32',
  );
  console.log(`${name} on ${tf.getBackend()}, batch ${batch}`);
  await time('encodeImage', repeats, () => clip.encodeImage(images));
  await time('encodeImageLayers [0,3,7,11]', repeats, () => clip.encodeImageLayers(images, [0, 3, 7, 11]));
  await time('encodeTextTokens (77 tokens)', repeats, () => clip.encodeTextTokens(ids));
  tf.dispose([images, ids]);
  clip.dispose();
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
