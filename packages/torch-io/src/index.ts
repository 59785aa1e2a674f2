/**
 * @clip-vg/torch-io: read and write PyTorch `.pth` files (zip and legacy), pickles (safely, nothing executes)
 * and safetensors, natively in TypeScript.
 */
export { loadPth, type LoadPthOptions } from './load-pth';
export { loadPickle, unpickle, type UnpickleOptions, type UnpickleResult } from './unpickler';
export { TorchTensor, TorchStorage, isTensor } from './tensor';
export type { TorchDType, TypedArray } from './dtype';
export { NumpyArray, isNumpyArray } from './numpy';
export { PyObject, isPyObject, pyTuple, isPyTuple, isPyDict, type PyValue, type PyDict } from './py-value';
