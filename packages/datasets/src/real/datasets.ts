/**
 * The six visual-grounding datasets of the TransVG / Pseudo-Q / CLIP-VG family: which splits each one has,
 * how its split files store boxes and where its images live.
 */

export type DatasetName = 'unc' | 'unc+' | 'gref' | 'gref_umd' | 'referit' | 'flickr' | 'synthetic';

/** `xywh`: COCO convention (top-left corner plus size); `xyxy`: two corners. */
export type BoxFormat = 'xywh' | 'xyxy';

export interface DatasetInfo {
  /** Split names the official loader accepts (`SUPPORTED_DATASETS`), in its order. */
  splits: readonly string[];
  /** How element `bbox` of a row is stored in ground-truth and pseudo-label split files. */
  boxFormat: BoxFormat;
  /** Elements per row: 5 `(img, mask, bbox, phrase, attributes)` or 3 `(img, bbox, phrase)` for Flickr. */
  tupleSize: 3 | 5;
  /** Image folders relative to `data_root`, the preferred spelling first. */
  imageDir: readonly string[];
  /** REFER dataset and splitBy the split files were made from (COCO family only). */
  refer?: { dataset: string; splitBy: string };
}

const COCO_IMAGES = ['other/images/mscoco/images/train2014'];

export const DATASETS: Readonly<Record<DatasetName, DatasetInfo>> = {
  unc: {
    splits: ['train', 'val', 'trainval', 'testA', 'testB', 'train_pseudo'],
    boxFormat: 'xywh',
    tupleSize: 5,
    imageDir: COCO_IMAGES,
    refer: { dataset: 'refcoco', splitBy: 'unc' },
  },
  'unc+': {
    splits: ['train', 'val', 'trainval', 'testA', 'testB', 'train_pseudo'],
    boxFormat: 'xywh',
    tupleSize: 5,
    imageDir: COCO_IMAGES,
    refer: { dataset: 'refcoco+', splitBy: 'unc' },
  },
  gref: {
    splits: ['train', 'val', 'train_pseudo'],
    boxFormat: 'xywh',
    tupleSize: 5,
    imageDir: COCO_IMAGES,
    refer: { dataset: 'refcocog', splitBy: 'google' },
  },
  gref_umd: {
    splits: ['train', 'val', 'test', 'train_pseudo'],
    boxFormat: 'xywh',
    tupleSize: 5,
    imageDir: COCO_IMAGES,
    refer: { dataset: 'refcocog', splitBy: 'umd' },
  },
  referit: {
    splits: ['train', 'val', 'trainval', 'test', 'train_pseudo'],
    boxFormat: 'xyxy',
    tupleSize: 5,
    imageDir: ['referit/images'],
  },
  flickr: {
    splits: ['train', 'val', 'test', 'train_pseudo'],
    boxFormat: 'xyxy',
    tupleSize: 3,
    // CLIP-VG, HiVG and Pseudo-Q use the hyphen; TransVG, ReSC and onestage the underscore.
    imageDir: ['Flickr30k/flickr30k-images', 'Flickr30k/flickr30k_images'],
  },
  // The synthetic grounding world (`clip-vg data synthesize`): RefCOCO-style rows, split root = data root = its folder.
  synthetic: {
    splits: ['train', 'val', 'test', 'train_pseudo'],
    boxFormat: 'xywh',
    tupleSize: 5,
    imageDir: ['images'],
  },
};

export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

export function isDatasetName(name: string): name is DatasetName {
  return Object.prototype.hasOwnProperty.call(DATASETS, name);
}

/** The dataset named `name`, or a one-line error listing the known ones. */
export function datasetInfo(name: string): DatasetInfo {
  if (!isDatasetName(name)) throw new Error(`unknown dataset "${name}": expected one of ${DATASET_NAMES.join(', ')}`);
  return DATASETS[name];
}

/** Throws when `dataset` lacks `split`, naming the splits it has (the official loader's ValueError). */
export function assertSplit(dataset: DatasetName, split: string): void {
  const { splits } = DATASETS[dataset];
  if (!splits.includes(split)) {
    throw new Error(`dataset ${dataset} does not have split ${split}: it has ${splits.join(', ')}`);
  }
}

/**
 * The split files that make up `split`: `trainval` is its own file for ReferIt only; elsewhere it is
 * `train` followed by `val`, as the official loader concatenates them.
 */
export function splitFiles(dataset: DatasetName, split: string): string[] {
  assertSplit(dataset, split);
  const parts = split === 'trainval' && dataset !== 'referit' ? ['train', 'val'] : [split];
  return parts.map((part) => `${dataset}_${part}.pth`);
}

/**
 * Guess the dataset from a split file name (`unc+_val.pth`, `gref_umd_train_pseudo.pth`,
 * `1_unc+_train_pseudo_template_0_5.pth`); undefined when nothing matches.
 */
export function datasetFromFileName(fileName: string): DatasetName | undefined {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/^\d+_/, '');
  // Longest names first so that `gref_umd_…` is not taken for `gref` and `unc+_…` not for `unc`.
  const byLength = [...DATASET_NAMES].sort((a, b) => b.length - a.length);
  return byLength.find((name) => base.startsWith(`${name}_`));
}
