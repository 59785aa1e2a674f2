// The README example: `npx nx run @clip-vg/experiments:build && node packages/experiments/example.js`
const { initBackend } = require('@clip-vg/backend');
const { runDemo } = require('@clip-vg/experiments');

(async () => {
  await initBackend('wasm');
  const { results, report } = await runDemo({
    out: '/tmp/clip-vg-demo-example', seed: 0, preset: 'quick',
    settings: { trainImages: 40, valImages: 12, testImages: 12, epochs: 2, pretrainEpochs: 2 }, // seconds, not minutes
    log: (line) => console.error(line),
  });
  console.log(results.oracle, results.baseline_template, results.ssa, results.baseline_union, results.msa, report);
})();
