/** Minimal SVG building blocks for the report's plots (rendered to PNG by sharp/librsvg with DejaVu fonts). */

export const FONT = 'DejaVu Sans, sans-serif';
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function svgDocument(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="white"/>${body}</svg>`
  );
}

export function text(
  x: number,
  y: number,
  content: string,
  opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: string; rotate?: boolean; color?: string } = {},
): string {
  const transform = opts.rotate ? ` transform="rotate(-90 ${x} ${y})"` : '';
  return (
    `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${opts.size ?? 12}" text-anchor="${opts.anchor ?? 'start'}"` +
    ` font-weight="${opts.weight ?? 'normal'}" fill="${opts.color ?? '#222'}"${transform}>${esc(content)}</text>`
  );
}

/** A plot area: maps data coordinates to pixels and draws its axes with ticks and labels. */
export class PlotArea {
  constructor(
    readonly x: number,
    readonly y: number,
    readonly width: number,
    readonly height: number,
    readonly xRange: [number, number],
    readonly yRange: [number, number],
  ) {}

  px(v: number): number {
    const [a, b] = this.xRange;
    return this.x + ((v - a) / (b - a || 1)) * this.width;
  }

  py(v: number): number {
    const [a, b] = this.yRange;
    return this.y + this.height - ((v - a) / (b - a || 1)) * this.height;
  }

  axes(xTicks: number[], yTicks: number[], fmtX: (v: number) => string, fmtY: (v: number) => string, size = 11): string {
    const bottom = this.y + this.height;
    let out = `<rect x="${this.x}" y="${this.y}" width="${this.width}" height="${this.height}" fill="none" stroke="#444"/>`;
    for (const t of xTicks) {
      const x = this.px(t);
      out += `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#444"/>` + text(x, bottom + 6 + size, fmtX(t), { size, anchor: 'middle' });
    }
    for (const t of yTicks) {
      const y = this.py(t);
      out +=
        `<line x1="${this.x - 4}" y1="${y}" x2="${this.x}" y2="${y}" stroke="#444"/>` +
        `<line x1="${this.x}" y1="${y}" x2="${this.x + this.width}" y2="${y}" stroke="#eee"/>` +
        text(this.x - 6, y + size / 3, fmtY(t), { size, anchor: 'end' });
    }
    return out;
  }
}

/** About `count` round tick values from `min`, the last one at or above `max`. */
export function niceTicks(max: number, count = 5, min = 0): number[] {
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = min; ticks.length === 0 || ticks[ticks.length - 1] < max - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}
