import { main } from '../main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Short names for the same text. */
  out: string;
  err: string;
}

/** Runs `clip-vg argv` in-process and captures what it writes. For tests. */
export async function runCli(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
  try {
    const code = await main(argv);
    const stdout = out.join('');
    const stderr = err.join('');
    return { code, stdout, stderr, out: stdout, err: stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
