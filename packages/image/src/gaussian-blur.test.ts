import { expectMatchesDigest, referenceCases, referenceInputs } from '../test/pillow-references';
import { gaussianBlur } from './gaussian-blur';

describe('gaussianBlur matches Pillow 9.4 ImageFilter.GaussianBlur bit for bit', () => {
  test.each(referenceCases('gaussianBlur').map((c) => [`${c.input} r=${c.radius}`, c] as const))('%s', (_name, c) => {
    expectMatchesDigest(gaussianBlur(referenceInputs[c.input], c.radius!), c.output);
  });
});

test('radius 0 is a copy; a negative radius fails with one line', () => {
  expect(gaussianBlur(referenceInputs.a, 0).data).toEqual(referenceInputs.a.data);
  expect(() => gaussianBlur(referenceInputs.a, -1)).toThrow('gaussianBlur: radius must be a finite number ≥ 0, got -1');
});
