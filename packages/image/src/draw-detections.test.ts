import { createImage, type RgbImage } from './rgb-image';
import { drawDetections } from './draw-detections';
import { loadImage } from './load-image';

function grey(width: number, height: number): RgbImage {
  const img = createImage(width, height);
  img.data.fill(100);
  return img;
}

const at = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

test('draws the box where it belongs, leaves the inside alone, and sizes the canvas', async () => {
  const png = await drawDetections(grey(64, 40), [{ box: [10, 10, 30, 30], color: '#ff0000' }], { scale: 4 });
  const out = await loadImage(png);
  expect([out.width, out.height]).toEqual([256, 160]);
  expect(at(out, 41, 80)).toEqual([255, 0, 0]); // left edge at x = 10·4, stroke inside the box
  expect(at(out, 80, 41)).toEqual([255, 0, 0]); // top edge
  expect(at(out, 80, 80)).toEqual([100, 100, 100]); // inside
  expect(at(out, 36, 80)).toEqual([100, 100, 100]); // outside
});

test('a caption adds a bar above with readable (light) text; labels draw a filled tab', async () => {
  const png = await drawDetections(grey(64, 64), [{ box: [20, 30, 50, 60], label: 'cat', color: '#0000ff' }], { caption: 'the cat on the left' });
  const out = await loadImage(png); // default scale 8 → 512 px
  expect(out.width).toBe(512);
  const bar = out.height - 512;
  expect(bar).toBeGreaterThan(20);
  let light = 0;
  for (let y = 0; y < bar; y++) for (let x = 0; x < 512; x++) if (at(out, x, y)[0] > 200) light++;
  expect(light).toBeGreaterThan(100);
  // the tab sits directly above the box's top edge (y = 30·8)
  expect(at(out, 20 * 8 + 2, bar + 30 * 8 - 3)).toEqual([0, 0, 255]);
});

test('labelBelow puts the tab under the box where it fits', async () => {
  const png = await drawDetections(grey(64, 64), [{ box: [20, 10, 50, 30], label: 'all', color: '#0000ff', labelBelow: true }], { scale: 8 });
  const out = await loadImage(png);
  expect(at(out, 20 * 8 + 2, 30 * 8 + 3)).toEqual([0, 0, 255]); // just under the bottom edge
  expect(at(out, 20 * 8 + 2, 10 * 8 - 3)).toEqual([100, 100, 100]); // nothing above
});

test('bad input fails with one line', async () => {
  await expect(drawDetections(grey(8, 8), [{ box: [0, 0, 1] }])).rejects.toThrow('drawDetections: item 0 needs a box of 4 finite numbers, got [0, 0, 1]');
  await expect(drawDetections(grey(8, 8), [{ box: [0, 0, 1, 1], color: 'red"/><script' }])).rejects.toThrow(/unusable colour/);
  await expect(drawDetections(grey(8, 8), [], { scale: 0.5 })).rejects.toThrow('drawDetections: scale must be an integer in 1..64, got 0.5');
});
