import { referenceCases, referenceInputs, expectMatchesDigest } from '../test/pillow-references';
import { resizeBilinear } from './resize-bilinear';

describe('resizeBilinear matches Pillow 9.4 Image.resize(BILINEAR) bit for bit', () => {
  test.each(referenceCases('resize').map((c) => [`${c.input} → ${c.width}×${c.height}`, c] as const))('%s', (_name, c) => {
    const out = resizeBilinear(referenceInputs[c.input], c.width!, c.height!);
    expectMatchesDigest(out, c.output);
  });
});

test('same size returns a copy', () => {
  const img = referenceInputs.a;
  const out = resizeBilinear(img, img.width, img.height);
  expect(out.data).toEqual(img.data);
  expect(out.data).not.toBe(img.data);
});

test('bad sizes fail with one line', () => {
  expect(() => resizeBilinear(referenceInputs.a, 0, 4)).toThrow('resizeBilinear: size must be positive integers, got 0×4');
  expect(() => resizeBilinear({ width: 2, height: 2, data: new Uint8Array(3) }, 4, 4)).toThrow(/resizeBilinear: image data/);
});
