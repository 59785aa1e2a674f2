/**
 * Which TensorFlow.js backend to use. Pure logic, separated from loading so that it can be tested without
 * the optional native packages installed.
 */

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** The npm packages that provide each backend, in order of preference. */
export const BACKEND_PACKAGES: Record<BackendName, readonly string[]> = {
  tensorflow: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
  wasm: ['@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs-backend-cpu'],
};

/** Fastest first: native libtensorflow (GPU build before CPU build), then wasm, then plain JS. */
const PREFERENCE: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendPlan {
  name: BackendName;
  /** The package that will be loaded to provide it. */
  packageName: string;
  /** Why this one: `--backend`, `CLIP_VG_BACKEND`, or `fastest installed`. */
  reason: string;
}

export class BackendNotInstalledError extends Error {
  constructor(readonly backend: BackendName) {
    super(
      backend === 'tensorflow'
        ? "backend 'tensorflow' is not installed: run `npm install @tensorflow/tfjs-node@4.22.0` (or `@tensorflow/tfjs-node-gpu@4.22.0` on a CUDA machine)"
        : `backend '${backend}' is not installed: run \`npm install ${BACKEND_PACKAGES[backend][0]}@4.22.0\``,
    );
    this.name = 'BackendNotInstalledError';
  }
}

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Decide the backend: an explicit request (`--backend`) wins, then `CLIP_VG_BACKEND`, then the fastest one
 * installed. `isInstalled(pkg)` answers whether an npm package can be resolved.
 */
export function planBackend(
  requested: string | undefined,
  env: Record<string, string | undefined>,
  isInstalled: (packageName: string) => boolean,
): BackendPlan {
  const fromFlag = requested?.trim();
  const fromEnv = env.CLIP_VG_BACKEND?.trim();
  const asked = fromFlag || fromEnv;
  if (asked) {
    const name = asked.toLowerCase();
    if (!isBackendName(name)) {
      throw new Error(`unknown backend '${asked}': choose one of ${BACKEND_NAMES.join(', ')}`);
    }
    const packageName = BACKEND_PACKAGES[name].find(isInstalled);
    if (!packageName) throw new BackendNotInstalledError(name);
    return { name, packageName, reason: fromFlag ? '--backend' : 'CLIP_VG_BACKEND' };
  }
  for (const name of PREFERENCE) {
    const packageName = BACKEND_PACKAGES[name].find(isInstalled);
    if (packageName) return { name, packageName, reason: 'fastest installed' };
  }
  throw new BackendNotInstalledError('wasm');
}
