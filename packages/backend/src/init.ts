import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { BackendPlan, planBackend } from './select';

export interface InitBackendOptions {
  /** Environment to read `CLIP_VG_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Where the one log line goes (default: the `setBackendLog` sink, silent unless an application set one); `null`: silent. */
  log?: ((line: string) => void) | null;
  /** Override package detection (tests). */
  isInstalled?: (packageName: string) => boolean;
}

export interface ActiveBackend extends BackendPlan {
  /** The name TensorFlow.js registered it under (`tensorflow`, `wasm`, `cpu`). */
  tfjsName: string;
}

let active: ActiveBackend | undefined;
let defaultLog: ((line: string) => void) | null = null;

/**
 * Where `initBackend` logs its choice when the caller passes no `log`: nowhere by default (a library stays quiet);
 * an application (the `clip-vg` command) sets stderr.
 */
export function setBackendLog(log: ((line: string) => void) | null): void {
  defaultLog = log;
}

// A real `require` in both builds: the ESM build has none of its own (tsup shims `__filename` there).
const requireHere = createRequire(__filename);

/** True when `require.resolve` finds the package from here. */
export function isPackageInstalled(packageName: string): boolean {
  try {
    requireHere.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

function loadBackendPackage(packageName: string): void {
  // The optional native packages register the 'tensorflow' backend on import; wasm and cpu register theirs.
  requireHere(packageName);
}

/**
 * Choose (see `planBackend`), load and activate the TensorFlow.js backend. Logs the choice once per process.
 * Calling it again with the same choice is a no-op.
 */
export async function initBackend(requested?: string, options: InitBackendOptions = {}): Promise<ActiveBackend> {
  const plan = planBackend(requested, options.env ?? process.env, options.isInstalled ?? isPackageInstalled);
  if (active && active.name === plan.name && tf.getBackend() === active.tfjsName) return active;
  loadBackendPackage(plan.packageName);
  const tfjsName = plan.name;
  const ok = await tf.setBackend(tfjsName);
  if (!ok) throw new Error(`backend '${plan.name}' failed to initialise (package ${plan.packageName})`);
  await tf.ready();
  const first = active === undefined;
  active = { ...plan, tfjsName };
  const log = options.log === undefined ? defaultLog : options.log;
  if (first && log) log(`clip-vg: backend ${plan.name} (${plan.packageName}, ${plan.reason})`);
  return active;
}

/** The backend chosen by `initBackend`, if any. */
export function activeBackend(): ActiveBackend | undefined {
  return active;
}
