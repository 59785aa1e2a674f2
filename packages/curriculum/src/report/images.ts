import sharp from 'sharp';
import { esc, FONT } from './svg';

/** One example for the report: an image (or a blank canvas of its size) with boxes drawn on it. */
export interface ReportImage {
  title: string;
  /** Encoded image (JPEG/PNG/...) or a file path; absent: a grey canvas of `width`×`height`. */
  image?: string | Uint8Array;
  width: number;
  height: number;
  /** Pixel boxes `[x1, y1, x2, y2]` in the image's own coordinates. */
  boxes: { box: [number, number, number, number]; label?: string; color?: string; labelBelow?: boolean }[];
}

/** The image with its boxes and labels drawn, as PNG bytes. */
export async function drawReportImage(item: ReportImage): Promise<Uint8Array> {
  const base = item.image
    ? sharp(typeof item.image === 'string' ? item.image : Buffer.from(item.image)).rotate().resize(item.width, item.height, { fit: 'fill' })
    : sharp({ create: { width: item.width, height: item.height, channels: 3, background: '#b8b8b8' } });
  const overlay = item.boxes.map(({ box: [x1, y1, x2, y2], label, color = '#00c000', labelBelow = false }) => {
    const rect = `<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${color}" stroke-width="3"/>`;
    if (!label) return rect;
    const ty = (labelBelow || y1 <= 18) && y2 + 15 <= item.height ? y2 + 15 : y1 > 18 ? y1 - 5 : y1 + 15;
    return rect + `<text x="${x1 + 2}" y="${ty}" font-family="${FONT}" font-size="13" font-weight="bold" fill="${color}" stroke="black" stroke-width="0.4">${esc(label)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${item.width}" height="${item.height}">${overlay.join('')}</svg>`;
  return new Uint8Array(await base.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toBuffer());
}
