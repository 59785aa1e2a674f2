// Runnable README example: `npm run build -w @clip-vg/curriculum && node packages/curriculum/example.js`
const { getPolicy, createSimulatedHost, simulatedSources, summarizeRun, writeReport } = require('./dist/index.js');

(async () => {
  const sources = simulatedSources();
  const host = createSimulatedHost();
  const result = await getPolicy('msa').run(sources, host, { h0: 0.5, search: 'first-drop' });
  console.log(
    result.valAccuracy,
    result.thresholds,
    result.perSource.map((p) => `${p.order}:${p.source} by ${p.measurer}`),
  );
  const files = await writeReport('msa-report', summarizeRun('msa', {}, sources, result, { host: 'simulated' }));
  console.log(files.html);
})();
