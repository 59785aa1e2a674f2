import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadUserModule, looksLikePath, pickExport } from './load-module';
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
  const known = policies.get(nameOrModule);
  if (known) return known;
  if (!looksLikePath(nameOrModule)) {
    try {
      createRequire(path.join(cwd, 'noop.js')).resolve(nameOrModule);
    } catch {
      throw new Error(`unknown curriculum policy "${nameOrModule}": not a built-in (${listPolicies().join(', ')}), a file, or an installed package`);
    }
  }
  const { file, module } = await loadUserModule(nameOrModule, cwd, 'policy');
  const policy = pickExport(module, 'policy', isPolicy);
  if (!policy) throw new Error(`${file}: exports no curriculum policy (need default or policy export with name, description and run())`);
  assertPolicy(policy, file);
  policies.set(policy.name, policy);
  return policy;
}

function isPolicy(x: unknown): x is CurriculumPolicy {
  const p = x as Partial<CurriculumPolicy> | undefined;
  return !!p && typeof p.name === 'string' && typeof p.run === 'function';
}

function assertPolicy(p: CurriculumPolicy, where: string): void {
  if (!isPolicy(p) || p.name.length === 0) throw new Error(`${where}: a policy needs a non-empty name and a run() function`);
  if (typeof p.description !== 'string') throw new Error(`${where}: policy ${p.name} needs a description string`);
}
