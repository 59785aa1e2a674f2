// Public API of the real-datasets module: split files of the TransVG / Pseudo-Q / CLIP-VG family.
export {
  DATASETS,
  DATASET_NAMES,
  isDatasetName,
  datasetInfo,
  assertSplit,
  splitFiles,
  datasetFromFileName,
  type DatasetName,
  type DatasetInfo,
  type BoxFormat,
} from './datasets';
export { boxNumbers, officialBox, storedBox, type Box } from './box';
export { recordsFromSplit, recordsToRows, type RecordsFromSplitOptions, type RecordsToRowsOptions } from './rows';
export { applyPrompt, DEFAULT_PROMPT } from './prompt';
export { loadSplitFile, loadSplit, resolveImageDir, splitNameOf, type LoadSplitFileOptions, type LoadSplitOptions } from './load';
export { loadSeparateSources, parseSeparateFileName, type SeparateSource } from './separate';
export { verifyDataset, formatVerifyReport, boxProblem, type VerifyOptions, type VerifyReport, type SplitCount, type BadBox } from './verify';
