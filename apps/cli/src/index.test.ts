import { version } from '../package.json';
import { main } from './index';

test("--version prints the CLI package's version and exits 0", async () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['--version'])).toBe(0);
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toBe(`${version}\n`);
  } finally {
    write.mockRestore();
  }
});

test('an unknown command exits non-zero', async () => {
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['no-such-command'])).not.toBe(0);
  } finally {
    err.mockRestore();
  }
});

test("commander's own errors print as clip-vg: <problem>, like every other error", async () => {
  const lines: string[] = [];
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c) => (lines.push(String(c)), true));
  try {
    expect(await main(['predict', '--image', 'x.png', '--text', 'a dog'])).toBe(1);
    expect(await main(['tokenize', '--input', 'x.jsonl', '--nope'])).toBe(1);
    expect(await main(['no-such-command'])).toBe(1);
  } finally {
    err.mockRestore();
  }
  expect(lines).toEqual([
    "clip-vg: required option '--checkpoint <path>' not specified\n",
    "clip-vg: unknown option '--nope'\n",
    "clip-vg: unknown command 'no-such-command'\n",
  ]);
});
