/**
 * `train-model` payloads: keyed by content, naming samples by source and position, and the schema a worker applies
 * before it reads anything (paths inside its roots, known fields only, numbers in range).
 */
import { createHost, type GroundingSample, type ModelHostSettings } from '@clip-vg/training';
import { modelJob, slowStepWarning, validateModelJob } from './model-job';
import { PayloadError } from './payload';

const settings: ModelHostSettings = {
  dataset: 'synthetic',
  splitRoot: '/data/world',
  dataRoot: '/data/world',
  modelConfig: '/data/tiny.json',
  vocab: '/vocab/bpe.txt.gz',
  valSplit: 'val',
  epochs: 2,
  batchSize: 8,
  lr: 2.5e-4,
  weightDecay: 1e-4,
  lrScheduler: 'cosine',
  seed: 13,
  evalBatchSize: 128,
  workers: 2,
};
const sample = (id: string): GroundingSample => ({ id, image: `${id}.png`, box: [0, 0, 4, 4], boxOriginal: [0, 0, 4, 4], text: id });
const sources = { template: ['template:0', 'template:1'].map(sample), caption: ['caption:0'].map(sample) };
const roots = ['/artifacts', '/data', '/vocab'];
/** A payload as JSON brings it, for breaking on purpose. */
type Raw = Record<string, unknown> & { host: Record<string, unknown> };

describe('train-model jobs', () => {
  it('name samples by source and position; the id is the content (not the worker thread count)', () => {
    const { payload, jobId } = modelJob(settings, sources, [sources.caption[0], sources.template[1]], 3);
    expect(payload.samples).toEqual({ caption: [0], template: [1] });
    expect(payload.index).toBe(3);
    expect(payload.host).not.toHaveProperty('workers');
    expect(jobId).toMatch(/^model-[0-9a-f]{64}$/);
    expect(modelJob({ ...settings, workers: 0 }, sources, [sources.caption[0], sources.template[1]], 3).jobId).toBe(jobId);
    expect(modelJob(settings, sources, [sources.caption[0], sources.template[1]], 4).jobId).not.toBe(jobId);
    expect(modelJob({ ...settings, epochs: 3 }, sources, [sources.caption[0], sources.template[1]], 3).jobId).not.toBe(jobId);
    expect(() => modelJob(settings, sources, [sample('relation:0')], 0)).toThrow('sample relation:0 is in no source');
  });

  it('pass the schema when every path is inside a root', () => {
    const { payload } = modelJob(settings, sources, sources.template, 0);
    expect(validateModelJob(JSON.parse(JSON.stringify(payload)), roots)).toEqual(payload);
    expect(validateModelJob({ ...payload, host: { ...payload.host, modelConfig: undefined, clip: 'ViT-B/16' } }, roots).host.clip).toBe('ViT-B/16');
  });

  it.each([
    ['a data set outside the roots', (p: Raw) => (p.host.splitRoot = '/etc'), /host\.splitRoot: "\/etc" is outside the worker's data roots/],
    ['a climb out of a root', (p: Raw) => (p.host.vocab = '/vocab/../etc/passwd'), /host\.vocab: .* is outside/],
    ['CLIP weights outside the roots', (p: Raw) => (p.host.clip = '/home/x/clip.pt'), /host\.clip: .* is outside/],
    ['a CLIP name that climbs', (p: Raw) => ((p.host.clip = '../x'), delete p.host.modelConfig), /host\.clip: expected a path or a model name/],
    ['an unknown field', (p: Raw) => (p.command = 'rm -rf /'), /payload: unexpected field "command"/],
    ['an unknown host field', (p: Raw) => (p.host.module = './policy.js'), /host: unexpected field "module"/],
    ['a bad epoch count', (p: Raw) => (p.host.epochs = 0.5), /host\.epochs: expected a positive integer/],
    ['an unknown schedule', (p: Raw) => (p.host.lrScheduler = 'eval'), /host\.lrScheduler: expected one of/],
    ['negative sample positions', (p: Raw) => (p.samples = { template: [-1] }), /samples\.template: expected sample indices/],
    ['no samples', (p: Raw) => (p.samples = {}), /samples: none/],
    ['a bad labels hash', (p: Raw) => (p.labels = 'x'), /labels: expected 64 hex digits/],
    ['no model', (p: Raw) => delete p.host.modelConfig, /host: needs modelConfig or clip/],
  ])('reject %s', (_what, mutate, message) => {
    const payload = JSON.parse(JSON.stringify(modelJob(settings, sources, sources.template, 0).payload));
    mutate(payload);
    expect(() => validateModelJob(payload, roots)).toThrow(PayloadError);
    expect(() => validateModelJob(payload, roots)).toThrow(message);
  });

  it('reject what is not an object', () => {
    for (const bad of [null, 7, 'x', [], { v: 2 }]) expect(() => validateModelJob(bad, roots)).toThrow(PayloadError);
  });

  it('plug into the model host as its train option, which takes nothing else', async () => {
    await expect(createHost({ dataset: 'synthetic', splitRoot: '/data', dataRoot: '/data', train: 'redis://host:6379' })).rejects.toThrow(
      'model host: option train takes a function (from the command line: --queue URL)',
    );
  });

  it('say once when a training step holds the thread for over half the job lock', () => {
    const lines: string[] = [];
    const slow = slowStepWarning({ lockDuration: 20, log: (line) => lines.push(line) });
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    slow.step();
    slow.step();
    expect(lines).toEqual([]);
    for (let i = 0; i < 2; i++) {
      busy(15);
      slow.step();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: a training step took 0\.0 s, over half the 0\.02 s job lock; raise --lock-duration/);
  });
});
