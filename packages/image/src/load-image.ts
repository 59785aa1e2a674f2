import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { assertRgbImage, type RgbImage } from './rgb-image';

export interface LoadImageOptions {
  /**
   * Rotate by the EXIF orientation tag (default false). The official code's `Image.open(f).convert('RGB')`
   * ignores EXIF, and dataset boxes are annotated on the stored pixels, so rotating would move images away
   * from their boxes. Turn it on for phone photos given to `predict` that should be upright.
   */
  autoOrient?: boolean;
}

/**
 * Decodes JPEG/PNG/WebP (anything sharp reads) to 8-bit RGB, like PIL's `convert('RGB')`: grey is replicated
 * to three channels, alpha is dropped (not composited) and an embedded ICC profile is ignored.
 */
export async function loadImage(source: string | Uint8Array, options: LoadImageOptions = {}): Promise<RgbImage> {
  const name = typeof source === 'string' ? source : '<buffer>';
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `${source}: not found` : `${source}: cannot read (${code ?? String(err)})`);
    }
  } else {
    bytes = source;
  }
  try {
    // ignoreIcc: PIL hands over the stored bytes; sharp would otherwise convert embedded profiles to sRGB.
    let pipeline = sharp(bytes, { failOn: 'error', ignoreIcc: true });
    if (options.autoOrient ?? false) pipeline = pipeline.rotate();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return toRgb(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, info.channels);
  } catch (err) {
    throw new Error(`${name}: cannot decode image (${firstLine(err)})`);
  }
}

/** PNG bytes of an RGB image (lossless, so a round trip through loadImage is exact). */
export async function encodePng(img: RgbImage): Promise<Uint8Array> {
  assertRgbImage(img, 'encodePng');
  const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.length);
}

/** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) interleaved channels → RGB. */
function toRgb(src: Uint8Array, width: number, height: number, channels: number): RgbImage {
  const n = width * height;
  if (channels === 3) return { width, height, data: src.slice() };
  if (channels < 1 || channels > 4) throw new Error(`unsupported channel count ${channels}`);
  const grey = channels <= 2;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    out[i * 3] = src[s];
    out[i * 3 + 1] = grey ? src[s] : src[s + 1];
    out[i * 3 + 2] = grey ? src[s] : src[s + 2];
  }
  return { width, height, data: out };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}
