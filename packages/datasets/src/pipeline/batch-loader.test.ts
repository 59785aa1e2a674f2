import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClipTokenizer } from '@clip-vg/clip-encoders';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { evalTransform } from '../augment';
import { loadImage } from '@clip-vg/image';
import { generateSyntheticWorld, type SyntheticWorld } from '../synthetic';
import { BatchLoader, createBatchStream, evalTransformRecord, type Batch } from './index';

const out = mkdtempSync(path.join(tmpdir(), 'clipvg-pipeline-'));
let world: SyntheticWorld;
let imageRoot: string;

beforeAll(async () => {
  const generated = await generateSyntheticWorld({ out, seed: 2, train: 10, val: 4, test: 0, imageSize: 80 });
  world = generated.world;
  imageRoot = generated.files.imageDir;
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function collect(stream: AsyncIterable<Batch>): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const batch of stream) batches.push(batch);
  return batches;
}

describe('batch pipeline', () => {
  test('eval batches: letterboxed images, masks, boxes and geometry, in record order', async () => {
    const records = world.splits.val;
    const batches = await collect(createBatchStream({ records, imageRoot, imsize: 48, batchSize: 4, workers: 0 }));
    expect(batches.map((b) => b.size)).toEqual(splitSizes(records.length, 4));
    const first = batches[0];
    expect(first.images).toHaveLength(4 * 48 * 48 * 3);
    expect(first.pixelMasks).toHaveLength(4 * 48 * 48);
    const ref = evalTransform(await loadImage(path.join(imageRoot, records[1].image)), records[1].box, 48);
    expect(first.images.subarray(48 * 48 * 3, 2 * 48 * 48 * 3)).toEqual(ref.pixels);
    expect(Array.from(first.boxes.subarray(4, 8))).toEqual(Array.from(Float32Array.from(ref.box)));
    expect(first.records).toEqual(records.slice(0, 4));
    expect(first.geometry?.[1]).toEqual({ imsize: 48, ratio: 0.6, top: 0, left: 0 });
    const single = await evalTransformRecord(records[1], imageRoot, 48);
    expect(single.pixels).toEqual(ref.pixels);
  });

  test('worker threads give the same batches as the calling thread, whatever their number', async () => {
    const records = world.splits.train.slice(0, 10);
    const options = { records, imageRoot, imsize: 40, batchSize: 3, augment: true, seed: 9, layout: 'nchw' as const };
    const inline = await collect(createBatchStream({ ...options, workers: 0 }));
    const threaded = await collect(createBatchStream({ ...options, workers: 2, prefetch: 2 }));
    expect(threaded.map((b) => b.records.map((r) => r.id))).toEqual(inline.map((b) => b.records.map((r) => r.id)));
    threaded.forEach((b, i) => {
      expect(b.images).toEqual(inline[i].images);
      expect(b.boxes).toEqual(inline[i].boxes);
      expect(b.pixelMasks).toEqual(inline[i].pixelMasks);
    });
    // shuffled, and epochs differ
    const ids = inline.flatMap((b) => b.records.map((r) => r.id));
    expect(ids).not.toEqual(records.map((r) => r.id));
    const loader = new BatchLoader({ ...options, workers: 0 });
    const epoch1 = await collect(loader.epoch(1));
    expect(epoch1[0].images).not.toEqual(inline[0].images);
  });

  test('nchw is the transpose of nhwc', async () => {
    const records = world.splits.val.slice(0, 2);
    const [nhwc] = await collect(createBatchStream({ records, imageRoot, imsize: 32, batchSize: 2, workers: 0 }));
    const [nchw] = await collect(createBatchStream({ records, imageRoot, imsize: 32, batchSize: 2, workers: 0, layout: 'nchw' }));
    const plane = 32 * 32;
    for (const p of [0, 77, 1023]) {
      for (let c = 0; c < 3; c++) expect(nchw.images[plane * 3 + c * plane + p]).toBe(nhwc.images[plane * 3 + p * 3 + c]);
    }
  });

  test('prefetch bounds the samples in flight while the consumer is slow', async () => {
    const started = new Set<string>();
    // a sample task reads its record's image path when its batch is started
    const records = world.splits.train.slice(0, 12).map((r) => {
      const copy = { ...r };
      Object.defineProperty(copy, 'image', { get: () => (started.add(r.id), r.image), enumerable: true });
      return copy;
    });
    const loader = new BatchLoader({ records, imageRoot, imsize: 32, batchSize: 2, workers: 0, prefetch: 2 });
    const iterator = loader.epoch(0);
    await iterator.next();
    await new Promise((r) => setTimeout(r, 200)); // a slow training step
    // the first batch plus at most `prefetch` more: 3 batches × 2 samples, never the whole epoch
    expect(started.size).toBeLessThanOrEqual(6);
    let batches = 1;
    while (!(await iterator.next()).done) batches++;
    expect(batches).toBe(6);
    expect(started.size).toBe(12);
  });

  test('dropLast and a missing image fail cleanly', async () => {
    const records = world.splits.train.slice(0, 7);
    expect(new BatchLoader({ records, imageRoot, imsize: 32, batchSize: 3, dropLast: true }).length).toBe(2);
    const broken = [{ ...records[0], image: 'missing.png' }];
    await expect(collect(createBatchStream({ records: broken, imageRoot, imsize: 32, batchSize: 1, workers: 1 }))).rejects.toThrow(/missing\.png: not found/);
    expect(() => new BatchLoader({ records, imageRoot, imsize: 32, batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});

describeShared('batch pipeline with the CLIP tokenizer', () => {
  test('token ids and text masks per sample', async () => {
    const tokenizer = await ClipTokenizer.load(sharedPath('vocab', 'bpe_simple_vocab_16e6.txt.gz'));
    const records = world.splits.val.slice(0, 3);
    const [batch] = await collect(createBatchStream({ records, imageRoot, imsize: 32, batchSize: 3, workers: 0, tokenizer, contextLength: 20 }));
    expect(batch.tokenIds).toHaveLength(3 * 20);
    expect(batch.tokenIds![0]).toBe(49406);
    const expected = tokenizer.tokenize(
      records.map((r) => r.text.toLowerCase()),
      { contextLength: 20 },
    );
    expect(batch.tokenIds).toEqual(expected.ids);
    expect(batch.textMasks).toEqual(expected.mask);
  });
});

function splitSizes(n: number, b: number): number[] {
  return Array.from({ length: Math.ceil(n / b) }, (_, i) => Math.min(b, n - i * b));
}
