// A curriculum policy for `clip-vg curriculum --policy ./examples/my-policy.js`: train a measurer on every
// pseudo-label, keep the samples it scores above `keep` (--set keep=0.3; default 0.5), train the final model on them.
// Plain JavaScript (CommonJS): Node loads it as it is. For TypeScript, see packages/curriculum/README.md.
module.exports = {
  name: 'keep-above',
  description: 'one measurer on everything, keep r > keep',
  options: ['keep'],
  async run(sources, host, options) {
    const keep = Number(options.keep ?? 0.5);
    const all = Object.values(sources).flat();
    const measurer = await host.train(all, { stage: 'measurer' });
    const r = await host.score(measurer, all); // IoU(clamped prediction, pseudo box) per sample
    if (host.release) host.release(measurer);
    let selected = all.filter((_, i) => r[i] > keep);
    if (selected.length === 0) selected = all; // nothing above the bar: fall back to everything
    const model = await host.train(selected, { stage: 'final' });
    const valAccuracy = await host.evaluate(model); // val Acc@0.5, a fraction
    const trace = [{ index: 0, kind: 'select', stage: 'final', message: `kept ${selected.length} of ${all.length} with r > ${keep}` }];
    if (host.report) host.report(trace[0]);
    return { model, selected, thresholds: { all: keep }, valAccuracy, trace, reliabilities: [{ measurer: 'all', source: 'all', values: r }] };
  },
};
