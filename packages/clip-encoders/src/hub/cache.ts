import { homedir } from 'node:os';
import * as path from 'node:path';

export interface ModelCacheOptions {
  /** Root of the cache; default `$CLIP_VG_CACHE` or `~/.cache/clip-vg`. */
  cacheDir?: string;
  /** Hub revision (branch, tag or commit); default `main`. */
  revision?: string;
}

/** Root folder of the model cache. */
export function cacheRoot(options: ModelCacheOptions = {}): string {
  return options.cacheDir ?? process.env.CLIP_VG_CACHE ?? path.join(homedir(), '.cache', 'clip-vg');
}

/**
 * Folder where `clip-vg models pull NAME` stores a hub repository (`openai/clip-vit-base-patch16`) and where
 * `CLIP.fromPretrained(NAME)` looks for it: `<root>/models/<owner>--<name>/<revision>/`.
 */
export function modelCacheDir(name: string, options: ModelCacheOptions = {}): string {
  const safe = name.replace(/\//g, '--');
  return path.join(cacheRoot(options), 'models', safe, options.revision ?? 'main');
}
