/**
 * `clip-vg checkpoint convert IN.pth OUT_DIR`: an official CLIP-VG checkpoint → the project format
 * (`model.safetensors` + `config.json`), loadable with `ClipVG.fromPretrained(OUT_DIR)`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '@clip-vg/backend';
import { ClipVG, PROJECT_CONFIG_FILE, PROJECT_WEIGHTS_FILE } from '@clip-vg/fusion-transformer';
import { commandGroup } from '../util/command-group';
import { CliError, oneLine } from '../util/errors';

interface ConvertCliOptions {
  clip: boolean;
  backend?: string;
}

export function registerCheckpointConvert(program: Command): void {
  commandGroup(program, 'checkpoint', 'inspect and convert PyTorch checkpoints')
    .command('convert')
    .description('official CLIP-VG .pth → project folder (model.safetensors + config.json)')
    .argument('<in>', 'official CLIP-VG checkpoint (.pth) or a plain CLIP-VG state dict')
    .argument('<out-dir>', 'folder to write')
    .option('--no-clip', 'leave the frozen CLIP weights out (the trained visual positional embedding is kept)')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: CLIP_VG_BACKEND or the best installed)')
    .action((input: string, outDir: string, options: ConvertCliOptions) => convert(input, outDir, options));
}

async function convert(input: string, outDir: string, options: ConvertCliOptions): Promise<void> {
  if (!existsSync(input)) throw new CliError(`${input}: no such file`);
  try {
    await initBackend(options.backend, { log: null });
  } catch (error) {
    throw new CliError(oneLine(error));
  }
  let model: ClipVG;
  try {
    model = ClipVG.fromCheckpoint(input);
  } catch (error) {
    throw new CliError(oneLine(error));
  }
  const { config } = model;
  const trainable = model.countTrainableParameters();
  try {
    await model.save(outDir, { includeClip: options.clip });
  } catch (error) {
    throw new CliError(`${outDir}: ${oneLine(error)}`);
  } finally {
    model.dispose();
  }
  process.stdout.write(
    `wrote ${path.join(outDir, PROJECT_WEIGHTS_FILE)} (${options.clip ? 'with' : 'without'} CLIP weights) and ` +
      `${PROJECT_CONFIG_FILE}: D ${config.hiddenDim}, ${config.vlLayers} layers, imsize ${config.imsize}, ` +
      `extract layers [${config.extractLayers.join(', ')}], ${trainable.toLocaleString('en-US')} trainable parameters\n`,
  );
}
