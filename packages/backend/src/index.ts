/** @clip-vg/backend: choose and initialise the TensorFlow.js backend for clip-vg. */
export { planBackend, type BackendName, type BackendPlan } from './select';
export { ensureGradients } from './gradients';
export { ensureWasmTrainingKernels } from './wasm-training-kernels';
export { activeBackend, initBackend, setBackendLog, type ActiveBackend, type InitBackendOptions } from './init';
