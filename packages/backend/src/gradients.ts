/**
 * tfjs-core's CommonJS bundle registers no gradient functions (the full `@tensorflow/tfjs` does that), and
 * `register_all_gradients` ships only as extension-less ESM. tsup bundles it into this package's dist and the
 * shared jest preset transforms it; the registry and the engine live on the global object, so these copies
 * of the ops register into the engine everything else uses. Loaded on first training, not on import, so that
 * evaluation works in hosts that cannot load it.
 */
import * as tf from '@tensorflow/tfjs-core';

type GradConfig = { gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: Record<string, unknown>) => Record<string, () => tf.Tensor> };

let fastProductGradient = false;

export function ensureGradients(): void {
  // getGradient is exported by the bundle but missing from its typings
  const getGradient = (tf as unknown as { getGradient?: (kernel: string) => GradConfig | undefined }).getGradient;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (getGradient?.('Add') === undefined) require('@tensorflow/tfjs-core/dist/register_all_gradients');
  if (fastProductGradient) return;
  fastProductGradient = true;
  const stock = getGradient!('BatchMatMul')!;
  tf.registerGradient({ kernelName: 'BatchMatMul', inputsToSave: ['a', 'b'], gradFunc: matMulGradient(stock) });
}

/**
 * The gradient of a 2-D product written with untransposed products only. The stock gradient multiplies with
 * `transposeA`/`transposeB` set, which on the wasm backend leaves XNNPACK for a scalar loop ~10× slower; an
 * explicit transpose of one operand costs far less. Same sums, so the same values up to summation order.
 * Batched (attention) products keep the stock gradient: wasm runs every batched product in the scalar loop.
 */
function matMulGradient(stock: GradConfig): GradConfig['gradFunc'] {
  return (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
    if (tf.getBackend() !== 'wasm' || a.rank !== 2 || b.rank !== 2) return stock.gradFunc(dy, saved, attrs);
    const grad = dy as tf.Tensor2D;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    // y = op(a) · op(b):  d op(a) = dy · op(b)ᵀ,  d op(b) = op(a)ᵀ · dy
    const opAT = () => (transposeA ? a : tf.transpose(a));
    const opBT = () => (transposeB ? b : tf.transpose(b));
    return {
      a: () => {
        const dOpA = tf.matMul(grad, opBT());
        return transposeA ? tf.transpose(dOpA) : dOpA;
      },
      b: () => {
        const dOpB = tf.matMul(opAT(), grad);
        return transposeB ? tf.transpose(dOpB) : dOpB;
      },
    };
  };
}
