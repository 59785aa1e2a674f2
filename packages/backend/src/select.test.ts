import { BackendNotInstalledError, planBackend } from './select';

const installed =
  (...pkgs: string[]) =>
  (name: string) =>
    pkgs.includes(name);
const WASM = '@tensorflow/tfjs-backend-wasm';
const CPU = '@tensorflow/tfjs-backend-cpu';

describe('planBackend', () => {
  test('picks the fastest installed backend when nothing is asked', () => {
    expect(planBackend(undefined, {}, installed(WASM, CPU))).toEqual({ name: 'wasm', packageName: WASM, reason: 'fastest installed' });
    expect(planBackend(undefined, {}, installed(CPU)).name).toBe('cpu');
    expect(planBackend(undefined, {}, installed('@tensorflow/tfjs-node', WASM, CPU)).name).toBe('tensorflow');
  });

  test('prefers the GPU build of tfjs-node over the CPU build', () => {
    const plan = planBackend('tensorflow', {}, installed('@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'));
    expect(plan.packageName).toBe('@tensorflow/tfjs-node-gpu');
  });

  test('--backend wins over CLIP_VG_BACKEND', () => {
    const plan = planBackend('cpu', { CLIP_VG_BACKEND: 'wasm' }, installed(WASM, CPU));
    expect(plan).toMatchObject({ name: 'cpu', reason: '--backend' });
  });

  test('CLIP_VG_BACKEND is used when no flag is given (case-insensitive)', () => {
    expect(planBackend(undefined, { CLIP_VG_BACKEND: 'CPU' }, installed(WASM, CPU))).toMatchObject({ name: 'cpu', reason: 'CLIP_VG_BACKEND' });
  });

  test('asking for a backend that is not installed says how to install it, in one line', () => {
    let error: unknown;
    try {
      planBackend('tensorflow', {}, installed(WASM, CPU));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackendNotInstalledError);
    const message = (error as Error).message;
    expect(message).toMatch(/npm install @tensorflow\/tfjs-node/);
    expect(message).not.toMatch(/\n/);
  });

  test('an unknown backend name lists the choices', () => {
    expect(() => planBackend('webgpu', {}, installed(WASM))).toThrow(/unknown backend 'webgpu': choose one of tensorflow, wasm, cpu/);
  });
});
