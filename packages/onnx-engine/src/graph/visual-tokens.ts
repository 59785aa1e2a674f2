/**
 * CLIP-VG's visual tokens straight from the images: `ml_visu_proj(concat(h[l] for l in layers))` with the last
 * ViT block folded into the projection. Nothing but the projection reads the last block's output
 * `h = a + c_proj(g)` (`a` = after attention, `g` = the MLP's hidden activations), and both are linear, so
 *   `W_last · h = W_last · a + (W_last · W_c_proj) · g + W_last · b_c_proj`,
 * where `W_last` is the projection's column block for that level. The folded matrix maps 4W → D instead of c_proj's
 * 4W → W (ViT-B/16: 3072 → 512 instead of 3072 → 768, a third less) on every image token. Exact up to float
 * rounding (the folded matrix is computed in float64).
 */
import type { ClipConfig } from '@clip-vg/clip-encoders';
import { blockParts, visualBlock, visualBlockPrefix, visualStem, type Residual } from './clip-towers';
import { affine, type Ctx } from './layers';

/** Images NHWC [B, H, W, 3] → visual tokens [B, 1 + P, D] (`projection` is `ml_visu_proj`, [D, |layers| · Wv]). */
export function projectedVisualTokens(ctx: Ctx, images: string, batchShape: string, config: ClipConfig, layers: number[], projection: string): string {
  const { g, w } = ctx;
  const width = config.visionWidth;
  const last = Math.max(...layers);
  const [d, inFeatures] = w.shape(`${projection}.weight`) as [number, number];
  if (inFeatures !== layers.length * width) throw new Error(`${projection}.weight is [${d}, ${inFeatures}], expected [D, ${layers.length * width}]`);

  let stream: Residual = { x: visualStem(ctx, images, batchShape, config) }; // [B, 1+P, Wv]
  const outputs = new Map<number, string>(); // block i's output is block i + 1's input
  for (let i = 0; i < last; i++) {
    const { input, output } = visualBlock(ctx, stream, i, config);
    outputs.set(i - 1, input);
    stream = output;
  }
  const { input, attended, hidden } = blockParts(ctx, stream, visualBlockPrefix(last), width, config.visionHeads); // [B, 1+P, Wv], [B, 1+P, 4Wv]
  outputs.set(last - 1, input);
  outputs.set(last, attended);

  // Σ over levels of W_level · h_level, with `a` standing in for the last level, plus the folded MLP term.
  const folded = foldedMlpProjection(ctx, projection, layers.indexOf(last) * width, width, `${visualBlockPrefix(last)}.mlp.c_proj`);
  const mlpTerm = affine(ctx, hidden, folded.weight, folded.bias, folded.inFeatures, d); // [B, 1+P, D]
  const levels = g.op('Reshape', [
    g.op(
      'Concat',
      layers.map((layer) => outputs.get(layer)!),
      { axis: 2 },
    ),
    g.int64s([-1, inFeatures]),
  ]);
  // Gemm's C input carries the MLP term (Y = levels · Wᵀ + C), so the two sums need no separate Add.
  const tokens = g.op('Gemm', [levels, w.matrixT(`${projection}.weight`), g.op('Reshape', [mlpTerm, g.int64s([-1, d])])]); // [B·(1+P), D]
  const shape = g.op('Concat', [g.op('Shape', [attended], { start: 0, end: -1 }), g.int64s([d])], { axis: 0 });
  return g.op('Reshape', [tokens, shape]); // [B, 1+P, D]
}

/**
 * `(W_p[:, from:from+width] · W_c) ᵀ` [4W, D] and `b_p + W_p[:, from:from+width] · b_c` [D], summed in float64:
 * the projection's block for one level composed with the block's `c_proj` (`W_c` [W, 4W]).
 */
function foldedMlpProjection(ctx: Ctx, projection: string, from: number, width: number, cProj: string): { weight: string; bias: string; inFeatures: number } {
  const { g, w } = ctx;
  const [d, inFeatures] = w.shape(`${projection}.weight`) as [number, number];
  const [cOut, hidden] = w.shape(`${cProj}.weight`) as [number, number];
  if (cOut !== width) throw new Error(`${cProj}.weight is [${cOut}, ${hidden}], expected [${width}, 4W]`);
  const wp = w.data(`${projection}.weight`);
  const wc = w.data(`${cProj}.weight`);
  const bp = w.data(`${projection}.bias`);
  const bc = w.data(`${cProj}.bias`);

  const weightT = new Float32Array(hidden * d); // [4W, D]
  const bias = new Float32Array(d);
  const row = new Float64Array(hidden);
  for (let i = 0; i < d; i++) {
    row.fill(0);
    let b = bp[i];
    for (let m = 0; m < width; m++) {
      const a = wp[i * inFeatures + from + m];
      b += a * bc[m];
      const base = m * hidden;
      for (let k = 0; k < hidden; k++) row[k] = row[k] + a * wc[base + k];
    }
    for (let k = 0; k < hidden; k++) weightT[k * d + i] = row[k]!;
    bias[i] = b;
  }
  return {
    weight: g.weight(`${projection}·${cProj}ᵀ`, weightT, [hidden, d]),
    bias: g.weight(`${projection}·${cProj}.bias`, bias, [d]),
    inFeatures: hidden,
  };
}
