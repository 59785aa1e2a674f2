/**
 * One interface over both engines, for commands that take `--engine tfjs|onnx` (predict, eval, reliability,
 * bench): boxes from preprocessed tensors, whichever runtime computes them.
 */
import type { BoxPredictor, ClipVG, EngineName } from '@clip-vg/fusion-transformer';
import { OnnxClipVG, type OnnxEngineOptions } from './engine';

/** Parse an `--engine` value; the error names the flag. */
export function parseEngine(value: string | undefined): EngineName {
  const engine = value ?? 'tfjs';
  if (engine !== 'tfjs' && engine !== 'onnx') throw new Error(`--engine must be tfjs or onnx, got "${engine}"`);
  return engine;
}

/**
 * A predictor over `model` on `engine`. 'onnx' builds an ONNX Runtime session from the model's current weights
 * (CLIP included), so later changes to the model are not seen: make a new predictor after training.
 */
export async function createPredictor(model: ClipVG, engine: EngineName, options: OnnxEngineOptions = {}): Promise<BoxPredictor> {
  if (engine === 'tfjs') {
    return {
      engine,
      predict: async (images, pixelMask, ids) => model.predict(images, pixelMask, ids),
      dispose: async () => undefined,
    };
  }
  const onnx = await OnnxClipVG.fromModel(model, options);
  return {
    engine,
    predict: (images, pixelMask, ids) => onnx.predict(images, pixelMask, ids),
    dispose: () => onnx.dispose(),
  };
}
