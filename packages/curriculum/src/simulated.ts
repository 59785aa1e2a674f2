import type { CurriculumHost, Sample } from './types';

/**
 * A simulated grounding world for tests, demos and `clip-vg curriculum --host simulated`: no tensors, fully
 * deterministic. Each pseudo-label is clean or noisy; a "model" only remembers what it was trained on. The
 * numbers are made up to show the shapes the paper reports: SR histograms skewed high (a measurer half-memorises
 * its own noisy labels), CR histograms bimodal, and a unimodal accuracy-vs-threshold curve (less noise vs less data).
 */
export interface SimulatedSourceSpec {
  count: number;
  /** Fraction of pseudo-labels that are correct. */
  cleanRate: number;
}

export interface SimulatedSample extends Sample {
  source: string;
  clean: boolean;
  image: string;
  /** Pseudo box as the split file stores it: `[x, y, w, h]` pixels in a 640×480 image. */
  boxOriginal: number[];
  box: [number, number, number, number];
  text: string;
}

export interface SimulatedModel {
  id: number;
  samples: number;
  clean: number;
  /** Training samples per source. */
  sources: Record<string, number>;
}

export const DEFAULT_SIMULATED_SOURCES: Record<string, SimulatedSourceSpec> = {
  template: { count: 400, cleanRate: 0.7 },
  relation: { count: 300, cleanRate: 0.55 },
  caption: { count: 300, cleanRate: 0.45 },
};

const WORDS = ['man', 'woman', 'dog', 'car', 'cup', 'chair', 'bike', 'cat'];
const PLACES = ['left', 'right', 'middle', 'top', 'bottom'];

/** The samples of each source (default `DEFAULT_SIMULATED_SOURCES`, seed 13), ids `${source}:${i}`. */
export function simulatedSources(options: { sources?: Record<string, SimulatedSourceSpec>; seed?: number } = {}): Record<string, SimulatedSample[]> {
  const { sources: spec = DEFAULT_SIMULATED_SOURCES, seed = 13 } = options;
  const out: Record<string, SimulatedSample[]> = {};
  for (const [source, { count, cleanRate }] of Object.entries(spec)) {
    out[source] = Array.from({ length: count }, (_, i) => {
      const id = `${source}:${i}`;
      const x = Math.floor(unit(id, seed, 'x') * 400);
      const y = Math.floor(unit(id, seed, 'y') * 280);
      const w = 80 + Math.floor(unit(id, seed, 'w') * 160);
      const h = 80 + Math.floor(unit(id, seed, 'h') * 120);
      return {
        id,
        source,
        clean: unit(id, seed, 'clean') < cleanRate,
        image: `sim_${String(i).padStart(6, '0')}.jpg`,
        boxOriginal: [x, y, w, h],
        box: [x, y, x + w, y + h],
        text: `${WORDS[i % WORDS.length]} ${PLACES[i % PLACES.length]}`,
      };
    });
  }
  return out;
}

/** The simulated host. `trainings` counts calls to train (the cost a real run would pay). */
export function createSimulatedHost(seed = 13): CurriculumHost<SimulatedModel, SimulatedSample> & { trainings: number; live: Set<number> } {
  let nextId = 0;
  const live = new Set<number>();
  const host = {
    trainings: 0,
    live,
    async train(samples: SimulatedSample[]): Promise<SimulatedModel> {
      host.trainings++;
      const sources: Record<string, number> = {};
      let clean = 0;
      for (const s of samples) {
        sources[s.source ?? 'unknown'] = (sources[s.source ?? 'unknown'] ?? 0) + 1;
        if (s.clean) clean++;
      }
      const model = { id: nextId++, samples: samples.length, clean, sources };
      live.add(model.id);
      return model;
    },
    async score(model: SimulatedModel, samples: SimulatedSample[]): Promise<number[]> {
      return samples.map((s) => simulatedReliability(model, s, seed));
    },
    async evaluate(model: SimulatedModel): Promise<number> {
      return simulatedAccuracy(model);
    },
    release(model: SimulatedModel): void {
      live.delete(model.id);
    },
  };
  return host;
}

/** Val accuracy: more data helps (saturating), noisy labels hurt, and each extra source adds diversity. */
export function simulatedAccuracy(model: SimulatedModel): number {
  if (model.samples === 0) return 0;
  const cleanFraction = model.clean / model.samples;
  const capacity = 1 - Math.exp(-model.clean / 120);
  const diversity = 0.03 * (Object.keys(model.sources).length - 1);
  return round4(Math.min(1, 0.8 * capacity * cleanFraction ** 1.5 + diversity));
}

/** IoU the model would reach on the sample's pseudo box. */
export function simulatedReliability(model: SimulatedModel, s: SimulatedSample, seed: number): number {
  const u = unit(s.id, seed, `r${model.id % 3}`);
  const v = unit(s.id, seed, 'v');
  if (s.clean) {
    if (v < 0.1) return round4(u * 0.5); // a hard sample the measurer misses
    return u > 0.97 ? 1 : round4(0.6 + 0.4 * Math.sqrt(u));
  }
  if (v < 0.2) return 0; // the model points at another object entirely
  const seen = (model.sources[s.source] ?? 0) > 0;
  // a measurer half-memorises the noisy labels it was trained on (SR); a foreign one does not (CR)
  return round4(seen ? 0.25 + 0.6 * u : 0.15 * u);
}

/** A deterministic number in [0, 1) from a string (FNV-1a, then an integer mix). */
function unit(id: string, seed: number, salt: string): number {
  let h = 2166136261 ^ seed;
  for (const ch of `${salt}|${id}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
