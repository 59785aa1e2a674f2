/**
 * `clip-vg checkpoint inspect FILE [--json]`: what a `.pth` (zip or legacy), pickle or `.safetensors` file
 * holds: every tensor with its shape and dtype, and the non-tensor entries (epoch, val_accu, args, ...).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { inspectCheckpoint, loadPth, openSafetensors, tensorBytes, type CheckpointSummary } from '@clip-vg/torch-io';
import { commandGroup } from '../util/command-group';
import { CliError, oneLine } from '../util/errors';

export function registerCheckpoint(program: Command): void {
  const checkpoint = commandGroup(program, 'checkpoint', 'inspect and convert PyTorch checkpoints');
  checkpoint
    .command('inspect')
    .description('list every tensor (name, shape, dtype) and the non-tensor entries of a .pth, pickle or .safetensors file')
    .argument('<file>', 'checkpoint or split file')
    .option('--json', 'print one JSON object {"tensors": {name: {shape, dtype}}, "meta": {...}}')
    .action((file: string, options: { json?: boolean }) => inspect(file, options.json === true));
}

function inspect(file: string, json: boolean): void {
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  let summary: CheckpointSummary;
  let footer: string;
  try {
    if (file.endsWith('.safetensors')) {
      ({ summary, footer } = inspectSafetensors(file));
    } else {
      const value = loadPth(file);
      summary = inspectCheckpoint(value);
      const totals = tensorBytes(value);
      footer = `${totals.count} tensors, ${totals.elements.toLocaleString('en-US')} elements, ${formatBytes(totals.storageBytes)} of storage`;
    }
  } catch (error) {
    // torch-io errors already start with the file name.
    throw new CliError(oneLine(error));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  process.stdout.write(formatSummary(summary, footer));
}

function inspectSafetensors(file: string): { summary: CheckpointSummary; footer: string } {
  const reader = openSafetensors(file);
  try {
    const tensors: CheckpointSummary['tensors'] = {};
    let elements = 0;
    for (const name of reader.names()) {
      const info = reader.info(name);
      tensors[name] = info;
      elements += info.shape.reduce((a, b) => a * b, 1);
    }
    const footer = `${reader.names().length} tensors, ${elements.toLocaleString('en-US')} elements`;
    return { summary: { tensors, meta: reader.metadata }, footer };
  } finally {
    reader.close();
  }
}

const MAX_META_LINES = 100;

/** Aligned columns for tensors, one `key: json` line per meta entry (long values shortened). */
export function formatSummary(summary: CheckpointSummary, footer: string): string {
  const names = Object.keys(summary.tensors);
  const width = Math.min(80, Math.max(4, ...names.map((n) => n.length)));
  const shapes = names.map((n) => `[${summary.tensors[n].shape.join(', ')}]`);
  const shapeWidth = Math.max(5, ...shapes.map((s) => s.length));
  const lines: string[] = [];
  if (names.length) {
    lines.push(`${'name'.padEnd(width)}  ${'shape'.padEnd(shapeWidth)}  dtype`);
    names.forEach((n, i) => lines.push(`${n.padEnd(width)}  ${shapes[i].padEnd(shapeWidth)}  ${summary.tensors[n].dtype}`));
  }
  const meta = Object.entries(summary.meta);
  if (meta.length) {
    if (lines.length) lines.push('');
    for (const [key, value] of meta.slice(0, MAX_META_LINES)) {
      const text = JSON.stringify(value);
      lines.push(`${key}: ${text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars; --json for all)` : text}`);
    }
    if (meta.length > MAX_META_LINES) lines.push(`… ${meta.length - MAX_META_LINES} more entries (--json for all)`);
  }
  lines.push('', footer);
  return `${lines.join('\n')}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
