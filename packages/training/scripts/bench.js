#!/usr/bin/env node
// Training throughput (images/s) of a demo-sized CLIP-VG (tiny CLIP at 64 px) on the synthetic world, in the
// three ways the trainer feeds it: augmented images, eval-transform images, cached frozen CLIP features.
// Needs the built dists (`npx nx run @clip-vg/cli:build`). Usage: node packages/training/scripts/bench.js [backend] [epochs]
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const tf = require('@tensorflow/tfjs-core');
const { initBackend } = require('@clip-vg/backend');
const { generateSyntheticWorld } = require('@clip-vg/datasets');
const { ClipVG, clipVGConfig } = require('@clip-vg/fusion-transformer');
const training = require('../dist/index.js');

const CLIP = {
  embedDim: 32,
  imageResolution: 64,
  visionLayers: 4,
  visionWidth: 64,
  visionPatchSize: 16,
  visionHeads: 2,
  contextLength: 77,
  vocabSize: 49408,
  transformerWidth: 32,
  transformerHeads: 2,
  transformerLayers: 2,
};
const CONFIG = clipVGConfig(CLIP, [0, 1, 2, 3], { vlHeads: 4, vlLayers: 2, vlFfnDim: 128 });

// SOT, a hashed id per word, EOT: the benchmark needs no vocabulary file
const tokenizer = {
  tokenize(texts, { contextLength = 77 }) {
    const ids = new Int32Array(texts.length * contextLength);
    const mask = new Uint8Array(texts.length * contextLength);
    texts.forEach((text, row) => {
      const words = text.split(/\s+/).filter(Boolean);
      [49406, ...words.map((w) => 1 + ([...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 49000)), 49407].forEach((t, k) => {
        ids[row * contextLength + k] = t;
        mask[row * contextLength + k] = 1;
      });
    });
    return { ids, mask };
  },
};

async function main() {
  const backend = process.argv[2] ?? 'wasm';
  const epochs = Number(process.argv[3] ?? 2);
  await initBackend(backend);
  const root = mkdtempSync(path.join(tmpdir(), 'clip-vg-train-bench-'));
  try {
    await generateSyntheticWorld({ out: root, seed: 1, train: 64, val: 16, test: 0, imageSize: 96 });
    const load = (split) => training.loadGroundingSplit({ dataset: 'synthetic', split, splitRoot: root, dataRoot: root });
    const train = load('train');
    const val = load('val');
    console.log(`${train.records.length} train / ${val.records.length} val records, ${backend}, imsize ${CONFIG.imsize}, batch 16`);
    const cases = [
      ['images, official augmentation', { augment: true }],
      ['images, eval transform', { augment: false }],
      ['cached CLIP features', { augment: false, featureCache: new training.FeatureCache() }],
    ];
    for (const [name, extra] of cases) {
      const model = ClipVG.create(CONFIG, { seed: 1 });
      const started = performance.now();
      const result = await training.trainModel({
        model,
        records: train.records,
        valRecords: val.records,
        imageRoot: train.imageRoot,
        tokenizer,
        epochs,
        batchSize: 16,
        lr: 1e-3,
        seed: 3,
        ...extra,
      });
      const last = result.history.at(-1);
      console.log(
        `${name.padEnd(32)} ${last.imagesPerSecond.toFixed(1).padStart(7)} img/s (last epoch), ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s for ${epochs} epochs incl. validation, loss ${last.loss.toFixed(3)}, tensors ${tf.memory().numTensors}`,
      );
      model.dispose();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
