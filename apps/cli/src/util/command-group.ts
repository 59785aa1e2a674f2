import type { Command } from 'commander';

/** The `name` sub-command group of `program` (e.g. `checkpoint`, `data`, `models`), created on first use. */
export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}
