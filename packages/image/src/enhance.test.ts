import { expectMatchesDigest, referenceCases, referenceInputs } from '../test/pillow-references';
import { adjustBrightness, adjustContrast, adjustSaturation, toLuma } from './enhance';

const ops = { brightness: adjustBrightness, contrast: adjustContrast, color: adjustSaturation } as const;

describe('ImageEnhance ops match Pillow 9.4 bit for bit', () => {
  for (const op of Object.keys(ops) as (keyof typeof ops)[]) {
    test.each(referenceCases(op).map((c) => [`${op} ${c.input} × ${c.factor}`, c] as const))('%s', (_name, c) => {
      expectMatchesDigest(ops[op](referenceInputs[c.input], c.factor!), c.output);
    });
  }
});

test('luma uses PIL L weights with rounding', () => {
  expect(Array.from(toLuma({ width: 3, height: 1, data: new Uint8Array([255, 0, 0, 0, 255, 0, 10, 20, 30]) }))).toEqual([76, 150, 18]);
});

test('a non-finite factor fails with one line', () => {
  expect(() => adjustContrast(referenceInputs.a, Number.NaN)).toThrow('adjustContrast: factor must be a finite number, got NaN');
});
