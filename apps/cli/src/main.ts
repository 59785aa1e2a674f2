import { CommanderError } from 'commander';
import { setBackendLog } from '@clip-vg/backend';
import { buildProgram } from './program';
import { oneLine } from './util/errors';

/**
 * Run the CLI on `argv` (without node and script). Resolves to the exit code; prints errors as one line
 * `clip-vg: <message>` on stderr. Tests call this in-process.
 */
export async function main(argv: string[]): Promise<number> {
  // the command says which backend it chose (once per process); the packages stay silent when used as libraries
  setBackendLog((line) => process.stderr.write(`${line}\n`));
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return error.exitCode;
    }
    process.stderr.write(`clip-vg: ${oneLine(error)}\n`);
    if (process.env.CLIP_VG_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
