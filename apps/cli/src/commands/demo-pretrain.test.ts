import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../main';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    const text = (spy: typeof out) => spy.mock.calls.map((c) => String(c[0])).join('');
    return { code, out: text(out), err: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// The pretraining itself is tested by @clip-vg/experiments (src/demo-clip.test.ts); here: the command line.
describe('clip-vg demo pretrain-clip', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clip-vg-pretrain-clip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists its options', async () => {
    const { code, out } = await run(['demo', 'pretrain-clip', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--seed', '--steps', '--out', '--backend', '--json']) expect(out).toContain(flag);
  });

  it('rejects bad numbers with one line', async () => {
    const { code, err } = await run(['demo', 'pretrain-clip', '--steps', 'x', '--out', path.join(dir, 'never')]);
    expect(code).toBe(1);
    expect(err.trim()).toBe('clip-vg: --steps: expected a non-negative integer, got "x"');
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('writes the weights, config and record, taking --seed and --out although `demo` has them too', async () => {
    const out = path.join(dir, 'clip');
    const { code, out: stdout } = await run(['demo', 'pretrain-clip', '--seed', '2', '--steps', '2', '--out', out, '--quiet', '--json']);
    expect(code).toBe(0);
    for (const file of ['model.safetensors', 'config.json', 'meta.json']) expect(existsSync(path.join(out, file))).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
    expect(JSON.parse(stdout)).toEqual(meta);
    expect(meta).toMatchObject({ seed: 2, steps: 2, command: `clip-vg demo pretrain-clip --seed 2 --steps 2 --out ${out} --backend wasm` });
    expect(meta.losses).toHaveLength(2);
    expect(meta.retrieval.map((r: { step: number }) => r.step)).toEqual([2]);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'clip-vg-clip', imageResolution: 48 });
  }, 60_000);
});
