/**
 * tfjs-core's CommonJS bundle registers no gradients; `@clip-vg/training` bundles the ESM registrations for
 * its own trainer but does not export the switch, and the tiny CLIP is pretrained before any CLIP-VG training.
 * Same mechanism as there: tsup bundles the module, jest transforms it, the registry is global.
 */
import * as tf from '@tensorflow/tfjs-core';

export function ensureGradients(): void {
  const getGradient = (tf as unknown as { getGradient?: (kernel: string) => unknown }).getGradient;
  if (getGradient?.('Add') !== undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-core/dist/register_all_gradients');
}
