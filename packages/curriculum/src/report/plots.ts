import { coarsen, type ReliabilityHistogram } from '../histogram';
import type { Curve } from '../types';
import { niceTicks, PALETTE, PlotArea, svgDocument, text } from './svg';

const X_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** Bars of one histogram inside `area`; 1000 bins are drawn merged to `displayBins` so bars stay visible. */
function bars(area: PlotArea, h: ReliabilityHistogram, displayBins: number, color: string): { svg: string; max: number } {
  const shown = h.bins > displayBins && h.bins % displayBins === 0 ? coarsen(h, h.bins / displayBins) : h;
  const max = Math.max(1, ...shown.counts);
  const w = area.width / shown.bins;
  let svg = '';
  shown.counts.forEach((c, k) => {
    if (c === 0) return;
    const top = area.py(c);
    svg += `<rect x="${(area.x + k * w).toFixed(2)}" y="${top.toFixed(2)}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${(area.y + area.height - top).toFixed(2)}" fill="${color}"/>`;
  });
  return { svg, max };
}

function scaledArea(x: number, y: number, w: number, h: number, hist: ReliabilityHistogram, displayBins: number): PlotArea {
  const shown = hist.bins > displayBins && hist.bins % displayBins === 0 ? coarsen(hist, hist.bins / displayBins) : hist;
  const max = Math.max(1, ...shown.counts);
  return new PlotArea(x, y, w, h, [0, 1], [0, niceTicks(max * 1.05).at(-1)!]);
}

/** One reliability histogram (counts over (0, 1]) with the number of IoU-0 samples in the caption. */
export function histogramSvg(h: ReliabilityHistogram, title: string, displayBins = 100): string {
  const W = 640;
  const H = 400;
  const area = scaledArea(70, 40, W - 100, H - 110, h, displayBins);
  const { svg } = bars(area, h, displayBins, PALETTE[0]);
  const body =
    text(W / 2, 24, title, { size: fit(title, W - 20, 15), anchor: 'middle', weight: 'bold' }) +
    area.axes(
      X_TICKS,
      niceTicks(area.yRange[1]),
      (v) => v.toFixed(1),
      (v) => String(v),
    ) +
    svg +
    text(area.x + area.width / 2, H - 38, `reliability r (IoU of the measurer's prediction with the pseudo box), ${Math.min(h.bins, displayBins)} bars`, {
      size: 12,
      anchor: 'middle',
    }) +
    text(20, area.y + area.height / 2, 'samples', { size: 12, anchor: 'middle', rotate: true }) +
    text(area.x + area.width / 2, H - 14, `${h.total} samples; ${h.zeros} with r = 0 (outside (0, 1], never selected); ${h.bins} bins in the JSON`, {
      size: 11,
      anchor: 'middle',
      color: '#555',
    });
  return svgDocument(W, H, body);
}

/** The n×n grid of Fig. 5: row = measurer, column = source; SR on the diagonal, CR elsewhere. */
export function histogramGridSvg(cells: { measurer: string; source: string; histogram: ReliabilityHistogram }[], title: string, displayBins = 50): string {
  const measurers = unique(cells.map((c) => c.measurer));
  const sources = unique(cells.map((c) => c.source));
  const cw = 260;
  const ch = 190;
  const left = 90;
  const top = 70;
  const W = left + cw * sources.length + 20;
  const H = top + ch * measurers.length + 20;
  let body = text(W / 2, 26, title, { size: fit(title, W - 20, 16), anchor: 'middle', weight: 'bold' });
  sources.forEach((s, j) => (body += text(left + j * cw + cw / 2, 54, `source: ${s}`, { size: 13, anchor: 'middle', weight: 'bold' })));
  measurers.forEach((m, i) => (body += text(24, top + i * ch + ch / 2, `measurer: ${m}`, { size: 13, anchor: 'middle', weight: 'bold', rotate: true })));
  for (const cell of cells) {
    const i = measurers.indexOf(cell.measurer);
    const j = sources.indexOf(cell.source);
    const area = scaledArea(left + j * cw + 40, top + i * ch + 22, cw - 60, ch - 60, cell.histogram, displayBins);
    const kind = cell.measurer === cell.source ? 'SR' : 'CR';
    body += text(area.x + area.width / 2, area.y - 6, `${kind}: ${cell.source} by ${cell.measurer}`, { size: 11, anchor: 'middle' });
    body += area.axes(
      [0, 0.5, 1],
      niceTicks(area.yRange[1], 3),
      (v) => v.toFixed(1),
      (v) => String(v),
      10,
    );
    body += bars(area, cell.histogram, displayBins, kind === 'SR' ? PALETTE[0] : PALETTE[3]).svg;
  }
  return svgDocument(W, H, body);
}

/** Validation accuracy against threshold for each search; the point a search kept is ringed. */
export function curveSvg(curves: Curve[], title: string): string {
  const W = 640;
  const H = 420;
  const points = curves.flatMap((c) => c.points);
  const accs = points.map((p) => p.accuracy * 100);
  const lo = Math.max(0, Math.floor(Math.min(...accs, 100) / 5) * 5 - 5);
  const yTicks = niceTicks(Math.min(100, Math.max(...accs, 0) + 2), 5, lo);
  const hi = yTicks[yTicks.length - 1];
  // "no selection" (null) is drawn at x = -0.1, left of the threshold axis
  const area = new PlotArea(70, 40, W - 100, H - 150, [-0.15, 1.0], [lo, hi]);
  let body = text(W / 2, 24, title, { size: fit(title, W - 20, 15), anchor: 'middle', weight: 'bold' });
  body += area.axes(
    [...X_TICKS],
    yTicks,
    (v) => v.toFixed(1),
    (v) => v.toFixed(0),
  );
  body += text(area.px(-0.1), area.y + area.height + 17, 'all', { size: 11, anchor: 'middle' });
  curves.forEach((c, k) => {
    const color = PALETTE[k % PALETTE.length];
    const xy = c.points.map((p) => [area.px(p.threshold ?? -0.1), area.py(p.accuracy * 100)] as const);
    body += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
    c.points.forEach((p, n) => {
      const [x, y] = xy[n];
      body += `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${color}"/>`;
      if (p.threshold === c.chosen) body += `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="8" fill="none" stroke="${color}" stroke-width="2"/>`;
    });
    body +=
      `<rect x="${area.x + 10}" y="${H - 66 + k * 16}" width="12" height="4" fill="${color}"/>` + text(area.x + 28, H - 60 + k * 16, c.label, { size: 11 });
  });
  body += text(area.x + area.width / 2, area.y + area.height + 36, 'reliability threshold h (train on r > h)', { size: 12, anchor: 'middle' });
  body += text(20, area.y + area.height / 2, 'val Acc@0.5 (%)', { size: 12, anchor: 'middle', rotate: true });
  return svgDocument(W, H + Math.max(0, curves.length - 3) * 16, body);
}

/** A font size at most `max` at which `title` fits in `width` pixels (bold DejaVu averages ~0.62 em per glyph). */
function fit(title: string, width: number, max: number): number {
  return Math.max(8, Math.min(max, Math.floor(width / (0.62 * title.length))));
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
