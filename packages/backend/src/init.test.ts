import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, initBackend, isPackageInstalled } from './init';

describe('initBackend', () => {
  test('the embedded backends are installed; the native ones are optional peers', () => {
    expect(isPackageInstalled('@tensorflow/tfjs-backend-wasm')).toBe(true);
    expect(isPackageInstalled('@tensorflow/tfjs-backend-cpu')).toBe(true);
  });

  test('activates the requested backend and logs the choice once', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const chosen = await initBackend('cpu', { env: {}, log });
    expect(chosen.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('cpu', { env: {}, log });
    await initBackend('wasm', { env: {}, log });
    expect(tf.getBackend()).toBe('wasm');
    expect(activeBackend()?.name).toBe('wasm');
    expect(lines).toEqual(['clip-vg: backend cpu (@tensorflow/tfjs-backend-cpu, --backend)']);
  });

  test('defaults to wasm, the embedded backend, when no native package is installed', async () => {
    const chosen = await initBackend(undefined, { env: {}, log: null });
    const nativeInstalled = isPackageInstalled('@tensorflow/tfjs-node') || isPackageInstalled('@tensorflow/tfjs-node-gpu');
    expect(chosen.name).toBe(nativeInstalled ? 'tensorflow' : 'wasm');
  });

  test('a missing native backend fails before touching TensorFlow.js', async () => {
    await expect(initBackend('tensorflow', { env: {}, log: null, isInstalled: () => false })).rejects.toThrow(
      /backend 'tensorflow' is not installed: run `npm install @tensorflow\/tfjs-node@4\.22\.0`/,
    );
  });
});

test('called from code it logs nothing unless asked; setBackendLog sets the sink for the process', async () => {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    let fresh!: typeof import('./init');
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module needs a synchronous require inside isolateModules
      fresh = require('./init') as typeof import('./init');
    });
    await fresh.initBackend('cpu', { env: {} });
    expect(stderr).not.toHaveBeenCalled();
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module needs a synchronous require inside isolateModules
      fresh = require('./init') as typeof import('./init');
    });
    const lines: string[] = [];
    fresh.setBackendLog((line) => lines.push(line));
    await fresh.initBackend('cpu', { env: {} });
    expect(lines).toEqual(['clip-vg: backend cpu (@tensorflow/tfjs-backend-cpu, --backend)']);
  } finally {
    stderr.mockRestore();
  }
});
