/** @clip-vg/curriculum: reliability measurement outputs and self-paced curriculum policies (SSA, MSA) for CLIP-VG. */
export type {
  Sample,
  CurriculumHost,
  TraceEvent,
  TraceKind,
  PolicyResult,
  PolicyOptions,
  CurriculumPolicy,
  ReliabilitySet,
  Curve,
  CurvePoint,
  SourceSelection,
} from './types';
export { selectByReliability, passes } from './select';
export { reliabilityHistogram, type ReliabilityHistogram } from './histogram';
export { greedyThresholdSearch, type Candidate } from './greedy';
export { registerPolicy, getPolicy, listPolicies, loadPolicy } from './registry';
export { allPolicy } from './policies/all';
export { fixedPolicy } from './policies/fixed';
export { ssaPolicy } from './policies/ssa';
export { msaPolicy } from './policies/msa';
export { createSimulatedHost, simulatedSources, type SimulatedModel, type SimulatedSample, type SimulatedSourceSpec } from './simulated';
export { writeReliabilityOutputs, type ReliabilityOutputsInput, type ReliabilityOutputs, type BoxList } from './reliability-outputs';
export { writeSourceSubset, writeSplitFile, sourceSubsetName, refineRow, PLACEHOLDER, type SplitRecord, type BoxNumbers, type RowOptions } from './split-files';
export { writeReport, type ReportFiles } from './report/write-report';
export { summarizeRun, type CurriculumResults, type HistogramEntry } from './report/results';
export { drawReportImage, type ReportImage } from './report/images';
export { histogramSvg, histogramGridSvg, curveSvg } from './report/plots';
export { svgToPng } from './report/png';
export { registerHostFactory, loadHost, type LoadHostOptions, listHostFactories, checkHostOptions, type HostSession, type HostFactory } from './hosts';
export { runExperiment, type ExperimentInput, type ExperimentOutput } from './experiment';
