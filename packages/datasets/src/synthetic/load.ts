/**
 * Read a written synthetic world back: its splits and pseudo-label sources as records (through the real
 * loader, as the `unc` layout they use), and the per-source truth, which evaluation may use and training must not.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { GroundingRecord } from '../record';
import { loadSplitFile } from '../real';
import { PSEUDO_SOURCES, type FailureMode, type PseudoSource } from './pseudo-sources';
import { syntheticWorldFiles, type SyntheticWorldFiles, type SyntheticWorldSummary } from './write';

export interface PseudoTruth {
  correct: boolean;
  failure: FailureMode | null;
  /** `[x1, y1, x2, y2]` of the object the source meant. */
  targetBox: [number, number, number, number];
}

export interface LoadedSyntheticWorld {
  files: SyntheticWorldFiles;
  summary: SyntheticWorldSummary;
  /** Folder the records' image names are relative to. */
  imageRoot: string;
  train: GroundingRecord[];
  val: GroundingRecord[];
  test: GroundingRecord[];
  /** Template labels: the single-source `train_pseudo` split. */
  trainPseudo: GroundingRecord[];
  /** Every source's labels (`source` set on each record), in file order. */
  sources: Record<PseudoSource, GroundingRecord[]>;
  /** Per source, aligned with `sources[source]`. Evaluation only. */
  truth: Record<PseudoSource, PseudoTruth[]>;
}

export function loadSyntheticWorld(out: string): LoadedSyntheticWorld {
  const files = syntheticWorldFiles(out);
  if (!existsSync(files.summary)) throw new Error(`${files.summary}: not found (generate the world with \`clip-vg data synthesize --out ${out}\`)`);
  const summary = JSON.parse(readFileSync(files.summary, 'utf8')) as SyntheticWorldSummary;
  const split = (name: 'train' | 'val' | 'test' | 'train_pseudo') => loadSplitFile(files.splits[name], 'unc', { split: name });
  const sources = {} as LoadedSyntheticWorld['sources'];
  const truth = {} as LoadedSyntheticWorld['truth'];
  for (const source of PSEUDO_SOURCES) {
    sources[source] = loadSplitFile(files.separate[source], 'unc', { split: `train_pseudo_${source}`, source });
    const parsed = JSON.parse(readFileSync(files.truth[source], 'utf8')) as { labels: PseudoTruth[] };
    truth[source] = parsed.labels.map(({ correct, failure, targetBox }) => ({ correct, failure, targetBox }));
    if (truth[source].length !== sources[source].length) {
      throw new Error(`${files.truth[source]}: ${truth[source].length} labels for ${sources[source].length} rows in ${files.separate[source]}`);
    }
  }
  return {
    files,
    summary,
    imageRoot: files.imageDir,
    train: split('train'),
    val: split('val'),
    test: split('test'),
    trainPseudo: split('train_pseudo'),
    sources,
    truth,
  };
}
