import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { loadPth, type TorchTensor } from '@clip-vg/torch-io';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { letterbox } from './letterbox';
import { loadImage } from './load-image';

/** The official transform's output for the five clipvg-tiny images (imsize 64), as saved by the PyTorch reference. */
describeShared('letterbox reproduces the PyTorch golden image tensor and pixel mask', () => {
  const dir = sharedPath('golden', 'clipvg-tiny');
  const cases = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')).cases as { image: string }[];
  const tensors = loadPth(path.join(dir, 'tensors.pth')) as unknown as Record<string, TorchTensor>;
  const image = tensors.image.toFloat32Array(); // [5, 3, 64, 64] NCHW
  const mask = tensors.image_mask.toFloat32Array(); // [5, 64, 64]
  const size = 64;

  test('the golden tensors have the expected shapes', () => {
    expect(tensors.image.shape).toEqual([cases.length, 3, size, size]);
    expect(tensors.image_mask.shape).toEqual([cases.length, size, size]);
  });

  test.each(cases.map((c, i) => [c.image, i] as const))('%s', async (name, i) => {
    const lb = letterbox(await loadImage(path.join(dir, name)), size);
    let maxDiff = 0;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < size * size; p++) {
        const golden = image[(i * 3 + c) * size * size + p];
        maxDiff = Math.max(maxDiff, Math.abs(lb.pixels[p * 3 + c] - golden));
      }
    }
    expect(maxDiff).toBeLessThan(1e-4);
    expect(Array.from(lb.mask)).toEqual(Array.from(mask.subarray(i * size * size, (i + 1) * size * size)));
  });
});
