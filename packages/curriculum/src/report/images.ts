import { drawDetections, type RgbImage } from '@clip-vg/image';
import sharp from 'sharp';

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

const CANVAS_GREY = 0xb8;

/** The image at `width`×`height` with its boxes and labels drawn (by `@clip-vg/image`'s `drawDetections`), as PNG bytes. */
export async function drawReportImage(item: ReportImage): Promise<Uint8Array> {
  const boxes = item.boxes.map(({ box, label, color = '#00c000', labelBelow }) => ({ box, label, color, labelBelow }));
  return drawDetections(await reportCanvas(item), boxes, { scale: 1 });
}

async function reportCanvas(item: ReportImage): Promise<RgbImage> {
  const { width, height } = item;
  if (!item.image) return { width, height, data: new Uint8Array(width * height * 3).fill(CANVAS_GREY) };
  const input = typeof item.image === 'string' ? item.image : Buffer.from(item.image);
  const data = await sharp(input).rotate().resize(width, height, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
