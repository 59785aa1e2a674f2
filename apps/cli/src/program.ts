import { Command } from 'commander';
import { commands } from './commands';

export const VERSION = '0.1.0';

/** The `clip-vg` program with every sub-command registered. */
export function buildProgram(): Command {
  const program = new Command('clip-vg')
    .description('CLIP-VG visual grounding in TypeScript: train, eval, predict, reliability, curriculum, demo, bench')
    .version(VERSION)
    .showHelpAfterError(false)
    // commander's own errors (unknown option, missing required option) in the form of every other error
    .configureOutput({ outputError: (text, write) => write(`clip-vg: ${text.replace(/^error: /, '')}`) })
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}
