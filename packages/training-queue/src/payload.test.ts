import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeResult, encodeSetup, readResult, readSetup, writeArtifact } from './artifacts';
import { decodeRows, encodeJob, jobIdOf, PayloadError, TRAIN_JOB, validateJob } from './payload';
import { labelSets, recipe, tinySetup } from './test-world';

describe('job payloads', () => {
  const { all, val } = tinySetup();
  const setup = { file: 'setup-x.bin', hash: 'a'.repeat(64) };
  const job = { rows: labelSets(all, 1)[0], val, recipe: recipe(10), seed: 3 };
  const roots = ['/shared/artifacts'];

  it('round-trip rows through base64 and pass the schema', () => {
    const payload = JSON.parse(JSON.stringify(encodeJob(setup, job)));
    const { setupPath } = validateJob(TRAIN_JOB, payload, roots);
    expect(setupPath).toBe('/shared/artifacts/setup-x.bin');
    expect(decodeRows(payload.rows)).toEqual(job.rows);
    expect(decodeRows(payload.val)).toEqual(val);
  });

  it('are keyed by content: same job, same id; another seed, recipe or setup, another id', () => {
    const id = jobIdOf(encodeJob(setup, job));
    expect(id).toMatch(/^fusion-[0-9a-f]{64}$/);
    expect(jobIdOf(encodeJob(setup, { ...job }))).toBe(id);
    expect(jobIdOf(encodeJob(setup, { ...job, seed: 4 }))).not.toBe(id);
    expect(jobIdOf(encodeJob(setup, { ...job, recipe: recipe(11) }))).not.toBe(id);
    expect(jobIdOf(encodeJob({ ...setup, hash: 'b'.repeat(64) }, job))).not.toBe(id);
  });

  it.each([
    ['an unknown job name', 'run-shell', {}, /unknown job name "run-shell"/],
    ['a relative path out of the roots', TRAIN_JOB, { setup: { file: '../../etc/passwd', hash: 'a'.repeat(64) } }, /outside the worker's data roots/],
    ['an absolute path out of the roots', TRAIN_JOB, { setup: { file: '/etc/passwd', hash: 'a'.repeat(64) } }, /outside the worker's data roots/],
    ['a bad hash', TRAIN_JOB, { setup: { file: 'setup-x.bin', hash: 'zz' } }, /setup.hash/],
    ['an extra field', TRAIN_JOB, { script: 'rm -rf /' }, /unexpected field "script"/],
    ['rows of the wrong length', TRAIN_JOB, { rows: { n: 3, image: 'AAAA', text: 'AAAA', boxes: 'AAAA' } }, /rows.image: expected 12 bytes/],
    ['a negative step count', TRAIN_JOB, { recipe: { ...recipe(10), steps: -1 } }, /recipe.steps/],
    ['a recipe with code in it', TRAIN_JOB, { recipe: { ...recipe(10), lr: 'process.exit()' } }, /recipe.lr/],
    ['a string seed', TRAIN_JOB, { seed: '1' }, /seed/],
  ])('reject %s', (_what, name, patch, message) => {
    const payload = { ...JSON.parse(JSON.stringify(encodeJob(setup, job))), ...patch };
    expect(() => validateJob(name, payload, roots)).toThrow(PayloadError);
    expect(() => validateJob(name, payload, roots)).toThrow(message);
  });

  it('reject what is not an object', () => {
    for (const bad of [null, 7, 'x', [], { v: 2 }]) expect(() => validateJob(TRAIN_JOB, bad, roots)).toThrow(PayloadError);
  });
});

describe('artifacts', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-artifacts-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('store a setup by content, bit for bit, and refuse a changed file', () => {
    const { setup } = tinySetup(5);
    const ref = writeArtifact(dir, 'setup-', encodeSetup(setup));
    expect(ref.file).toBe(`setup-${ref.hash}.bin`);
    expect(writeArtifact(dir, 'setup-', encodeSetup(setup))).toEqual(ref);
    const back = readSetup(path.join(dir, ref.file), ref.hash);
    expect(back.config).toEqual(setup.config);
    expect(back.table.visual).toEqual(setup.table.visual);
    expect(back.table.visual.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(back.table.textPadding).toEqual(setup.table.textPadding);
    expect(Object.keys(back.init)).toEqual(Object.keys(setup.init));
    writeFileSync(path.join(dir, 'copy.bin'), Buffer.concat([encodeSetup(setup), Buffer.from([0])]));
    expect(() => readSetup(path.join(dir, 'copy.bin'), ref.hash)).toThrow(/does not match its hash/);
  });

  it('keep a result whose val accuracy is NaN', () => {
    const result = {
      weights: { a: new Float32Array([1, 2, 3]) },
      valAccuracy: Number.NaN,
      bestStep: 4,
      curve: [{ step: 4, loss: 0.5, val: Number.NaN }],
      seconds: 1,
    };
    const ref = writeArtifact(dir, 'result-', encodeResult(result));
    expect(readResult(path.join(dir, ref.file), ref.hash)).toEqual(result);
  });
});
