import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeEncoded } from '../test/pillow-references';
import { encodePng, loadImage } from './load-image';
import { referenceInputs } from '../test/pillow-references';

const decodeDir = path.join(__dirname, '..', 'test', 'decode');
const expected = JSON.parse(readFileSync(path.join(decodeDir, 'expected.json'), 'utf8')) as Record<string, { width: number; height: number; data: string }>;

describe("loadImage decodes like PIL's Image.open(f).convert('RGB')", () => {
  test.each(Object.keys(expected))('%s', async (name) => {
    const img = await loadImage(path.join(decodeDir, name));
    const want = decodeEncoded(expected[name]);
    expect([img.width, img.height]).toEqual([want.width, want.height]);
    // JPEG too: sharp's mozjpeg and Pillow's libjpeg-turbo share the integer IDCT and fancy upsampling.
    expect(Buffer.from(img.data).equals(Buffer.from(want.data))).toBe(true);
  });
});

test('encodePng round-trips exactly and accepts a byte source', async () => {
  const img = referenceInputs.b;
  const back = await loadImage(await encodePng(img));
  expect([back.width, back.height]).toEqual([img.width, img.height]);
  expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
});

test('lossless WebP decodes to the same pixels', async () => {
  const img = referenceInputs.b;
  const webp = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .webp({ lossless: true })
    .toBuffer();
  expect(Buffer.from((await loadImage(webp)).data).equals(Buffer.from(img.data))).toBe(true);
});

test('EXIF orientation is ignored by default, as PIL does, and applied on request', async () => {
  const img = referenceInputs.a; // 37×23
  const tagged = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .png()
    .toBuffer();
  const raw = await loadImage(tagged);
  expect([raw.width, raw.height]).toEqual([37, 23]);
  const rotated = await loadImage(tagged, { autoOrient: true });
  expect([rotated.width, rotated.height]).toEqual([23, 37]);
  // orientation 6 = rotate 90° clockwise: the source's bottom-left pixel becomes the top-left
  const bottomLeft = (img.height - 1) * img.width * 3;
  expect(Array.from(rotated.data.subarray(0, 3))).toEqual(Array.from(img.data.subarray(bottomLeft, bottomLeft + 3)));
});

test('an embedded ICC profile is ignored, as PIL does: the stored bytes come back', async () => {
  const img = referenceInputs.a;
  const p3 = () => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).withIccProfile('p3');
  const tagged = await p3().png().toBuffer();
  const stored = new Uint8Array(await p3().raw().toBuffer());
  expect(Buffer.from(stored).equals(Buffer.from(img.data))).toBe(false); // the profile did change the stored values
  expect(Buffer.from((await loadImage(tagged)).data).equals(Buffer.from(stored))).toBe(true);
});

test('errors name the file and the problem in one line', async () => {
  await expect(loadImage('/nonexistent/x.png')).rejects.toThrow(/^\/nonexistent\/x\.png: not found$/);
  await expect(loadImage(__filename)).rejects.toThrow(new RegExp(`^${__filename.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot decode image \\(.+\\)$`));
  await expect(loadImage(new Uint8Array([1, 2, 3]))).rejects.toThrow(/^<buffer>: cannot decode image \(/);
});
