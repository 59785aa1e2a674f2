import * as path from 'node:path';
import sharp from 'sharp';

/** File extensions `encodeForFile` writes, and the format of each. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, 'png' | 'jpeg' | 'webp'>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

/**
 * Encoded image bytes (PNG, as `drawDetections` returns them) re-encoded in the format `file`'s extension names,
 * so that `v.jpg` holds JPEG bytes. Throws one line naming the file for an extension it does not write.
 */
export async function encodeForFile(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  const format = IMAGE_EXTENSIONS[path.extname(file).toLowerCase()];
  if (!format) throw new Error(`${file}: unknown image extension (use ${Object.keys(IMAGE_EXTENSIONS).join(', ')})`);
  if (format === 'png') return bytes;
  const out = await sharp(bytes).toFormat(format, { quality: 92 }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
