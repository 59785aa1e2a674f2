import * as path from 'node:path';
import { writeFileAtomic } from '@clip-vg/torch-io';
import { describeThreshold } from '../trace';
import { drawReportImage, type ReportImage } from './images';
import { curveSvg, histogramGridSvg, histogramSvg } from './plots';
import { svgToPng } from './png';
import type { CurriculumResults } from './results';
import { esc } from './svg';

export interface ReportFiles {
  results: string;
  markdown: string;
  html: string;
  plots: string[];
  images: string[];
}

/**
 * Write the report folder: `results.json`, `histograms.json` (1000-bin counts), `report.md`, `report.html`,
 * `plots/*.png` (one histogram per measurer×source, the SR/CR grid when there are several, the threshold-vs-accuracy
 * curve) and `examples/*.png` (images with predicted and pseudo boxes drawn). Every file is written atomically.
 */
export async function writeReport(dir: string, results: CurriculumResults, extras: { images?: ReportImage[] } = {}): Promise<ReportFiles> {
  const { histograms, ...rest } = results;
  const files: ReportFiles = {
    results: path.join(dir, 'results.json'),
    markdown: path.join(dir, 'report.md'),
    html: path.join(dir, 'report.html'),
    plots: [],
    images: [],
  };
  writeFileAtomic(files.results, `${JSON.stringify({ ...rest, histograms: histograms.map(({ counts: _c, ...h }) => h) }, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'histograms.json'), `${JSON.stringify(histograms)}\n`);

  const figures: { file: string; caption: string }[] = [];
  const savePlot = async (name: string, svg: string, caption: string): Promise<void> => {
    const file = path.join(dir, 'plots', name);
    writeFileAtomic(file, await svgToPng(svg));
    files.plots.push(file);
    figures.push({ file: `plots/${name}`, caption });
  };
  if (results.curves.some((c) => c.points.length > 0)) {
    await savePlot(
      'threshold_curve.png',
      curveSvg(results.curves, `${results.policy}: val Acc@0.5 vs reliability threshold`),
      'Validation accuracy against the reliability threshold for each search; the kept threshold is ringed.',
    );
  }
  const several = new Set(histograms.map((h) => h.measurer)).size > 1;
  if (several) {
    await savePlot(
      'histograms_grid.png',
      histogramGridSvg(
        histograms.map((h) => ({ measurer: h.measurer, source: h.source, histogram: h })),
        'Reliability histograms: rows = measurer, columns = source (SR diagonal, CR off-diagonal)',
      ),
      'SR and CR histograms (paper Fig. 5 layout).',
    );
  }
  for (const h of histograms) {
    const name = `histogram_${safe(h.measurer)}__${safe(h.source)}.png`;
    await savePlot(
      name,
      histogramSvg(h, `${h.kind}: ${h.source} scored by the ${h.measurer} measurer`),
      `${h.kind} histogram of ${h.source} under the ${h.measurer} measurer.`,
    );
  }
  for (const [k, item] of (extras.images ?? []).entries()) {
    const file = path.join(dir, 'examples', `${String(k + 1).padStart(2, '0')}.png`);
    writeFileAtomic(file, await drawReportImage(item));
    files.images.push(file);
    figures.push({ file: `examples/${path.basename(file)}`, caption: item.title });
  }

  writeFileAtomic(files.markdown, markdownReport(results, figures));
  writeFileAtomic(files.html, htmlReport(results, figures));
  return files;
}

function sourceRows(r: CurriculumResults): string[][] {
  return r.sources.map((s) => [
    s.name,
    String(s.total),
    String(s.selected),
    s.order === null ? '-' : String(s.order),
    s.measurer ?? '-',
    s.order === null ? (s.selected > 0 ? 'pooled' : 'not used') : describeThreshold(s.threshold),
    s.file ?? '',
  ]);
}

const SOURCE_HEAD = ['source', 'samples', 'selected', 'order', 'measurer', 'kept', 'file'];

function markdownReport(r: CurriculumResults, figures: { file: string; caption: string }[]): string {
  const table = (head: string[], rows: string[][]): string => [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  return [
    `# Curriculum report: ${r.policy}${r.dataset ? ` on ${r.dataset}` : ''}`,
    '',
    `Val Acc@0.5 of the final model: **${(r.valAccuracy * 100).toFixed(2)}%**, trained on ${r.selectedSamples} of ${r.totalSamples} pseudo-labels (${r.trainings} trainings in all; host: ${r.host ?? 'unknown'}).`,
    '',
    `Options: \`${JSON.stringify(r.options)}\``,
    '',
    '## Sources',
    '',
    table(SOURCE_HEAD, sourceRows(r)),
    '',
    '## Decisions',
    '',
    ...r.trace.filter((e) => e.kind !== 'train').map((e, i) => `${i + 1}. [${e.stage}] ${e.message}`),
    '',
    '## Figures',
    '',
    ...figures.flatMap((f) => [`![${f.caption}](${f.file})`, '', `*${f.caption}*`, '']),
  ].join('\n');
}

function htmlReport(r: CurriculumResults, figures: { file: string; caption: string }[]): string {
  const row = (cells: string[], tag = 'td'): string => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Curriculum report: ${esc(r.policy)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}figure{display:inline-block;margin:1em}img{max-width:100%}</style></head>
<body><h1>Curriculum report: ${esc(r.policy)}${r.dataset ? ` on ${esc(r.dataset)}` : ''}</h1>
<p>Val Acc@0.5 of the final model: <b>${(r.valAccuracy * 100).toFixed(2)}%</b>, trained on ${r.selectedSamples} of ${r.totalSamples} pseudo-labels (${r.trainings} trainings; host: ${esc(r.host ?? 'unknown')}).</p>
<p>Options: <code>${esc(JSON.stringify(r.options))}</code></p>
<h2>Sources</h2><table>${row(SOURCE_HEAD, 'th')}${sourceRows(r)
    .map((c) => row(c))
    .join('')}</table>
<h2>Decisions</h2><ol>${r.trace
    .filter((e) => e.kind !== 'train')
    .map((e) => `<li>[${esc(e.stage)}] ${esc(e.message)}</li>`)
    .join('')}</ol>
<h2>Figures</h2>${figures.map((f) => `<figure><img src="${esc(f.file)}" alt="${esc(f.caption)}"><figcaption>${esc(f.caption)}</figcaption></figure>`).join('\n')}
</body></html>
`;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
