import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { modelCacheDir, type ModelCacheOptions } from './cache';

/** Written last by a pull, so its presence means every listed file arrived whole and verified. */
export const MANIFEST_FILE = 'clip-vg-manifest.json';

export interface ManifestFile {
  name: string;
  size: number;
  sha256: string;
  /** The hub's ETag: sha256 for large (LFS) files, git blob sha1 for small ones. */
  etag: string;
}

export interface ModelManifest {
  name: string;
  /** The revision asked for (`main`) and the commit it resolved to. */
  revision: string;
  commit: string;
  endpoint: string;
  files: ManifestFile[];
  pulledAt: string;
}

/** The manifest of a cached folder, or undefined when the folder holds no complete pull. */
export function readManifest(dir: string): ModelManifest | undefined {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message}); pull the model again`);
  }
}

/**
 * The cache folder of hub model `name` when a complete pull is there (manifest present, every file at its
 * size), else undefined. Never touches the network.
 */
export function findCachedModel(name: string, options: ModelCacheOptions = {}): string | undefined {
  const dir = modelCacheDir(name, options);
  const manifest = readManifest(dir);
  if (!manifest) return undefined;
  const whole = manifest.files.every((f) => {
    const file = path.join(dir, f.name);
    return existsSync(file) && statSync(file).size === f.size;
  });
  return whole ? dir : undefined;
}
