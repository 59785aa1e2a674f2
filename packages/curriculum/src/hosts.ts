import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadUserModule, looksLikePath, pickExport } from './load-module';
import type { ReportImage } from './report/images';
import {
  createSimulatedHost,
  DEFAULT_SIMULATED_SOURCES,
  simulatedReliability,
  simulatedSources,
  type SimulatedModel,
  type SimulatedSample,
  type SimulatedSourceSpec,
} from './simulated';
import type { CurriculumHost, Sample } from './types';

/**
 * What `clip-vg curriculum` needs from whoever owns the model: the host, the sources it loaded, and optional
 * extras for the report. The training package registers a factory (e.g. `model`) for real CLIP-VG runs.
 */
export interface HostSession<M = unknown, S extends Sample = Sample> {
  /** Dataset name used in output file names (`unc`, `gref_umd`, `synthetic`, ...). */
  dataset: string;
  host: CurriculumHost<M, S>;
  /** Pseudo-label sources by name, in their natural order (template, relation, caption). */
  sources: Record<string, S[]>;
  /** Up to `count` report images of `samples` with the model's predicted box and the pseudo box drawn. */
  examples?(model: M, samples: S[], count: number): Promise<ReportImage[]>;
  /** Save the final model into `dir`; returns the file written. */
  saveModel?(model: M, dir: string): Promise<string>;
  close?(): Promise<void> | void;
}

/** Builds a session from the command's options (`--dataset`, `--data-root`, ... as the factory documents). */
export type HostFactory = (options: Record<string, unknown>) => Promise<HostSession<unknown>>;

const factories = new Map<string, HostFactory>();

export function registerHostFactory(name: string, factory: HostFactory): void {
  factories.set(name, factory);
}

export function listHostFactories(): string[] {
  return [...factories.keys()];
}

/** Unknown option keys of a host: one line naming them and the known ones (hosts call this first). */
export function checkHostOptions(host: string, options: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${host} host: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`);
  }
}

/**
 * A session from the named factory; throws one line listing the known factories. Not exported: `createHost` is
 * the name a host module exports, and `loadHost` takes registered names too.
 */
async function startRegisteredHost(name: string, options: Record<string, unknown>): Promise<HostSession<unknown>> {
  const factory = factories.get(name);
  if (!factory) throw new Error(`unknown curriculum host "${name}" (known: ${listHostFactories().join(', ')})`);
  return factory(options);
}

export interface LoadHostOptions {
  /** Passed to the factory unchanged (`--host-option key=value`). */
  hostOptions?: Record<string, unknown>;
  /** Where a module path or package name resolves from (default the current folder). */
  cwd?: string;
}

/**
 * A session from a registered factory name, or from a module (file path or package) whose `default` or
 * `createHost` export is a `HostFactory`.
 */
export async function loadHost(nameOrModule: string, { hostOptions: options = {}, cwd = process.cwd() }: LoadHostOptions = {}): Promise<HostSession<unknown>> {
  if (factories.has(nameOrModule)) return startRegisteredHost(nameOrModule, options);
  if (!looksLikePath(nameOrModule)) {
    try {
      createRequire(path.join(cwd, 'noop.js')).resolve(nameOrModule);
    } catch {
      return startRegisteredHost(nameOrModule, options); // throws, listing the known hosts
    }
  }
  return loadHostModule(nameOrModule, options, cwd);
}

async function loadHostModule(spec: string, options: Record<string, unknown>, cwd: string): Promise<HostSession<unknown>> {
  const { file, module } = await loadUserModule(spec, cwd, 'host');
  const factory = pickExport(module, 'createHost', (x): x is HostFactory => typeof x === 'function');
  if (!factory) throw new Error(`${file}: exports no host factory (need a default or createHost function)`);
  const session = await factory(options);
  if (!session || typeof session.host?.train !== 'function' || typeof session.sources !== 'object') {
    throw new Error(`${file}: the host factory must resolve to { dataset, host: { train, score, evaluate }, sources }`);
  }
  return session;
}

/**
 * `simulated`: the deterministic world of `simulated.ts`. Options: `seed` (13), `sources` (a spec object or
 * `name:count:cleanRate,...`).
 */
registerHostFactory('simulated', async (options) => {
  checkHostOptions('simulated', options, ['seed', 'sources']);
  const seed = options.seed === undefined ? 13 : Number(options.seed);
  if (!Number.isInteger(seed)) throw new Error(`simulated host: seed must be an integer, got ${JSON.stringify(options.seed)}`);
  const spec = parseSourceSpec(options.sources);
  const host = createSimulatedHost(seed);
  const session: HostSession<SimulatedModel, SimulatedSample> = {
    dataset: 'synthetic',
    host,
    sources: simulatedSources({ sources: spec, seed }),
    examples: async (model, samples, count) => simulatedExamples(model, samples, count, seed),
  };
  return session;
});

function parseSourceSpec(raw: unknown): Record<string, SimulatedSourceSpec> {
  if (raw === undefined) return DEFAULT_SIMULATED_SOURCES;
  if (typeof raw === 'object' && raw !== null) return raw as Record<string, SimulatedSourceSpec>;
  const spec: Record<string, SimulatedSourceSpec> = {};
  for (const part of String(raw).split(',')) {
    const [name, count, rate] = part.split(':');
    const c = Number(count);
    const r = Number(rate);
    if (!name || !Number.isInteger(c) || c < 1 || !(r >= 0 && r <= 1)) {
      throw new Error(`simulated host: sources must look like template:400:0.7,relation:300:0.55, got "${part}"`);
    }
    spec[name] = { count: c, cleanRate: r };
  }
  return spec;
}

/**
 * Canvases with the pseudo box (green) and a "prediction" (red) shifted sideways so that its IoU with the pseudo
 * box is exactly the model's reliability: same size boxes offset by dx have IoU (w − dx)/(w + dx).
 */
function simulatedExamples(model: SimulatedModel, samples: SimulatedSample[], count: number, seed: number): ReportImage[] {
  const scored = samples.map((s) => ({ s, r: simulatedReliability(model, s, seed) })).sort((a, b) => b.r - a.r);
  const picks =
    count >= scored.length ? scored : Array.from({ length: count }, (_, k) => scored[Math.round((k * (scored.length - 1)) / Math.max(1, count - 1))]);
  return picks.map(({ s, r }) => {
    const [x1, y1, x2, y2] = s.box;
    const dx = ((x2 - x1) * (1 - r)) / (1 + r);
    return {
      title: `${s.id} "${s.text}" (${s.clean ? 'clean' : 'noisy'} pseudo-label): r = ${r.toFixed(3)}`,
      width: 640,
      height: 480,
      boxes: [
        { box: s.box, label: 'pseudo', color: '#00c000' },
        { box: [x1 + dx, y1, x2 + dx, y2], label: `pred r=${r.toFixed(2)}`, color: '#e00000', labelBelow: true },
      ],
    };
  });
}
