// Times ORT (2 threads, optimisation `all`) on the plain PyTorch export (export_clipvg.py) as `clip-vg bench`
// times this package's graph: batch 8, 20-token expressions padded to 77, square images, 1 warm-up, median of 5.
const ort = require('onnxruntime-node');
(async () => {
  const B = 8;
  const session = await ort.InferenceSession.create(process.argv[2], { graphOptimizationLevel: 'all', intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential' });
  const image = new Float32Array(B * 3 * 224 * 224).map(() => Math.random() * 2 - 1);
  const ids = new BigInt64Array(B * 77);
  for (let b = 0; b < B; b++) { ids[b * 77] = 49406n; for (let t = 1; t < 19; t++) ids[b * 77 + t] = BigInt(320 + ((b * 131 + t * 17) % 40000)); ids[b * 77 + 19] = 49407n; }
  const feeds = { image: new ort.Tensor('float32', image, [B, 3, 224, 224]), image_mask: new ort.Tensor('int64', new BigInt64Array(B * 224 * 224), [B, 224, 224]), ids: new ort.Tensor('int64', ids, [B, 77]) };
  await session.run(feeds);
  const times = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await session.run(feeds); times.push(performance.now() - t); }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(JSON.stringify({ engine: 'ort-on-pytorch-export', images_per_s: +(B * 1000 / sorted[2]).toFixed(3), runs_ms: times.map(Math.round), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
})();
