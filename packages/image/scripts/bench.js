#!/usr/bin/env node
// Times the image pipeline on a synthetic 640×480 JPEG (a COCO-sized photo). Needs the built dist: `npx tsup`.
// Usage: node packages/image/scripts/bench.js [iterations]
const sharp = require('sharp');
const img = require('../dist/index.js');

async function main() {
  const iterations = Number(process.argv[2] ?? 20);
  const width = 640;
  const height = 480;
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const decoded = await img.loadImage(jpeg);

  const cases = [
    ['loadImage 640×480 JPEG', () => img.loadImage(jpeg)],
    ['resizeBilinear 640×480 → 224×168', () => img.resizeBilinear(decoded, 224, 168)],
    ['letterbox 640×480 @ 224', () => img.letterbox(decoded, 224)],
    ['resizeBilinear 224×168 → 640×480 (upscale)', () => img.resizeBilinear(img.resizeBilinear(decoded, 224, 168), 640, 480)],
    ['adjustContrast 640×480', () => img.adjustContrast(decoded, 1.3)],
    ['adjustSaturation 640×480', () => img.adjustSaturation(decoded, 0.7)],
    ['gaussianBlur r=2 640×480', () => img.gaussianBlur(decoded, 2)],
    [
      'drawDetections 640×480, 2 boxes + caption',
      () =>
        img.drawDetections(
          decoded,
          [
            { box: [10, 20, 300, 200], label: 'a' },
            { box: [100, 100, 500, 400], label: 'b' },
          ],
          { caption: 'the man on the left' },
        ),
    ],
  ];
  for (const [name, fn] of cases) {
    await fn(); // warm-up
    const start = performance.now();
    for (let i = 0; i < iterations; i++) await fn();
    console.log(`${name.padEnd(48)} ${((performance.now() - start) / iterations).toFixed(2)} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
