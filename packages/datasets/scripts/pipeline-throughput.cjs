#!/usr/bin/env node
/**
 * Images per second the batch pipeline delivers, with and without augmentation, for 0..N worker threads.
 * Runs on the built packages: `npx nx run @clip-vg/datasets:build` (and its dependencies) first, then
 *   node packages/datasets/scripts/pipeline-throughput.cjs [--imsize 224] [--images 400] [--batch 32] [--workers 0,1,2]
 * The synthetic world (128 px PNGs) is generated into a temporary folder and removed afterwards.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir, cpus } = require('node:os');
const path = require('node:path');
const { generateSyntheticWorld, BatchLoader } = require('../dist/index.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function measure(records, imageRoot, options) {
  const loader = new BatchLoader({ records, imageRoot, ...options });
  try {
    // one warm-up batch starts the workers and fills caches, then a full epoch is timed
    for await (const _ of loader.epoch(100)) break;
    const start = process.hrtime.bigint();
    let images = 0;
    for await (const batch of loader.epoch(0)) images += batch.size;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return images / seconds;
  } finally {
    await loader.close();
  }
}

async function main() {
  const imsize = Number(arg('imsize', '224'));
  const count = Number(arg('images', '400'));
  const batchSize = Number(arg('batch', '32'));
  const workerCounts = arg('workers', '0,1,2').split(',').map(Number);
  const out = mkdtempSync(path.join(tmpdir(), 'clipvg-throughput-'));
  try {
    const { world, files } = await generateSyntheticWorld({ out, seed: 1, train: Math.ceil(count / 2.5), val: 0, test: 0 });
    const records = world.splits.train.slice(0, count);
    console.log(
      `${records.length} records, ${world.options.imageSize} px PNGs → ${imsize} px, batch ${batchSize}, ${cpus().length} cores (${cpus()[0].model})`,
    );
    for (const augment of [false, true]) {
      for (const workers of workerCounts) {
        const rate = await measure(records, files.imageDir, { imsize, batchSize, augment, workers, prefetch: 2 });
        console.log(`augment=${augment ? 'on ' : 'off'} workers=${workers}: ${rate.toFixed(1)} images/s`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`pipeline-throughput: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
