import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@clip-vg/backend';
import { demoCaption, demoPretrainScenes, DEMO_WORDS, evalTransform, renderScene } from '@clip-vg/datasets';
import { demoClipConfig, demoClipLr, loadDemoClip, pretrainDemoClip, retrievalAccuracy, saveDemoClip, DEMO_CLIP_DIR, type LoadedDemoClip } from './demo-clip';

describe('the shipped demo CLIP', () => {
  let shipped: LoadedDemoClip;

  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    shipped = loadDemoClip();
  });
  afterAll(() => shipped?.clip.dispose());

  it('loads with the recipe configuration, its tokenizer and its record', () => {
    expect(DEMO_CLIP_DIR).toBe(path.resolve(__dirname, '..', 'assets', 'tiny-clip'));
    expect(shipped.config).toEqual(demoClipConfig());
    expect(shipped.config).toMatchObject({
      imageResolution: 48,
      visionPatchSize: 8,
      visionWidth: 64,
      visionLayers: 4,
      visionHeads: 1,
      transformerWidth: 64,
      transformerLayers: 2,
      transformerHeads: 2,
      embedDim: 64,
      contextLength: 16,
      vocabSize: 18,
    });
    expect(shipped.tokenizer.words).toEqual(DEMO_WORDS);
    const variables = shipped.clip.variables();
    expect(variables.get('visual.positional_embedding')!.shape).toEqual([37, 64]);
    expect(variables.get('token_embedding.weight')!.shape).toEqual([18, 64]);
    expect(variables.get('text_projection')!.shape).toEqual([64, 64]);
    expect([...variables.values()].every((v) => !v.trainable)).toBe(true);
    const parameters = [...variables.values()].reduce((s, v) => s + v.size, 0);
    expect(parameters).toBe(shipped.meta.parameters);
    expect(parameters).toBeGreaterThan(250_000);
    expect(parameters).toBeLessThan(350_000);
    expect(shipped.meta.steps).toBe(1000);
    expect(shipped.meta.losses).toHaveLength(1000);
    expect(shipped.meta.retrievalAccuracy).toBeGreaterThan(0.85);
    expect(shipped.meta.command).toMatch(/^clip-vg demo pretrain-clip /);
  });

  it('retrieves the captions of held-out scenes', () => {
    // a fresh stream position, beyond the 6,000 training and 512 held-out scenes of the record
    const scenes = demoPretrainScenes(shipped.meta.seed, 64, { start: 7000 });
    const pixels = scenes.map((s) => evalTransform(renderScene(s), [0, 0, 48, 48], 48).pixels);
    expect(retrievalAccuracy(shipped.clip, shipped.tokenizer, pixels, scenes.map(demoCaption), 64)).toBeGreaterThan(0.75);
  });

  it('a short retraining from the same seed reproduces the recorded loss curve', async () => {
    const steps = 10;
    const run = await pretrainDemoClip({ seed: shipped.meta.seed, steps, evaluateAt: [] });
    try {
      expect(run.losses).toHaveLength(steps);
      run.losses.forEach((loss, i) => expect(Math.abs(loss - shipped.meta.losses[i]) / shipped.meta.losses[i]).toBeLessThan(1e-4));
      // the warm-up moved the weights: the loss went down
      expect(run.losses[steps - 1]).toBeLessThan(run.losses[0]);
    } finally {
      run.clip.dispose();
    }
  }, 60_000);
});

describe('pretrainDemoClip', () => {
  beforeAll(() => initBackend('wasm', { log: null }));

  it('warms up linearly, then follows a cosine to 0', () => {
    const s = { lr: 1e-3, warmupSteps: 100, steps: 1000 };
    expect(demoClipLr(0, s)).toBeCloseTo(1e-5, 12);
    expect(demoClipLr(99, s)).toBeCloseTo(1e-3, 12);
    expect(demoClipLr(550, s)).toBeCloseTo(5e-4, 12);
    expect(demoClipLr(999, s)).toBeLessThan(1e-7);
  });

  it('saves what loadDemoClip reads back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-demo-clip-'));
    try {
      const run = await pretrainDemoClip({ seed: 5, steps: 2, batchSize: 8, trainImages: 16, heldOutImages: 16, evaluateAt: [2] });
      const meta = saveDemoClip(dir, run, { command: 'test' });
      expect(meta.losses).toHaveLength(2);
      expect(meta.retrieval).toEqual([{ step: 2, accuracy: run.retrievalAccuracy }]);
      const loaded = loadDemoClip(dir);
      for (const [name, v] of run.clip.variables()) expect(loaded.clip.variables().get(name)!.dataSync()).toEqual(v.dataSync());
      expect(loaded.meta.settings).toMatchObject({ seed: 5, steps: 2, batchSize: 8, lr: 1e-3, beta2: 0.98, weightDecay: 0.1, warmupSteps: 100 });
      run.clip.dispose();
      loaded.clip.dispose();
      expect(() => loadDemoClip(path.join(dir, 'missing'))).toThrow(/not found \(make it with `clip-vg demo pretrain-clip/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
