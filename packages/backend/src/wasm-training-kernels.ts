/**
 * Two gradient kernels the wasm backend does not ship, needed only to pretrain CLIP (CLIP-VG never trains
 * them: its CLIP is frozen): `UnsortedSegmentSum` (gradient of `gather`: the token embedding) and
 * `Conv2DBackpropFilter` for the patch embedding (stride = kernel, no padding, NHWC, the only case CLIP has).
 * Plain loops: at the tiny CLIP's sizes they cost milliseconds.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: ArrayLike<number>): tf.TensorInfo;
}

let registered = false;

export function ensureWasmTrainingKernels(): void {
  if (registered || tf.getBackend() !== 'wasm') return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm'))
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: patchFilterGradient });
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const wasm = backend as unknown as WasmLike;
      const values = wasm.readSync(x.dataId);
      const ids = wasm.readSync(segmentIds.dataId);
      // x is [ids.length, ...row]; the output is [numSegments, ...row]
      const row = ids.length === 0 ? 0 : values.length / ids.length;
      const sums = new Float32Array(numSegments * row);
      for (let i = 0; i < ids.length; i++) {
        const target = ids[i];
        if (target < 0 || target >= numSegments) continue;
        for (let k = 0; k < row; k++) sums[target * row + k] += values[i * row + k];
      }
      return wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype, undefined, sums);
    },
  });
}

/** dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co], for stride s = kernel. */
const patchFilterGradient: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: unknown;
    dataFormat: string;
    filterShape: number[];
  };
  const [kh, kw, ci, co] = filterShape as [number, number, number, number];
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  if (sh !== kh || sw !== kw || pad !== 'valid' || (dataFormat !== 'NHWC' && dataFormat !== undefined)) {
    throw new Error(`Conv2DBackpropFilter on wasm: only patch embeddings (stride = kernel, valid, NHWC) are supported`);
  }
  const wasm = backend as unknown as WasmLike;
  const xs = wasm.readSync(x.dataId);
  const g = wasm.readSync(dy.dataId);
  const [batch, height, width] = x.shape as [number, number, number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const out = new Float32Array(kh * kw * ci * co);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const gBase = ((b * oh + i) * ow + j) * co;
        for (let u = 0; u < kh; u++) {
          for (let v = 0; v < kw; v++) {
            const xBase = ((b * height + i * kh + u) * width + j * kw + v) * ci;
            for (let c = 0; c < ci; c++) {
              const xv = xs[xBase + c];
              const oBase = ((u * kw + v) * ci + c) * co;
              for (let o = 0; o < co; o++) out[oBase + o] += xv * g[gBase + o];
            }
          }
        }
      }
    }
  }
  return wasm.makeOutput([kh, kw, ci, co], 'float32', undefined, out);
};
