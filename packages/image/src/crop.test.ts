import { expectMatchesDigest, referenceCases, referenceInputs } from '../test/pillow-references';
import { crop } from './crop';

test.each(referenceCases('crop').map((c) => [c.box!.join(','), c] as const))('crop %s matches PIL, black outside', (_name, c) => {
  const [x, y, w, h] = c.box!;
  expectMatchesDigest(crop(referenceInputs[c.input], x, y, w, h), c.output);
});

test('a window wholly outside is black; bad arguments fail with one line', () => {
  expect(crop(referenceInputs.a, 100, 100, 2, 2).data).toEqual(new Uint8Array(12));
  expect(() => crop(referenceInputs.a, 0.5, 0, 2, 2)).toThrow('crop: offsets must be integers, got (0.5, 0)');
  expect(() => crop(referenceInputs.a, 0, 0, 0, 2)).toThrow('crop: size must be positive integers, got 0×2');
});
