// The README example: `npm run build && node packages/experiments/example.js` (about half a minute)
const { initBackend } = require('@clip-vg/backend');
const { runDemo } = require('@clip-vg/experiments');

(async () => {
  await initBackend('wasm', { log: null });
  const { results, report } = await runDemo({
    out: '/tmp/clip-vg-demo-example',
    seed: 0,
    preset: 'quick',
    settings: { trainImages: 60, valImages: 20, testImages: 20, steps: 20, evalEvery: 10, warmupSteps: 5, batchSize: 16 },
    workers: 2,
    log: (line) => console.error(line),
  });
  console.log(results.oracle, results.baseline_template, results.ssa, results.baseline_union, results.msa, report);
})();
