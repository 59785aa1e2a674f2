/**
 * Test helpers shared by every package. Not published.
 *
 * `../shared` (beside the checkout) holds the goldens, fixtures and vocabulary. It is read in place,
 * never copied. On a clone without it, tests that need it are skipped with a visible message.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Absolute path of the shared folder, or undefined when it is absent. `CLIP_VG_SHARED` overrides. */
export function sharedDir(): string | undefined {
  const candidate = process.env.CLIP_VG_SHARED ?? path.resolve(repoRoot, '..', 'shared');
  return existsSync(candidate) ? candidate : undefined;
}

/** Path inside the shared folder (throws if the folder is absent; use inside `describeShared`). */
export function sharedPath(...parts: string[]): string {
  const dir = sharedDir();
  if (!dir) throw new Error('../shared is absent');
  return path.join(dir, ...parts);
}

let warned = false;

/** `describe` that runs only where ../shared exists, and says so loudly where it does not. */
export function describeShared(name: string, fn: () => void): void {
  if (sharedDir()) {
    describe(name, fn);
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(`SKIPPED: ../shared not found beside the checkout; tests that need goldens/fixtures are skipped (set CLIP_VG_SHARED to its path).`);
  }
  // Not `describe.skip(name, fn)`: jest still runs a skipped describe's body to collect its tests, and these
  // bodies read ../shared while collecting.
  describe(name, () => {
    test.skip('needs ../shared (absent)', () => undefined);
  });
}

const madeDirs: string[] = [];
// Registered when a test file first imports this module (jest evaluates it once per file).
if (typeof afterAll === 'function') afterAll(() => madeDirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A fresh folder under the OS temp dir, removed after the importing test file's tests. Jest runs no `afterAll` in a
 * file whose tests are all skipped, so a file that only has `describeShared` tests makes its folder inside that block.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export const REPO_ROOT = repoRoot;
