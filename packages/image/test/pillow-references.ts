/** Loads test/pillow-references.json (written by generate-references.py with Pillow 9.4). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RgbImage } from '../src/rgb-image';

interface Encoded {
  width: number;
  height: number;
  data: string;
}
export interface Digest {
  width: number;
  height: number;
  sha256: string;
  mean: number;
}
export interface ReferenceCase {
  op: 'resize' | 'brightness' | 'contrast' | 'color' | 'gaussianBlur' | 'crop';
  input: string;
  width?: number;
  height?: number;
  factor?: number;
  radius?: number;
  box?: [number, number, number, number];
  output: Digest;
}

const file = JSON.parse(readFileSync(path.join(__dirname, 'pillow-references.json'), 'utf8')) as {
  inputs: Record<string, Encoded>;
  cases: ReferenceCase[];
};

export function decodeEncoded(e: Encoded): RgbImage {
  return { width: e.width, height: e.height, data: new Uint8Array(Buffer.from(e.data, 'base64')) };
}

export const referenceInputs: Record<string, RgbImage> = Object.fromEntries(Object.entries(file.inputs).map(([k, v]) => [k, decodeEncoded(v)]));

export function referenceCases(op: ReferenceCase['op']): ReferenceCase[] {
  return file.cases.filter((c) => c.op === op);
}

/** The same digest the generator stores, so a mismatch shows size and mean drift at a glance. */
export function digestOf(img: RgbImage): Digest {
  let sum = 0;
  for (const v of img.data) sum += v;
  return {
    width: img.width,
    height: img.height,
    sha256: createHash('sha256').update(img.data).digest('hex'),
    mean: sum / img.data.length,
  };
}

/** Compares sizes and hashes; the mean is only there to make a failure readable. */
export function expectMatchesDigest(img: RgbImage, expected: Digest): void {
  const actual = digestOf(img);
  expect({ ...actual, mean: Number(actual.mean.toFixed(4)) }).toEqual({ ...expected, mean: Number(expected.mean.toFixed(4)) });
}
