/**
 * The parameter store: every CLIP weight as a `tf.Variable` under its OpenAI state-dict name. The forward
 * passes read weights from it by name, so loading, saving and freezing all work on one flat map.
 */
import * as tf from '@tensorflow/tfjs-core';

export type ParamStore = ReadonlyMap<string, tf.Variable>;

/** The weight called `name`; a missing one is a bug in the caller, not bad input (loading validates names). */
export function param(params: ParamStore, name: string): tf.Variable {
  const value = params.get(name);
  if (!value) throw new Error(`CLIP has no parameter "${name}"`);
  return value;
}
