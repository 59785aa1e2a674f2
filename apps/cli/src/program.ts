import { Command } from 'commander';
import { version } from '../package.json';
import { commands } from './commands';

/** The CLI package's own version, so `--version` follows every release without a second place to edit. */
export const VERSION: string = version;

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
