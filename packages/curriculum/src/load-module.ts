import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when `spec` names a file (`./x.js`, `/abs/x.mjs`, `x.cjs`) rather than a package. */
export function looksLikePath(spec: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])/.test(spec) || /\.(c|m)?js$/.test(spec);
}

/**
 * Load a user module by file path (relative to `cwd`) or package name (resolved from `cwd`): CommonJS via require,
 * ES modules via a native import(). Returns the resolved file and the module namespace.
 */
export async function loadUserModule(spec: string, cwd: string, what: string): Promise<{ file: string; module: unknown }> {
  let file: string;
  if (looksLikePath(spec)) {
    file = path.resolve(cwd, spec);
    if (!existsSync(file)) throw new Error(`${file}: ${what} module not found`);
  } else {
    try {
      file = createRequire(path.join(cwd, 'noop.js')).resolve(spec);
    } catch {
      throw new Error(`${spec}: no such ${what} module (not a file and not an installed package)`);
    }
  }
  if (!file.endsWith('.mjs')) {
    try {
      return { file, module: createRequire(file)(file) };
    } catch (error) {
      // an ES module under a "type": "module" package cannot be required on Node 20: import it below
      if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM')
        throw new Error(`${file}: cannot load ${what} module (${(error as Error).message.split('\n')[0]})`);
    }
  }
  // a real dynamic import, which bundlers would otherwise rewrite into require()
  const nativeImport = new Function('u', 'return import(u)') as (u: string) => Promise<unknown>;
  try {
    return { file, module: await nativeImport(pathToFileURL(file).href) };
  } catch (error) {
    throw new Error(`${file}: cannot load ${what} module (${(error as Error).message.split('\n')[0]})`);
  }
}

/** The first of `default`, `default.default`, `[name]`, or the module itself that passes `test`. */
export function pickExport<T>(mod: unknown, name: string, test: (x: unknown) => x is T): T | undefined {
  const m = mod as Record<string, unknown> | undefined;
  const candidates = [m?.default, (m?.default as Record<string, unknown> | undefined)?.default, m?.[name], m];
  return candidates.find(test);
}
