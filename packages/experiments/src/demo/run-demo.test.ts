import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clip-vg/backend';
import { DEMO_METHODS, runDemo, summarizeSeeds, type DemoResults } from '../index';

/** The whole demo path at toy sizes: world, the shipped CLIP, features, every policy on worker threads, the report. */
const TINY = { trainImages: 24, valImages: 8, testImages: 8, steps: 10, evalEvery: 5, warmupSteps: 2, batchSize: 16, examples: 2 };

describe('runDemo (smoke, toy sizes)', () => {
  let out: string;
  let results: DemoResults;
  const lines: string[] = [];

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    out = mkdtempSync(path.join(tmpdir(), 'clip-vg-demo-'));
    ({ results } = await runDemo({ out, seed: 3, preset: 'quick', settings: TINY, workers: 2, log: (l) => lines.push(l) }));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('reports every method as a fraction, with thresholds and a time', () => {
    for (const m of DEMO_METHODS) {
      expect(results[m]).toBeGreaterThanOrEqual(0);
      expect(results[m]).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(results.thresholds.ssa)).toEqual(['template']);
    expect(results.seconds).toBeGreaterThan(0);
    expect(results.methods.oracle.labelPrecision).toBe(1);
    expect(results.methods.baseline_template.labelPrecision).toBeLessThan(1);
  });

  it('says when the oracle did not learn, so the table is not read as an effect', () => {
    // ten steps on 24 toy images cannot ground anything
    expect(results.oracle).toBeLessThan(0.2);
    expect(results.notes.some((n) => /the oracle reached only .* differences between the methods below are noise/.test(n))).toBe(true);
  });

  it('trains each distinct label set once: baselines are reused as measurers', () => {
    expect(results.reusedTrainings).toBeGreaterThanOrEqual(4);
    expect(lines.some((l) => l.startsWith('msa: test'))).toBe(true);
  });

  it('writes results.json and a report whose images exist', () => {
    const saved = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(saved.oracle).toBe(results.oracle);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    const images = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const src of images) {
      expect(existsSync(path.join(out, src))).toBe(true);
    }
    expect(existsSync(path.join(out, 'ssa', 'report.html'))).toBe(true);
    expect(existsSync(path.join(out, 'msa', 'report.html'))).toBe(true);
  });

  it('summarises seeds with mean and spread', () => {
    const summary = summarizeSeeds([results, { ...results, seed: 4, ssa: results.ssa + 0.1 }]);
    expect(summary.seeds).toEqual([3, 4]);
    expect(summary.methods.ssa.mean).toBeCloseTo(results.ssa + 0.05, 10);
    expect(summary.methods.ssa.std).toBeCloseTo(Math.SQRT1_2 * 0.1, 10);
    expect(summary.gains.ssa[1] - summary.gains.ssa[0]).toBeCloseTo(0.1, 10);
  });
});
