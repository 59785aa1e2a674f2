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

// The demo itself is exercised at toy sizes by @clip-vg/experiments (src/demo/run-demo.test.ts); here: the command line.
describe('clip-vg demo', () => {
  it('lists its options', async () => {
    const { code, out } = await run(['demo', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--quick', '--seed', '--seeds', '--out', '--backend']) expect(out).toContain(flag);
  });

  it('rejects a bad seed with one line and exit code 1', async () => {
    const { code, err } = await run(['demo', '--seeds', '0,x', '--out', '/tmp/never']);
    expect(code).toBe(1);
    expect(err.trim()).toBe('clip-vg: --seed/--seeds: expected non-negative integers, got "x"');
  });
});
