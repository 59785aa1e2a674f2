/**
 * @clip-vg/torch-io: read and write PyTorch `.pth` files (zip and legacy), pickles (safely, nothing executes)
 * and safetensors, natively in TypeScript.
 */
export { loadPth, type LoadPthOptions } from './load-pth';
export { loadPickle, unpickle, type UnpickleOptions, type UnpickleResult } from './unpickler';
export { TorchTensor, TorchStorage, isTensor } from './tensor';
export type { TorchDType, TypedArray } from './dtype';
export { NumpyArray } from './numpy';
export { PyObject, PyFloat, pyFloat, isPyObject, pyTuple, isPyTuple, type PyValue, type PyDict, type PyWritable } from './py-value';
export { encodePth, savePth, type EncodePthOptions } from './save-pth';
export { encodePickle } from './pickler';
export { writeFileAtomic } from './atomic-write';
export {
  openSafetensors,
  writeSafetensors,
  tensorToSafetensors,
  safetensorsToTensor,
  safetensorsToFloat32,
  type SafetensorsEntry,
  type LazySafetensorsEntry,
  type SafetensorsReader,
} from './safetensors';
export { inspectCheckpoint, toPlain, tensorBytes, type CheckpointSummary } from './inspect';
export { moduleStateDict, isScriptModule } from './torchscript';
