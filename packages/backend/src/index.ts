/** @clip-vg/backend: choose and initialise the TensorFlow.js backend for clip-vg. */
export {
  BACKEND_NAMES,
  BACKEND_PACKAGES,
  BackendNotInstalledError,
  isBackendName,
  planBackend,
  type BackendName,
  type BackendPlan,
} from './select';
export { ensureGradients } from './gradients';
export { ensureWasmTrainingKernels } from './wasm-training-kernels';
export { activeBackend, initBackend, isPackageInstalled, setBackendLog, type ActiveBackend, type InitBackendOptions } from './init';
