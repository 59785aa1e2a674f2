/**
 * The policy interface. It knows nothing of tensors: the host (training code, a simulator, a test) trains,
 * scores and evaluates; a policy only decides which samples to train on.
 */

/** One pseudo-labelled sample. The host's record type fits (`GroundingRecord` from `@clip-vg/datasets` does). */
export interface Sample {
  id: string;
  source?: string;
  [key: string]: unknown;
}

/**
 * What the host lends a policy. `M` is whatever the host calls a model: a checkpoint path, a handle, a number;
 * `S` its samples (a policy passes back the very objects it was given, so the host keeps their type).
 */
export interface CurriculumHost<M, S extends Sample = Sample> {
  /** Train a fresh model (CLIP init, the full recipe) on `samples`. `stage` names the step for logs. */
  train(samples: S[], info: { stage: string }): Promise<M>;
  /** Reliability of each sample under `model`: IoU(clamped prediction, pseudo box) in [0, 1], same order. */
  score(model: M, samples: S[]): Promise<number[]>;
  /** Validation Acc@0.5 of `model` as a fraction in [0, 1]. */
  evaluate(model: M): Promise<number>;
  /**
   * Trainings the policy is about to ask for, which do not depend on each other (SSA's threshold candidates, an
   * MSA step's measurer candidates, the baselines). A host that can train side by side may start them now; `train`
   * then returns what was started. A hint only: results never depend on it, and a candidate may go unused.
   */
  prefetch?(trainingSets: S[][], info: { stage: string }): void;
  /** Free a model the policy no longer needs (it will never be passed back). */
  release?(model: M): void;
  /** Called with every trace event as it happens, for a progress display. */
  report?(event: TraceEvent): void;
}

export type TraceKind = 'train' | 'score' | 'evaluate' | 'select' | 'decide' | 'stop';

/** One step of a policy run, in order. The whole list is the experiment's audit trail. */
export interface TraceEvent {
  /** 0-based position in the trace. */
  index: number;
  kind: TraceKind;
  /** Which part of the algorithm: `measurer`, `search`, `final`, `msa step 2`, ... */
  stage: string;
  /** One human-readable line. */
  message: string;
  source?: string;
  measurer?: string;
  /** Selection threshold (`r > h`); null means "no selection". */
  threshold?: number | null;
  samples?: number;
  accuracy?: number;
}

/** Reliabilities of one source under one measurer (SR when they are the same source, CR otherwise). */
export interface ReliabilitySet {
  measurer: string;
  source: string;
  values: number[];
}

/** One point of the threshold-vs-accuracy curve ("P-R curve" in the paper). */
export interface CurvePoint {
  threshold: number | null;
  accuracy: number;
  samples: number;
}

export interface Curve {
  label: string;
  points: CurvePoint[];
  /** The threshold the search kept (null: none of the thresholds beat the baseline). */
  chosen: number | null;
}

/** One source's contribution, in the order it was added (k = 1, 2, ...). */
export interface SourceSelection<S extends Sample = Sample> {
  order: number;
  source: string;
  measurer: string;
  threshold: number | null;
  samples: S[];
}

export interface PolicyResult<M, S extends Sample = Sample> {
  model: M;
  selected: S[];
  /** Chosen threshold per source (null: the source was used whole, or not at all when absent from `perSource`). */
  thresholds: Record<string, number | null>;
  valAccuracy: number;
  trace: TraceEvent[];
  reliabilities?: ReliabilitySet[];
  curves?: Curve[];
  perSource?: SourceSelection<S>[];
}

export type PolicyOptions = Record<string, unknown>;

export interface CurriculumPolicy {
  name: string;
  description: string;
  run<M, S extends Sample>(sources: Record<string, S[]>, host: CurriculumHost<M, S>, options: PolicyOptions): Promise<PolicyResult<M, S>>;
  /** The option keys `run` reads. When given, `runExperiment` rejects any other key before the first training. */
  options?: readonly string[];
}
