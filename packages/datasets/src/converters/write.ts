/** Writing split files that the official PyTorch code reads with `torch.load`. */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { savePth } from '@clip-vg/torch-io';

/**
 * Writes `rows` as one pickled list, as torch.save does, atomically (torch-io writes a temp file and renames it).
 * `legacy` writes the pre-1.6 stream that the original TransVG split files probably use; the default is zip.
 */
export function writeSplitFile(file: string, rows: readonly unknown[], format: 'zip' | 'legacy' = 'zip'): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  savePth(file, rows as Parameters<typeof savePth>[1], { format });
}

/** What a converter wrote, split by split. */
export interface ConvertedSplit {
  split: string;
  file: string;
  rows: number;
  images: number;
  /** Images left out because they are excluded or missing from the image folder. */
  skippedImages: string[];
}
