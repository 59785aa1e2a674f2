/**
 * @jest-environment ../onnx-engine/jest.environment.js
 */
// workers: 0 runs ONNX Runtime in this realm, which needs the main realm's typed arrays (see that file)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clip-vg/backend';
import { getPolicy, loadHost, runExperiment } from '@clip-vg/curriculum';
import { createDemoHost, registerDemoHost } from '../index';

/** Toy sizes: the whole path (world, shipped CLIP, features, trainings on this thread) in seconds. */
const TINY = { trainImages: 24, valImages: 8, testImages: 8, steps: 10, evalEvery: 5, warmupSteps: 2, batchSize: 16 };

describe('the demo curriculum host', () => {
  beforeAll(() => initBackend('wasm', { log: null }));

  it('rejects unknown options and settings in one line', async () => {
    await expect(createDemoHost({ dataset: 'unc' })).rejects.toThrow(/^demo host: unknown option "dataset" \(known: seed, preset, settings/);
    await expect(createDemoHost({ preset: 'huge' })).rejects.toThrow('demo host: preset must be quick or full, got "huge"');
    await expect(createDemoHost({ settings: { stepz: 3 } })).rejects.toThrow(/^demo host: unknown setting "stepz" \(known: trainImages/);
    await expect(createDemoHost({ settings: '[1]' })).rejects.toThrow(/settings must be a JSON object/);
    await expect(createDemoHost({ workers: -1 })).rejects.toThrow('demo host: workers must be a non-negative integer, got -1');
  });

  it('runs any policy on the three pseudo-label sources, draws examples, and removes its temporary world at close', async () => {
    registerDemoHost();
    const worlds = () => readdirSync(tmpdir()).filter((f) => f.startsWith('clip-vg-demo-world-'));
    const before = worlds();
    const lines: string[] = [];
    const session = await loadHost('demo', { hostOptions: { seed: 3, settings: TINY, workers: 0, log: (l: string) => lines.push(l) } });
    const out = mkdtempSync(path.join(tmpdir(), 'clip-vg-demo-host-'));
    try {
      expect(session.dataset).toBe('demo');
      expect(Object.keys(session.sources)).toEqual(['template', 'relation', 'caption']);
      for (const samples of Object.values(session.sources)) expect(samples.length).toBeGreaterThan(0);
      expect(worlds().length).toBe(before.length + 1);
      const run = await runExperiment({ policy: getPolicy('ssa'), options: { thresholds: [0.1, 0.5] }, session, outDir: out, hostName: 'demo', examples: 2 });
      expect(run.summary.dataset).toBe('demo');
      expect(run.summary.selectedSamples).toBeGreaterThan(0);
      const html = readFileSync(run.report.html, 'utf8');
      const images = [...html.matchAll(/<img src="(examples\/[^"]+)"/g)].map((m) => m[1]);
      expect(images).toHaveLength(2);
      for (const src of images) expect(existsSync(path.join(out, src))).toBe(true);
      expect(lines.some((l) => /^clip: shipped tiny CLIP/.test(l))).toBe(true);
    } finally {
      await session.close?.();
      rmSync(out, { recursive: true, force: true });
    }
    expect(worlds()).toEqual(before);
  }, 120_000);
});
