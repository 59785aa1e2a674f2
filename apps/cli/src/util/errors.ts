/**
 * A user-facing failure: the CLI prints `clip-vg: <message>` on one line and exits with 1.
 * Throw it (or any Error) from a command; never call process.exit from command code.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** What a file-system error code means, for `<file>: <problem>` lines. */
const FILE_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ENOTEMPTY: 'folder not empty',
  EMFILE: 'too many open files',
};

/** Node's raw file-system messages (`EISDIR: illegal operation on a directory, open '/x'`) as `/x: is a folder, ...`. */
function fileProblem(message: string): string | undefined {
  const m = /^(E[A-Z]+): [^,]*, \w+ '([^']+)'(?: -> '([^']+)')?/.exec(message);
  if (!m || !FILE_PROBLEMS[m[1]]) return undefined;
  const file = m[1] === 'EEXIST' && m[3] ? m[3] : m[2];
  return `${file}: ${FILE_PROBLEMS[m[1]]}`;
}

/** One line, whatever the error: the first line of its message; raw file-system errors as `<file>: <problem>`. */
export function oneLine(error: unknown): string {
  // not `instanceof Error` alone: errors of another realm (a vm, a worker) are errors too
  const message = error instanceof Error || typeof (error as { message?: unknown })?.message === 'string' ? (error as Error).message : String(error);
  const first = message.split('\n')[0] || 'unknown error';
  return (
    fileProblem(first) ??
    first.replace(/^(.*?: )(E[A-Z]+: .*)$/, (all, prefix: string, rest: string) => {
      const inner = fileProblem(rest);
      return inner ? `${prefix}${inner}` : all;
    })
  );
}

/** Runs `fn`; any failure becomes a one-line `CliError` (a `CliError` passes through unchanged). */
export async function cliStep<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(oneLine(error));
  }
}

/** `cliStep` for synchronous work. */
export function cliStepSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(oneLine(error));
  }
}
