/**
 * Write the synthetic world to disk in the layout of a real dataset, so every command treats it like one
 * (it behaves like `unc`: RefCOCO-style 5-tuples with COCO `[x, y, w, h]` boxes):
 *
 *   <out>/images/synthetic_{split}_NNNNNN.png
 *   <out>/synthetic/synthetic_{train,val,test}.pth          clean ground truth (val: the annotated selection split)
 *   <out>/synthetic/synthetic_train_pseudo.pth              template labels (the single-source setting)
 *   <out>/synthetic/train_separate/{k}_synthetic_train_pseudo_{template,relation,caption}.pth
 *   <out>/synthetic/pseudo_truth_{source}.json              which pseudo-labels are correct (evaluation only)
 *   <out>/synthetic/captions_train.json                     clean scene captions and objects (for CLIP pretraining)
 *   <out>/synthetic/world.json                              options and counts
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { encodePng } from '@clip-vg/image';
import { refineRow } from '@clip-vg/curriculum';
import { pyTuple, savePth, writeFileAtomic, type PyWritable } from '@clip-vg/torch-io';
import type { GroundingRecord } from '../record';
import { sceneCaption } from './caption';
import { demoCaption } from './demo';
import { PSEUDO_SOURCES, type PseudoSource } from './pseudo-sources';
import { renderScene } from './render';
import { createSyntheticWorld, SYNTHETIC_SPLITS, type SyntheticSplit, type SyntheticWorld, type SyntheticWorldOptions } from './world';

export const SYNTHETIC_DATASET = 'synthetic';

export interface GenerateSyntheticOptions extends SyntheticWorldOptions {
  /** Output root: becomes both the data root (`images/`) and the split root (`synthetic/`). */
  out: string;
  /** Called after each image is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface SyntheticWorldFiles {
  root: string;
  imageDir: string;
  splitDir: string;
  splits: Record<SyntheticSplit | 'train_pseudo', string>;
  separate: Record<PseudoSource, string>;
  truth: Record<PseudoSource, string>;
  captions: string;
  summary: string;
}

export interface SyntheticWorldSummary {
  dataset: typeof SYNTHETIC_DATASET;
  boxFormat: 'xywh';
  options: SyntheticWorld['options'];
  images: Record<SyntheticSplit, number>;
  records: Record<SyntheticSplit, number>;
  pseudo: Record<PseudoSource, { labels: number; errorRate: number; configuredErrorRate: number }>;
}

/** The paths `generateSyntheticWorld` writes under `out`. */
export function syntheticWorldFiles(out: string): SyntheticWorldFiles {
  const root = path.resolve(out);
  const splitDir = path.join(root, SYNTHETIC_DATASET);
  const file = (name: string) => path.join(splitDir, name);
  return {
    root,
    imageDir: path.join(root, 'images'),
    splitDir,
    splits: {
      train: file('synthetic_train.pth'),
      val: file('synthetic_val.pth'),
      test: file('synthetic_test.pth'),
      train_pseudo: file('synthetic_train_pseudo.pth'),
    },
    separate: Object.fromEntries(
      PSEUDO_SOURCES.map((s, k) => [s, path.join(splitDir, 'train_separate', `${k + 1}_synthetic_train_pseudo_${s}.pth`)]),
    ) as Record<PseudoSource, string>,
    truth: Object.fromEntries(PSEUDO_SOURCES.map((s) => [s, file(`pseudo_truth_${s}.json`)])) as Record<PseudoSource, string>,
    captions: file('captions_train.json'),
    summary: file('world.json'),
  };
}

/** Generate the world and write it; deterministic from the seed. */
export async function generateSyntheticWorld(
  options: GenerateSyntheticOptions,
): Promise<{ world: SyntheticWorld; files: SyntheticWorldFiles; summary: SyntheticWorldSummary }> {
  const world = createSyntheticWorld(options);
  const files = syntheticWorldFiles(options.out);
  mkdirSync(files.imageDir, { recursive: true });
  mkdirSync(path.dirname(files.separate.template), { recursive: true });

  let done = 0;
  const total = world.images.length;
  const queue = world.images.slice();
  // sharp encodes on libuv threads: a few images in flight keep them busy
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let image = queue.shift(); image; image = queue.shift()) {
        writeFileAtomic(path.join(files.imageDir, image.file), await encodePng(renderScene(image.scene)));
        options.onProgress?.(++done, total);
      }
    }),
  );

  for (const split of SYNTHETIC_SPLITS)
    savePth(
      files.splits[split],
      world.splits[split].map((r) => row(r, true)),
    );
  savePth(
    files.splits.train_pseudo,
    world.pseudo.template.map((l) => row(l.record, false)),
  );
  for (const source of PSEUDO_SOURCES) {
    savePth(
      files.separate[source],
      world.pseudo[source].map((l) => row(l.record, false)),
    );
    writeJson(files.truth[source], truthFile(world, source));
  }
  writeJson(
    files.captions,
    world.images
      .filter((i) => i.split === 'train')
      .map((i) => ({
        image: i.file,
        caption: world.options.world === 'demo' ? demoCaption(i.scene) : sceneCaption(i.scene),
        objects: i.scene.objects.map((o) => ({ kind: o.kind, colour: o.colour, size: o.size, box: o.box })),
      })),
  );
  const summary = summarize(world);
  writeJson(files.summary, summary);
  return { world, files, summary };
}

/** RefCOCO layout: ground truth as tuples (as the released files), pseudo-labels as lists (as Pseudo-Q writes). */
function row(record: GroundingRecord, groundTruth: boolean): PyWritable {
  const items = refineRow('unc', record, { lowercase: false, boxNumbers: 'float' });
  return groundTruth ? pyTuple(...items) : items;
}

function truthFile(world: SyntheticWorld, source: PseudoSource) {
  const labels = world.pseudo[source];
  const noise = world.options.pseudo[source];
  return {
    source,
    note: 'evaluation only: which pseudo-labels are correct (text refers to exactly one object and IoU >= 0.5); never train on this',
    configured: { wrongBox: noise.wrongBox, ambiguous: noise.ambiguous, wrongAttribute: noise.wrongAttribute },
    errorRate: errorRate(labels),
    labels: labels.map((l, index) => ({
      index,
      image: l.record.image,
      text: l.record.text,
      box: l.record.box,
      correct: l.correct,
      failure: l.failure,
      // the box of the object the source meant to describe
      targetBox: world.images[l.imageIndex].scene.objects[l.target].box,
    })),
  };
}

function errorRate(labels: readonly { correct: boolean }[]): number {
  return labels.length === 0 ? 0 : labels.filter((l) => !l.correct).length / labels.length;
}

export function summarize(world: SyntheticWorld): SyntheticWorldSummary {
  const count = (split: SyntheticSplit) => world.images.filter((i) => i.split === split).length;
  return {
    dataset: SYNTHETIC_DATASET,
    boxFormat: 'xywh',
    options: world.options,
    images: { train: count('train'), val: count('val'), test: count('test') },
    records: { train: world.splits.train.length, val: world.splits.val.length, test: world.splits.test.length },
    pseudo: Object.fromEntries(
      PSEUDO_SOURCES.map((s) => {
        const n = world.options.pseudo[s];
        return [s, { labels: world.pseudo[s].length, errorRate: errorRate(world.pseudo[s]), configuredErrorRate: n.wrongBox + n.ambiguous + n.wrongAttribute }];
      }),
    ) as SyntheticWorldSummary['pseudo'],
  };
}

function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 1)}\n`);
}
