import * as path from 'node:path';
import type { HostSession } from './hosts';
import { writeReport, type ReportFiles } from './report/write-report';
import { summarizeRun, type CurriculumResults } from './report/results';
import { asSplitRecords, isSplitRecord, writeSourceSubset, writeSplitFile } from './split-files';
import type { CurriculumPolicy, PolicyResult, TraceEvent } from './types';

export interface ExperimentInput<M> {
  policy: CurriculumPolicy;
  options: Record<string, unknown>;
  session: HostSession<M>;
  outDir: string;
  /** Host name for the report. */
  hostName?: string;
  /**
   * Write the selected subsets as `.pth` split files: `auto` (default) when every sample carries image, boxOriginal
   * and text; `true` demands it (checked before the policy runs, so a long run never fails at the end).
   */
  writeSubsets?: boolean | 'auto';
  /** Report images to draw (default 4). */
  examples?: number;
  /** Called for every trace event (progress display). */
  onEvent?: (event: TraceEvent) => void;
}

export interface ExperimentOutput<M> {
  result: PolicyResult<M>;
  summary: CurriculumResults;
  report: ReportFiles;
  /** Split files written: per-source `train_separate/{k}_{ds}_train_pseudo_{source}_{t}.pth`, then the merged split. */
  splits: string[];
  modelFile?: string;
}

/**
 * Run one curriculum experiment end to end: the policy on the session's sources, the selected subsets as split
 * files, the final model (when the session can save it), and the report folder.
 */
export async function runExperiment<M>(input: ExperimentInput<M>): Promise<ExperimentOutput<M>> {
  const { policy, options, session, outDir } = input;
  checkPolicyOptions(policy, options);
  const all = Object.values(session.sources).flat();
  const recordsOk = all.every(isSplitRecord);
  const writeSubsets = input.writeSubsets === false ? false : recordsOk;
  if (input.writeSubsets === true && !recordsOk) asSplitRecords(all, `host ${input.hostName ?? session.dataset}`);
  const hostReport = session.host.report?.bind(session.host);
  const host = {
    ...session.host,
    report: (e: TraceEvent) => {
      hostReport?.(e);
      input.onEvent?.(e);
    },
  };
  // methods of class-based hosts need their receiver
  for (const k of ['train', 'score', 'evaluate', 'release'] as const) {
    const fn = session.host[k] as ((...a: unknown[]) => unknown) | undefined;
    if (fn) (host as Record<string, unknown>)[k] = fn.bind(session.host);
  }
  // count trainings here: a user policy's trace need not list them
  let trainings = 0;
  const train = host.train;
  host.train = (samples, info) => {
    trainings++;
    return train(samples, info);
  };
  const result = checkPolicyResult(policy.name, await policy.run(session.sources, host as typeof session.host, options));
  const summary = summarizeRun(policy.name, options, session.sources, result, { dataset: session.dataset, host: input.hostName, trainings });

  const splits: string[] = [];
  if (writeSubsets) {
    const separate = path.join(outDir, 'train_separate');
    for (const p of result.perSource ?? []) {
      const file = writeSourceSubset({
        outDir: separate,
        order: p.order,
        dataset: session.dataset,
        source: p.source,
        threshold: p.threshold,
        records: asSplitRecords(p.samples, `source ${p.source}`),
      });
      splits.push(file);
      const entry = summary.sources.find((s) => s.name === p.source);
      if (entry) entry.file = path.relative(outDir, file);
    }
    splits.push(writeSplitFile(path.join(outDir, `${session.dataset}_train_pseudo.pth`), session.dataset, asSplitRecords(result.selected, 'selected samples')));
  }
  const modelFile = session.saveModel ? await session.saveModel(result.model, outDir) : undefined;
  const images = session.examples ? await session.examples(result.model, all, input.examples ?? 4) : [];
  const report = await writeReport(outDir, summary, { images });
  return { result, summary, report, splits, modelFile };
}

/**
 * A user policy's result, checked before anything is written: a missing field fails with one line naming it,
 * never later as `Cannot read properties of undefined` with half a report folder on disk.
 */
export function checkPolicyResult<M>(name: string, result: PolicyResult<M>): PolicyResult<M> {
  const shape = 'run() must resolve to { model, selected, thresholds, valAccuracy, trace }';
  if (typeof result !== 'object' || result === null) throw new Error(`policy ${name}: run() resolved to ${String(result)}; ${shape}`);
  const problems: string[] = [];
  if (result.model === undefined || result.model === null) problems.push('no "model"');
  if (!Array.isArray(result.selected)) problems.push('"selected" is not an array of samples');
  if (typeof result.thresholds !== 'object' || result.thresholds === null) problems.push('"thresholds" is not an object');
  if (typeof result.valAccuracy !== 'number' || !Number.isFinite(result.valAccuracy)) problems.push('"valAccuracy" is not a number');
  if (!Array.isArray(result.trace)) problems.push('"trace" is not an array (use [] for none)');
  if (problems.length > 0) throw new Error(`policy ${name}: its result has ${problems.join(', ')}; ${shape}`);
  return result;
}

/** Unknown option keys of a policy that lists its keys: one line naming them and the known ones, before any work. */
export function checkPolicyOptions(policy: CurriculumPolicy, options: Record<string, unknown>): void {
  if (!policy.options) return;
  const unknown = Object.keys(options).filter((k) => !policy.options!.includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `policy ${policy.name}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${policy.options.join(', ')})`,
    );
  }
}
