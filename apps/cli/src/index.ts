/** @clip-vg/cli: the `clip-vg` command. Programmatic entry points for embedding and tests. */
export { main } from './main';
export { buildProgram, VERSION } from './program';
export { CliError } from './util/errors';
