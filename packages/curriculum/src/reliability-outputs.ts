import * as path from 'node:path';
import { pyFloat, TorchStorage, TorchTensor, type PyWritable } from '@clip-vg/torch-io';
import { writeFileAtomic } from '@clip-vg/torch-io';
import { reliabilityHistogram, type ReliabilityHistogram } from './histogram';
import { histogramSvg } from './report/plots';
import { svgToPng } from './report/png';
import { DEFAULT_THRESHOLDS, passes, thresholdTag } from './select';
import { PLACEHOLDER, refineRow, saveRows, type BoxNumbers, type SplitRecord } from './split-files';

/** Boxes as N rows of normalised `[cx, cy, w, h]`, or one flat array of 4N numbers. */
export type BoxList = ArrayLike<number> | readonly ArrayLike<number>[];

export interface ReliabilityOutputsInput {
  /** Dataset name as in the file names: `unc`, `unc+`, `gref`, `gref_umd`, `referit`, `flickr`. */
  dataset: string;
  records: readonly SplitRecord[];
  /** Model predictions, normalised cxcywh, unclamped (as the official file stores them). */
  predictions: BoxList;
  /** Pseudo boxes after the eval transform, normalised cxcywh. */
  gtBoxes: BoxList;
  /** IoU(clamp01(xyxy(pred)), xyxy(gt)) per record. */
  reliabilities: readonly number[];
  outDir: string;
  /** Split in the file names (default `train_pseudo`). */
  split?: string;
  /** Histogram bins over (0, 1] (default 1000, as Fig. 5). */
  bins?: number;
  /** Lower-case phrases as the official dataset's `__getitem__` does before they are written (default true). */
  lowercase?: boolean;
  /** How `bbox_ori` numbers are pickled (default `float`, as pseudo-label files store them). */
  boxNumbers?: BoxNumbers;
  /** Also render the histogram to PNG (default true). */
  plot?: boolean;
  /** With a model name, also write the official log `eval_{ds}_{evalSet}_{model}_log.txt` (args and r ≥ 0.5 fraction). */
  log?: { model: string; evalSet?: string; args?: Record<string, unknown> };
}

export interface ReliabilityOutputs {
  files: string[];
  histogram: ReliabilityHistogram;
  /** Samples kept by each refine file, keyed by its tag (`0_0` … `0_9`, `1_0`). */
  kept: Record<string, number>;
  /** Fraction with r ≥ 0.5, the number the official log prints. */
  accuracy: number;
}

/**
 * Write what `eval_for_reliability_distribution.py` writes, under the official names and layouts:
 * `{ds}_{split}_iou_result.pth` (7-lists with gt/pred float32 tensors as views of two N×4 storages),
 * `{ds}_{split}_refine_{0_0…0_9,1_0}.pth` (r > t; r == 1), `{ds}_{split}_bad_label_0_0.pth` (r == 0) and
 * `_bad_label_0_4.pth` (r < 0.4) as 6-lists, plus `{ds}_{split}_reliability_histogram.json` and `.png`.
 */
export async function writeReliabilityOutputs(input: ReliabilityOutputsInput): Promise<ReliabilityOutputs> {
  const { dataset, records, reliabilities, outDir } = input;
  const n = records.length;
  const where = `writeReliabilityOutputs(${dataset})`;
  if (reliabilities.length !== n) throw new Error(`${where}: ${n} records but ${reliabilities.length} reliabilities`);
  const pred = flatBoxes(input.predictions, n, `${where}: predictions`);
  const gt = flatBoxes(input.gtBoxes, n, `${where}: gtBoxes`);
  const prefix = path.join(outDir, `${dataset}_${input.split ?? 'train_pseudo'}`);
  const row = { lowercase: input.lowercase, boxNumbers: input.boxNumbers };
  const files: string[] = [];
  const save = (file: string, rows: PyWritable[]): void => {
    saveRows(file, rows);
    files.push(file);
  };

  const gtStorage = float32Storage(gt, '0');
  const predStorage = float32Storage(pred, '1');
  save(
    `${prefix}_iou_result.pth`,
    records.map((r, i) => {
      const [img, , bbox, phrase] = refineRow('', r, row);
      return [
        img,
        PLACEHOLDER,
        bbox,
        phrase,
        new TorchTensor(gtStorage, 4 * i, [4], [1]),
        new TorchTensor(predStorage, 4 * i, [4], [1]),
        pyFloat(reliabilities[i]),
      ];
    }),
  );

  const kept: Record<string, number> = {};
  for (const t of [...DEFAULT_THRESHOLDS, 1]) {
    const rows = records.filter((_, i) => passes(reliabilities[i], t)).map((r) => refineRow(dataset, r, row));
    kept[thresholdTag(t)] = rows.length;
    save(`${prefix}_refine_${thresholdTag(t)}.pth`, rows);
  }
  // bad labels keep the placeholders even for flickr, as the official code writes them
  const badRows = (keep: (r: number) => boolean): PyWritable[] =>
    records.flatMap((r, i) => (keep(reliabilities[i]) ? [[...refineRow('', r, row), pyFloat(reliabilities[i])]] : []));
  save(
    `${prefix}_bad_label_0_0.pth`,
    badRows((r) => r === 0),
  );
  save(
    `${prefix}_bad_label_0_4.pth`,
    badRows((r) => r < 0.4),
  );

  const histogram = reliabilityHistogram(reliabilities, input.bins ?? 1000);
  const histFile = `${prefix}_reliability_histogram`;
  writeFileAtomic(`${histFile}.json`, `${JSON.stringify({ dataset, split: input.split ?? 'train_pseudo', ...histogram })}\n`);
  files.push(`${histFile}.json`);
  if (input.plot ?? true) {
    writeFileAtomic(`${histFile}.png`, await svgToPng(histogramSvg(histogram, `Reliability of ${dataset} ${input.split ?? 'train_pseudo'}`)));
    files.push(`${histFile}.png`);
  }
  const accuracy = n === 0 ? 0 : reliabilities.filter((r) => r >= 0.5).length / n;
  if (input.log) {
    const logFile = path.join(outDir, `eval_${dataset}_${input.log.evalSet ?? 'test'}_${input.log.model}_log.txt`);
    writeFileAtomic(logFile, `${JSON.stringify(input.log.args ?? {})}\nAccuracy of r >= 0.5: ${accuracy.toFixed(6)} (${n} samples)\n`);
    files.push(logFile);
  }
  return { files, histogram, kept, accuracy };
}

function flatBoxes(boxes: BoxList, n: number, what: string): Float32Array {
  const rows = boxes as readonly ArrayLike<number>[];
  const nested = n > 0 && typeof rows[0] === 'object' && rows[0] !== null;
  const flat = nested ? Float32Array.from(rows.flatMap((b) => Array.from(b))) : Float32Array.from(boxes as ArrayLike<number>);
  if (flat.length !== 4 * n) throw new Error(`${what} hold ${flat.length} numbers, expected 4 × ${n} records`);
  return flat;
}

/** An N×4 float32 storage that the per-row tensors view, like the `torch.cat` result the official code indexes. */
function float32Storage(values: Float32Array, key: string): TorchStorage {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return new TorchStorage('float32', key, values.length, 'cpu', bytes);
}
