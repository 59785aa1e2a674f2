/**
 * `clip-vg models pull [NAME]` downloads a Hugging Face CLIP repository into the model cache, where
 * `fromPretrained(NAME)` finds it offline; `clip-vg models list` shows what the cache holds.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { cacheRoot, DEFAULT_MODEL, pullModel, readManifest, type PullProgress } from '@clip-vg/clip-encoders';
import { commandGroup } from '../util/command-group';
import { CliError, oneLine } from '../util/errors';
import { type Progress, progressBar } from '../util/progress';

interface PullCliOptions {
  revision?: string;
  cacheDir?: string;
  endpoint?: string;
  files?: string;
}

export function registerModels(program: Command): void {
  const models = commandGroup(program, 'models', 'download and list pretrained CLIP models');

  models
    .command('pull')
    .description('download a Hugging Face CLIP repository (weights, config, tokenizer files) into the model cache, resuming and verifying')
    .argument('[name]', 'hub repository', DEFAULT_MODEL)
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--cache-dir <dir>', 'cache root (default: $CLIP_VG_CACHE or ~/.cache/clip-vg)')
    .option('--endpoint <url>', 'hub address (default: $HF_ENDPOINT or https://huggingface.co)')
    .option('--files <list>', 'comma-separated files to fetch instead of the default set')
    .action((name: string, options: PullCliOptions) => pull(name, options));

  models
    .command('list')
    .description('list the models in the cache: name, revision, commit, size, folder')
    .option('--cache-dir <dir>', 'cache root (default: $CLIP_VG_CACHE or ~/.cache/clip-vg)')
    .action((options: { cacheDir?: string }) => list(options.cacheDir));
}

async function pull(name: string, options: PullCliOptions): Promise<void> {
  const bars = new FileBars();
  try {
    const result = await pullModel(name, {
      revision: options.revision,
      cacheDir: options.cacheDir,
      endpoint: options.endpoint,
      files: options.files
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean),
      onProgress: (p) => bars.update(p),
    });
    bars.stop();
    const { manifest } = result;
    const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
    process.stdout.write(
      `pulled ${name}@${manifest.revision} (commit ${manifest.commit.slice(0, 12)}): ${manifest.files.length} files, ` +
        `${formatBytes(bytes)}, ${result.downloaded.length} downloaded, into ${result.dir}\n`,
    );
  } catch (error) {
    bars.stop();
    throw new CliError(oneLine(error));
  }
}

/** One progress bar per file, in bytes. */
class FileBars {
  private bar: Progress | undefined;
  private file = '';

  update(p: PullProgress): void {
    if (p.file !== this.file) {
      this.bar?.stop();
      this.file = p.file;
      this.bar = progressBar(`${p.index + 1}/${p.count} ${p.file}`, p.size);
    }
    if (p.bytes > 0) this.bar?.tick(p.bytes);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function list(cacheDir?: string): void {
  const root = path.join(cacheRoot({ cacheDir }), 'models');
  const rows: string[] = [];
  for (const repo of existsSync(root) ? readdirSync(root).sort() : []) {
    for (const revision of readdirSync(path.join(root, repo)).sort()) {
      const dir = path.join(root, repo, revision);
      const manifest = readManifest(dir);
      if (!manifest) continue;
      const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
      rows.push(`${manifest.name}\t${manifest.revision}\t${manifest.commit.slice(0, 12)}\t${formatBytes(bytes)}\t${dir}`);
    }
  }
  process.stdout.write(rows.length ? rows.join('\n') + '\n' : `no models in ${root}\n`);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
