/**
 * The demo's report folder: `results.json` (the numbers), `report.md` and `report.html` (the results table, a bar
 * chart, test images with predicted boxes), and one `@clip-vg/curriculum` report per policy in `ssa/` and `msa/`
 * (threshold curves, SR/CR histograms, the trace of every decision).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { GroundingRecord } from '@clip-vg/datasets';
import { drawReportImage, summarizeRun, svgToPng, writeReport } from '@clip-vg/curriculum';
import { writeFileAtomic } from '@clip-vg/torch-io';
import type { DemoMethod, DemoResults, PolicyRun } from './run-demo';

export interface DemoExample {
  record: GroundingRecord;
  /** Image file, and its side in pixels. */
  image: string;
  size: number;
  /** Predicted boxes as fractions of the image, xyxy. */
  union: [number, number, number, number];
  msa: [number, number, number, number];
}

/** A training image with one source's pseudo-label, and whether the curriculum kept it. */
export interface PseudoExample {
  /** The pseudo-labelled record (its box is the pseudo box, in pixels). */
  record: GroundingRecord;
  image: string;
  size: number;
  source: string;
  /** The object the expression means, in pixels. */
  truth: [number, number, number, number];
  correct: boolean;
  kept: boolean;
}

const LABELS: Record<DemoMethod, string> = {
  oracle: 'oracle (clean ground truth)',
  baseline_template: 'all: template',
  baseline_relation: 'all: relation',
  baseline_caption: 'all: caption',
  baseline_union: 'all: union of the three',
  ssa: 'SSA on template',
  msa: 'MSA on the three sources',
};

const SCALE = 4;

/** Writes everything and returns the path of `report.html`. */
export async function writeDemoReport(
  out: string,
  results: DemoResults,
  runs: Record<'ssa' | 'msa', PolicyRun>,
  examples: DemoExample[],
  pseudo: PseudoExample[] = [],
): Promise<string> {
  writeFileAtomic(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  for (const name of ['ssa', 'msa'] as const) {
    const { result, sources } = runs[name];
    await writeReport(path.join(out, name), summarizeRun(name, {}, sources, result, { dataset: 'synthetic', host: 'model' }));
  }
  writeFileAtomic(path.join(out, 'plots', 'accuracy.png'), await svgToPng(accuracySvg(results)));
  const exampleFiles: string[] = [];
  for (const [k, e] of examples.entries()) {
    const size = e.size * SCALE;
    const px = (b: number[]) => b.map((v) => v * size) as [number, number, number, number];
    const gt = e.record.box.map((v) => v * SCALE) as [number, number, number, number];
    const png = await drawReportImage({
      title: e.record.text,
      image: e.image,
      width: size,
      height: size,
      boxes: [
        { box: gt, label: 'truth', color: '#22aa22' },
        { box: px(e.union), label: 'all', color: '#dd3333', labelBelow: true },
        { box: px(e.msa), label: 'msa', color: '#2255ee' },
      ],
    });
    const name = `examples/${String(k + 1).padStart(2, '0')}.png`;
    writeFileAtomic(path.join(out, name), png);
    exampleFiles.push(name);
  }
  const pseudoFiles: string[] = [];
  for (const [k, e] of pseudo.entries()) {
    const scaled = (b: readonly number[]) => b.map((v) => v * SCALE) as [number, number, number, number];
    const png = await drawReportImage({
      title: `${e.record.text} (${e.source}: ${e.correct ? 'right' : 'wrong'})`,
      image: e.image,
      width: e.size * SCALE,
      height: e.size * SCALE,
      boxes: [
        { box: scaled(e.truth), label: 'truth', color: '#22aa22', labelBelow: true },
        { box: scaled(e.record.box), label: e.kept ? 'pseudo: kept' : 'pseudo: dropped', color: e.kept ? '#2255ee' : '#999999' },
      ],
    });
    const name = `examples/pseudo-${String(k + 1).padStart(2, '0')}.png`;
    writeFileAtomic(path.join(out, name), png);
    pseudoFiles.push(name);
  }
  writeFileAtomic(path.join(out, 'report.md'), markdown(results, exampleFiles, pseudoFiles));
  const html = path.join(out, 'report.html');
  const details = POLICY_FIGURES.filter((f) => existsSync(path.join(out, f.src)));
  writeFileAtomic(html, htmlPage(results, exampleFiles, examples, details, pseudoFiles, pseudo));
  return html;
}

function rows(results: DemoResults): string[][] {
  return (Object.keys(LABELS) as DemoMethod[]).map((m) => {
    const r = results.methods[m];
    return [LABELS[m], pct(r.test), pct(r.val), String(r.labels), pct(r.labelPrecision)];
  });
}

const HEADER = ['method', 'test Acc@0.5', 'val Acc@0.5', 'training labels', 'labels correct'];

function markdown(results: DemoResults, examples: string[], pseudo: string[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `# clip-vg demo (seed ${results.seed}, ${results.preset})`,
    '',
    line(HEADER),
    line(HEADER.map(() => '---')),
    ...rows(results).map(line),
    '',
    `SSA threshold: ${fmt(results.thresholds.ssa)}. MSA steps: ${steps(results)}.`,
    `${results.trainings} trainings (${results.reusedTrainings} reused), ${results.seconds.toFixed(0)} s.`,
    '',
    '![test accuracy](plots/accuracy.png)',
    '',
    'Per-policy details: [ssa/report.md](ssa/report.md), [msa/report.md](msa/report.md).',
    '',
    ...examples.map((f) => `![example](${f})`),
    '',
    ...(pseudo.length ? ['Pseudo-labels of the template source and what SSA did with them:', '', ...pseudo.map((f) => `![pseudo-label](${f})`), ''] : []),
  ].join('\n');
}

/** Plots of the per-policy reports, shown when the policy produced them (no curve without a threshold search). */
const POLICY_FIGURES = [
  { src: 'ssa/plots/threshold_curve.png', caption: 'SSA: val accuracy against the threshold' },
  { src: 'msa/plots/threshold_curve.png', caption: 'MSA: val accuracy against the threshold, per step' },
  { src: 'msa/plots/histograms_grid.png', caption: 'MSA: reliability histograms (rows measurer, columns source)' },
];

function htmlPage(
  results: DemoResults,
  files: string[],
  examples: DemoExample[],
  details: typeof POLICY_FIGURES,
  pseudoFiles: string[],
  pseudo: PseudoExample[],
): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const table = `<table><tr>${HEADER.map((h) => `<th>${h}</th>`).join('')}</tr>${rows(results)
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  const figure = (src: string, caption: string) => `<figure><img src="${src}" alt="${esc(caption)}"><figcaption>${esc(caption)}</figcaption></figure>`;
  const c = results.clip;
  const st = results.settings;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>clip-vg demo</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}figure{display:inline-block;margin:8px}img{max-width:100%}</style>
</head><body>
<h1>CLIP-VG curriculum demo on the synthetic world</h1>
<p>Seed ${results.seed}, preset <b>${results.preset}</b>: ${st.trainImages}/${st.valImages}/${st.testImages} images of the demo world,
the ${c.origin} tiny CLIP (caption retrieval top-1 ${pct(c.retrievalAccuracy)}), frozen; CLIP-VG fusion of ${st.fusionLayers} layers,
${st.fusionHeads} heads, ${st.steps} steps of batch ${st.batchSize} per training, best val checkpoint.
Accuracies are Acc@0.5 on the clean test split; val (annotated) selects thresholds.</p>
${table}
<p>SSA threshold: ${esc(fmt(results.thresholds.ssa))}. MSA steps: ${esc(steps(results))}.
${results.trainings} trainings (${results.reusedTrainings} answered by an identical earlier training), ${results.seconds.toFixed(0)} s.</p>
${results.notes.map((n) => `<p><b>Note:</b> ${esc(n)}</p>`).join('')}
${figure('plots/accuracy.png', 'Test Acc@0.5 per method')}
<h2>Curriculum details</h2>
<p><a href="ssa/report.html">SSA report</a> · <a href="msa/report.html">MSA report</a></p>
${details.map((f) => figure(f.src, f.caption)).join('\n')}
<h2>Test examples</h2>
<p>green: truth · red: the union baseline · blue: MSA</p>
${files.map((f, k) => figure(f, examples[k].record.text)).join('\n')}
${
  pseudoFiles.length
    ? `<h2>Pseudo-labels and the curriculum</h2>
<p>Training images of the ${esc(pseudo[0].source)} source: green is the object the expression means, blue a pseudo box SSA kept, grey one it dropped.</p>
${pseudoFiles.map((f, k) => figure(f, `${pseudo[k].record.text}: ${pseudo[k].correct ? 'right' : 'wrong'}, ${pseudo[k].kept ? 'kept' : 'dropped'}`)).join('\n')}`
    : ''
}
</body></html>
`;
}

/** Horizontal bars of test accuracy per method. */
function accuracySvg(results: DemoResults): string {
  const methods = Object.keys(LABELS) as DemoMethod[];
  const width = 720;
  const left = 230;
  const bar = 26;
  const height = 40 + methods.length * (bar + 8);
  const bars = methods
    .map((m, i) => {
      const y = 30 + i * (bar + 8);
      const w = (width - left - 70) * results.methods[m].test;
      const colour = m === 'oracle' ? '#888' : m.startsWith('baseline') ? '#d66' : '#46c';
      return (
        `<text x="${left - 8}" y="${y + 18}" text-anchor="end" font-size="14" font-family="DejaVu Sans">${LABELS[m]}</text>` +
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${colour}"/>` +
        `<text x="${left + w + 6}" y="${y + 18}" font-size="14" font-family="DejaVu Sans">${pct(results.methods[m].test)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="10" y="20" font-size="15" font-family="DejaVu Sans">Test Acc@0.5 (seed ${results.seed})</text>${bars}</svg>`
  );
}

function steps(results: DemoResults): string {
  return results.msaSteps.map((s) => `${s.source} by ${s.measurer} (${s.threshold === null ? 'all labels' : `r > ${s.threshold}`})`).join(', then ') || 'none';
}

function fmt(t: Record<string, number | null>): string {
  // null: the search never beat training on everything, so the measurer (all labels) was kept
  return (
    Object.entries(t)
      .map(([k, v]) => (v === null ? `${k}: all labels kept` : `${k} r > ${v}`))
      .join(', ') || '-'
  );
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
