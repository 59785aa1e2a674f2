/**
 * tfjs-core's CommonJS bundle registers no gradient functions (the full `@tensorflow/tfjs` does that), and
 * `register_all_gradients` ships only as extension-less ESM. tsup bundles it into this package's dist and this
 * package's jest config transforms it; the registry and the engine live on the global object, so these copies
 * of the ops register into the engine everything else uses. Loaded on first training, not on import, so that
 * evaluation works in hosts that cannot load it.
 */
import * as tf from '@tensorflow/tfjs-core';

export function ensureGradients(): void {
  // getGradient is exported by the bundle but missing from its typings
  const getGradient = (tf as unknown as { getGradient?: (kernel: string) => unknown }).getGradient;
  if (getGradient?.('Add') !== undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-core/dist/register_all_gradients');
}
