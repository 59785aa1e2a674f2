import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { allPolicy } from './policies/all';
import { fixedPolicy } from './policies/fixed';
import { msaPolicy } from './policies/msa';
import { ssaPolicy } from './policies/ssa';
import type { CurriculumPolicy } from './types';

const policies = new Map<string, CurriculumPolicy>();
for (const p of [allPolicy, fixedPolicy, ssaPolicy, msaPolicy]) policies.set(p.name, p);

/** Make a policy available by its name (a later registration under the same name replaces the earlier one). */
export function registerPolicy(policy: CurriculumPolicy): void {
  assertPolicy(policy, 'registerPolicy');
  policies.set(policy.name, policy);
}

/** A registered policy; throws one line listing the known names. */
export function getPolicy(name: string): CurriculumPolicy {
  const policy = policies.get(name);
  if (!policy) throw new Error(`unknown curriculum policy "${name}" (known: ${listPolicies().join(', ')})`);
  return policy;
}

export function listPolicies(): string[] {
  return [...policies.keys()];
}

/**
 * A policy by registered name, by file path (`./my-policy.js`, `.cjs`, `.mjs`; relative to `cwd`), or by package
 * name. The module exports the policy as `default`, as `policy`, or is the policy itself; it is registered under
 * its name once loaded.
 */
export async function loadPolicy(nameOrModule: string, cwd: string = process.cwd()): Promise<CurriculumPolicy> {
  if (policies.has(nameOrModule)) return policies.get(nameOrModule)!;
  const looksLikePath = /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/])/.test(nameOrModule) || /\.(c|m)?js$/.test(nameOrModule);
  let resolved: string;
  if (looksLikePath) {
    resolved = path.resolve(cwd, nameOrModule);
    if (!existsSync(resolved)) throw new Error(`${resolved}: policy module not found`);
  } else {
    try {
      resolved = createRequire(path.join(cwd, 'noop.js')).resolve(nameOrModule);
    } catch {
      throw new Error(`unknown curriculum policy "${nameOrModule}": not a built-in (${listPolicies().join(', ')}), a file, or an installed package`);
    }
  }
  const loaded = await importModule(resolved);
  const policy = pickPolicy(loaded);
  if (!policy) throw new Error(`${resolved}: exports no curriculum policy (need default or policy export with name, description and run())`);
  assertPolicy(policy, resolved);
  policies.set(policy.name, policy);
  return policy;
}

async function importModule(file: string): Promise<unknown> {
  if (!file.endsWith('.mjs')) {
    try {
      return createRequire(file)(file);
    } catch (error) {
      // an ES module under a "type": "module" package cannot be required on Node 20: import it below
      if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw new Error(`${file}: cannot load policy module (${(error as Error).message.split('\n')[0]})`);
    }
  }
  // a real dynamic import, which bundlers would otherwise rewrite into require()
  const nativeImport = new Function('u', 'return import(u)') as (u: string) => Promise<unknown>;
  return nativeImport(pathToFileURL(file).href);
}

function pickPolicy(mod: unknown): CurriculumPolicy | undefined {
  const m = mod as Record<string, unknown> | undefined;
  const options = [m?.default, (m?.default as Record<string, unknown> | undefined)?.default, m?.policy, m];
  return options.find((c): c is CurriculumPolicy => isPolicy(c));
}

function isPolicy(x: unknown): x is CurriculumPolicy {
  const p = x as Partial<CurriculumPolicy> | undefined;
  return !!p && typeof p.name === 'string' && typeof p.run === 'function';
}

function assertPolicy(p: CurriculumPolicy, where: string): void {
  if (!isPolicy(p) || p.name.length === 0) throw new Error(`${where}: a policy needs a non-empty name and a run() function`);
  if (typeof p.description !== 'string') throw new Error(`${where}: policy ${p.name} needs a description string`);
}
