import { main } from './index';

test('--version prints the version and exits 0', async () => {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['--version'])).toBe(0);
    expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/0\.1\.0/);
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
