import sharp from 'sharp';

/** Render an SVG string to PNG bytes (librsvg; text uses the installed DejaVu fonts). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
