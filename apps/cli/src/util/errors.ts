/**
 * A user-facing failure: the CLI prints `clip-vg: <message>` on one line and exits with `exitCode`.
 * Throw it (or any Error) from a command; never call process.exit from command code.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** One line, whatever the error: the first line of its message. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'unknown error';
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
