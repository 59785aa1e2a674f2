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
