#!/usr/bin/env node
/*
 * Does splitting a batch over worker threads help the wasm backend in Node? (tfjs-backend-wasm runs
 * single-threaded in Node: its threaded build is disabled there.) Each task is a ViT-B/16-sized transformer
 * block stack on 197 tokens (width 768), so it is the same kind of work as CLIP-VG inference.
 *
 *   node packages/backend/scripts/worker-threads-bench.js [images=8] [layers=4]
 */
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

async function runImages(count, layers) {
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  const width = 768;
  const w = [
    tf.randomNormal([width, 3 * width], 0, 0.02),
    tf.randomNormal([width, width], 0, 0.02),
    tf.randomNormal([width, 4 * width], 0, 0.02),
    tf.randomNormal([4 * width, width], 0, 0.02),
  ];
  const x0 = tf.randomNormal([197, width]);
  const forward = () =>
    tf.tidy(() => {
      let x = x0;
      for (let l = 0; l < layers; l++) {
        const qkv = tf.matMul(x, w[0]);
        const [q, k, v] = tf.split(qkv, 3, 1);
        const heads = (t) => tf.transpose(tf.reshape(t, [197, 12, 64]), [1, 0, 2]);
        const att = tf.softmax(tf.div(tf.matMul(heads(q), heads(k), false, true), 8));
        const o = tf.reshape(tf.transpose(tf.matMul(att, heads(v)), [1, 0, 2]), [197, width]);
        x = tf.add(x, tf.matMul(o, w[1]));
        x = tf.add(x, tf.matMul(tf.relu(tf.matMul(x, w[2])), w[3]));
      }
      return tf.sum(x);
    });
  forward().dispose(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = forward();
    s.dataSync();
    s.dispose();
  }
  return performance.now() - t0;
}

async function main() {
  const images = Number(process.argv[2] ?? 8);
  const layers = Number(process.argv[3] ?? 4);
  const single = await runImages(images, layers);
  const workers = 2;
  const t0 = performance.now();
  const computeMs = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(__filename, { workerData: { count: images / workers, layers } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const parallel = performance.now() - t0;
  const result = {
    images,
    layers,
    single_thread_images_per_s: +(images / (single / 1000)).toFixed(3),
    // steady state: both workers computing (start-up and weight set-up excluded)
    two_workers_images_per_s: +(images / (Math.max(...computeMs) / 1000)).toFixed(3),
    two_workers_wall_images_per_s: +(images / (parallel / 1000)).toFixed(3),
    speedup: +(single / Math.max(...computeMs)).toFixed(2),
  };
  console.log(JSON.stringify(result));
}

if (isMainThread) main();
else runImages(workerData.count, workerData.layers).then((ms) => parentPort.postMessage(ms));
