import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { savePth, TorchTensor, writeSafetensors } from '@clip-vg/torch-io';
import { runCli } from '../testing/run-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeShared('checkpoint inspect on the golden CLIP-VG checkpoint', () => {
  const file = () => sharedPath('golden', 'clipvg-tiny', 'checkpoint.pth');

  test('--json: every tensor and the meta entries', async () => {
    const { code, out, err } = await runCli(['checkpoint', 'inspect', file(), '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(Object.keys(summary.tensors).filter((n: string) => n.startsWith('model.'))).toHaveLength(689);
    expect(summary.tensors['model.clip.positional_embedding']).toEqual({ shape: [77, 64], dtype: 'float32' });
    expect(summary.meta.epoch).toBe(0);
    expect(summary.meta.val_accu).toBe(0);
    expect(summary.meta.args).toMatchObject({ model: 'ViT-B/16', imsize: 64, vl_hidden_dim: 64, dataset: 'unc' });
  });

  test('text: a table of tensors, then the meta entries and a footer', async () => {
    const { code, out } = await runCli(['checkpoint', 'inspect', file()]);
    expect(code).toBe(0);
    expect(out).toMatch(/^name +shape +dtype$/m);
    expect(out).toMatch(/^model\.clip\.positional_embedding +\[77, 64\] +float32$/m);
    expect(out).toMatch(/^epoch: 0$/m);
    expect(out).toMatch(/^args: \{"model":"ViT-B\/16"/m);
    expect(out).toMatch(/tensors, [\d,]+ elements, [\d.]+ MiB of storage\n$/);
  });

  test('a truncated checkpoint: one line on stderr naming the file, exit code 1', async () => {
    const cut = path.join(dir, 'cut.pth');
    const whole = readFileSync(file());
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const { code, out, err } = await runCli(['checkpoint', 'inspect', cut]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^clip-vg: ${cut.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: truncated or corrupt zip[^\n]*\n$`));
  });
});

describeShared('checkpoint inspect on a large pickle', () => {
  test('unc_train_statistic.pkl (a Counter of 9,364 words): text lists the first 100 entries, --json all', async () => {
    const file = sharedPath('fixtures', 'real', 'pseudo-q-statistic', 'unc_train_statistic.pkl');
    const text = await runCli(['checkpoint', 'inspect', file]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^… 9264 more entries \(--json for all\)$/m);
    const json = JSON.parse((await runCli(['checkpoint', 'inspect', file, '--json'])).out);
    expect(Object.keys(json.meta)).toHaveLength(9364);
    expect(json.meta.left).toBe(27963);
  });
});

describe('checkpoint inspect', () => {
  test('a pickle that calls os.system is refused with exit code 1', async () => {
    const evil = path.join(dir, 'evil.pth');
    writeFileSync(evil, Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.", 'latin1'));
    const { code, err } = await runCli(['checkpoint', 'inspect', evil]);
    expect(code).toBe(1);
    expect(err).toBe(`clip-vg: ${evil}: refused to load global 'os.system': it could execute code (opcode 0x63 at byte 0)\n`);
  });

  test('a missing file', async () => {
    const { code, err } = await runCli(['checkpoint', 'inspect', path.join(dir, 'nope.pth')]);
    expect(code).toBe(1);
    expect(err).toMatch(/nope\.pth: no such file\n$/);
  });

  test('a split file written by savePth, and a safetensors file', async () => {
    const split = path.join(dir, 'unc_val.pth');
    savePth(split, [['a.jpg', '1.pth', [1, 2, 3, 4], 'man', []]]);
    expect(JSON.parse((await runCli(['checkpoint', 'inspect', split, '--json'])).out)).toEqual({ tensors: {}, meta: { type: 'list', length: 1 } });

    const st = path.join(dir, 'w.safetensors');
    writeSafetensors(st, { w: { dtype: 'F16', shape: [2], data: Uint16Array.of(0, 0) } }, { format: 'pt' });
    expect(JSON.parse((await runCli(['checkpoint', 'inspect', st, '--json'])).out)).toEqual({
      tensors: { w: { shape: [2], dtype: 'F16' } },
      meta: { format: 'pt' },
    });
    const tensor = TorchTensor.fromTypedArray(Float32Array.of(1), [1]);
    const small = path.join(dir, 'small.pth');
    savePth(small, { state_dict: { w: tensor }, epoch: 7 }, { format: 'legacy' });
    expect(JSON.parse((await runCli(['checkpoint', 'inspect', small, '--json'])).out)).toEqual({
      tensors: { 'state_dict.w': { shape: [1], dtype: 'float32' } },
      meta: { epoch: 7 },
    });
  });
});
