import * as ort from 'onnxruntime-node';
import { initBackend } from '@clip-vg/backend';
import { ClipVG } from '@clip-vg/fusion-transformer';
import type { WeightSource } from '@clip-vg/clip-encoders';
import { benchConfig } from '../benchmark';
import { createSession } from '../engine';
import { GraphBuilder } from '../onnx/graph-builder';
import { DataType } from '../onnx/onnx-proto';
import { visualMultiLevel } from './clip-towers';
import { linear, type Ctx } from './layers';
import { projectedVisualTokens } from './visual-tokens';
import { WeightReader } from './weights';

/** Deterministic N(0, 1)-ish images (sum of uniforms), NHWC. */
function images(count: number): Float32Array {
  let state = 12345;
  const uniform = (): number => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Float32Array.from({ length: count }, () => uniform() + uniform() + uniform() - 1.5);
}

describe('projectedVisualTokens (the last ViT block folded into ml_visu_proj)', () => {
  let model: ClipVG;
  let weights: WeightSource;
  const config = benchConfig('tiny');

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    model = ClipVG.create(config, { seed: 3 });
    weights = model.stateDict({ includeClip: true }); // reads the model's tensors lazily
  });

  afterAll(() => model?.dispose());

  test.each([
    ['plain ops', { fusedAttention: false, fusedNorm: false }],
    ['ONNX Runtime contrib ops', { fusedAttention: true, fusedNorm: true }],
  ])('equals ml_visu_proj of the concatenated levels (%s)', async (_name, fused) => {
    const g = new GraphBuilder('fold');
    const ctx: Ctx = { g, w: new WeightReader(weights, g, 'test'), ...fused };
    const size = config.imsize;
    const x = g.input('images', DataType.FLOAT, ['batch', size, size, 3]);
    const batch = g.op('Shape', [x], { start: 0, end: 1 });
    g.rename(projectedVisualTokens(ctx, x, batch, config.clip, config.extractLayers, 'ml_visu_proj'), 'folded');
    g.rename(linear(ctx, visualMultiLevel(ctx, x, batch, config.clip, config.extractLayers), 'ml_visu_proj'), 'plain');
    g.output('folded', DataType.FLOAT, ['batch', 'tokens', config.hiddenDim]);
    g.output('plain', DataType.FLOAT, ['batch', 'tokens', config.hiddenDim]);
    const session = await createSession(g.encode(), { threads: 1 });
    const out = await session.run({ images: new ort.Tensor('float32', images(2 * size * size * 3), [2, size, size, 3]) });
    const [folded, plain] = [out.folded.data as Float32Array, out.plain.data as Float32Array];
    expect(out.folded.dims).toEqual([2, (size / config.clip.visionPatchSize) ** 2 + 1, config.hiddenDim]);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < plain.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(folded[i] - plain[i]));
      maxAbs = Math.max(maxAbs, Math.abs(plain[i]));
    }
    expect(maxAbs).toBeGreaterThan(0.1); // the tokens are not trivially zero
    expect(maxDiff).toBeLessThan(1e-5 * Math.max(1, maxAbs));
    await session.release();
  });
});
