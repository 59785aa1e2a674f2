/**
 * Outputs are checked before any work: a run that trains for an hour must not fail at the end because `-o` names
 * a file or a read-only folder. Errors are one line, `<path>: <problem>`.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { CliError } from './errors';

/** The nearest existing folder at or above `target`; throws when a file sits on the way. */
function nearestFolder(target: string, shown: string): string {
  let dir = path.resolve(target);
  for (;;) {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new CliError(`${shown}: ${dir} is a file, not a folder`);
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

function checkWritable(dir: string, shown: string): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new CliError(`${shown}: cannot write into ${dir} (permission denied)`);
  }
}

/** `dir` can be created or written into: not a file, nothing on its path a file, its nearest folder writable. */
export function checkOutputDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new CliError(`${dir}: is a file, expected a folder`);
  checkWritable(nearestFolder(dir, dir), dir);
}

/** `file` can be written: not a folder, its folder creatable and writable, the extension one of `extensions` if given. */
export function checkOutputFile(file: string, extensions?: readonly string[]): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new CliError(`${file}: is a folder, expected a file`);
  if (extensions && !extensions.includes(path.extname(file).toLowerCase())) {
    throw new CliError(`${file}: unknown extension (use ${extensions.join(', ')})`);
  }
  checkWritable(nearestFolder(path.dirname(path.resolve(file)), file), file);
}

/** `-o, --out <dir>`, required, with `--output-dir` (its old name) still read but hidden from the help. */
export function addOutDirOption(command: Command, description: string): Command {
  return command.option('-o, --out <dir>', `required: ${description}`).addOption(new Option('--output-dir <dir>').hideHelp());
}

/** The `--out` folder of `addOutDirOption`, checked (see `checkOutputDir`). */
export function outDirFlag(command: string, flags: { out?: string; outputDir?: string }): string {
  const dir = flags.out ?? flags.outputDir;
  if (dir === undefined) throw new CliError(`${command}: --out is required`);
  checkOutputDir(dir);
  return dir;
}
