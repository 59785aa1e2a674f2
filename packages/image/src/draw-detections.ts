import sharp from 'sharp';
import { assertRgbImage, type RgbImage } from './rgb-image';

export interface Detection {
  /** (x1, y1, x2, y2) in the image's pixels; parts outside the image are clipped when drawn. */
  box: readonly [number, number, number, number] | readonly number[];
  label?: string;
  /** Any SVG colour: a name, #rgb/#rrggbb or rgb(…). Default: a fixed palette by index. */
  color?: string;
  /** Put the label under the box (where it fits), e.g. to keep it apart from the label of a box at the same top. */
  labelBelow?: boolean;
}

export interface DrawOptions {
  /** Text in a bar above the image, e.g. the referring expression. */
  caption?: string;
  /**
   * Integer upscaling (nearest neighbour, so pixels stay visible) before drawing. Default: the smallest factor
   * that makes the long side at least 480 px, so labels stay readable on 64-px training images.
   */
  scale?: number;
}

const PALETTE = ['#ff3b30', '#34c759', '#007aff', '#ffcc00', '#af52de', '#ff9500', '#5ac8fa', '#ff2d55'];
const SAFE_COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([0-9.,%\s]+\))$/;

/** PNG of the image with the boxes, their labels and an optional caption drawn on top (SVG rendered by sharp). */
export async function drawDetections(img: RgbImage, items: readonly Detection[], options: DrawOptions = {}): Promise<Uint8Array> {
  assertRgbImage(img, 'drawDetections');
  const scale = options.scale ?? Math.max(1, Math.ceil(480 / Math.max(img.width, img.height)));
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new Error(`drawDetections: scale must be an integer in 1..64, got ${scale}`);
  const width = img.width * scale;
  const height = img.height * scale;
  const fontSize = Math.max(12, Math.round(Math.max(width, height) / 32));
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 160));
  const captionHeight = options.caption ? Math.round(fontSize * 1.8) : 0;

  const base = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { kernel: 'nearest' })
    .extend({ top: captionHeight, background: { r: 24, g: 24, b: 24 } })
    .png()
    .toBuffer();

  const shapes = items.map((item, i) => {
    if (item.box.length !== 4 || item.box.some((v) => !Number.isFinite(v))) {
      throw new Error(`drawDetections: item ${i} needs a box of 4 finite numbers, got [${item.box.join(', ')}]`);
    }
    const color = item.color ?? PALETTE[i % PALETTE.length];
    if (!SAFE_COLOR.test(color)) throw new Error(`drawDetections: item ${i} has an unusable colour "${color}"`);
    return boxSvg(
      item.box.map((v) => v * scale),
      item,
      color,
      { fontSize, stroke, top: captionHeight, width, height },
    );
  });
  const caption = options.caption
    ? `<text x="${fontSize / 2}" y="${captionHeight / 2}" dominant-baseline="central" font-size="${fontSize}" fill="#ffffff">${escapeXml(options.caption)}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + captionHeight}" font-family="DejaVu Sans, sans-serif">${caption}${shapes.join('')}</svg>`;

  const png = await sharp(base)
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

interface Layout {
  fontSize: number;
  stroke: number;
  top: number;
  width: number;
  height: number;
}

/** One rectangle clipped to the image, with its label on a filled tab above it (or inside at the top edge), or below. */
function boxSvg(box: number[], { label, labelBelow }: Detection, color: string, l: Layout): string {
  const x1 = clamp(Math.min(box[0], box[2]), 0, l.width);
  const x2 = clamp(Math.max(box[0], box[2]), 0, l.width);
  const y1 = clamp(Math.min(box[1], box[3]), 0, l.height) + l.top;
  const y2 = clamp(Math.max(box[1], box[3]), 0, l.height) + l.top;
  const half = l.stroke / 2;
  const rect = `<rect x="${x1 + half}" y="${y1 + half}" width="${Math.max(x2 - x1 - l.stroke, 0)}" height="${Math.max(y2 - y1 - l.stroke, 0)}" fill="none" stroke="${color}" stroke-width="${l.stroke}"/>`;
  if (!label) return rect;
  const tabHeight = Math.round(l.fontSize * 1.4);
  // An approximate advance width (DejaVu Sans averages ~0.6 em) is enough to size the tab.
  const tabWidth = Math.round(label.length * l.fontSize * 0.62 + l.fontSize * 0.6);
  const tabX = clamp(x1, 0, Math.max(l.width - tabWidth, 0));
  const below = labelBelow && y2 + tabHeight <= l.top + l.height;
  const tabY = below ? y2 : y1 - tabHeight >= l.top ? y1 - tabHeight : y1;
  return (
    rect +
    `<rect x="${tabX}" y="${tabY}" width="${tabWidth}" height="${tabHeight}" fill="${color}"/>` +
    `<text x="${tabX + l.fontSize * 0.3}" y="${tabY + tabHeight / 2}" dominant-baseline="central" font-size="${l.fontSize}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, l.fontSize / 16)}" paint-order="stroke">${escapeXml(label)}</text>`
  );
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}
