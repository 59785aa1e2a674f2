/**
 * Name and shape check of a weight source against the parameters a configuration needs, reported as one line.
 */
import type { WeightSource } from './source';

const SHOWN = 5;

function list(names: string[]): string {
  const shown = names.slice(0, SHOWN).join(', ');
  return names.length > SHOWN ? `${shown}, … (+${names.length - SHOWN} more)` : shown;
}

/**
 * Throws `<origin>: weights do not fit the CLIP configuration: missing …; unexpected …; shape mismatch …`
 * when anything differs. `ignored` names (metadata keys) are neither required nor unexpected.
 */
export function checkWeights(origin: string, expected: ReadonlyMap<string, number[]>, source: WeightSource, ignored: readonly string[] = []): void {
  const missing = [...expected.keys()].filter((name) => !source[name]);
  const unexpected = Object.keys(source).filter((name) => !expected.has(name) && !ignored.includes(name));
  const mismatched = [...expected.entries()]
    .filter(([name, shape]) => source[name] && source[name].shape.join(',') !== shape.join(','))
    .map(([name, shape]) => `${name} [${source[name].shape}] ≠ [${shape}]`);
  const problems: string[] = [];
  if (missing.length) problems.push(`missing ${missing.length} (${list(missing)})`);
  if (unexpected.length) problems.push(`unexpected ${unexpected.length} (${list(unexpected)})`);
  if (mismatched.length) problems.push(`shape mismatch ${mismatched.length} (${list(mismatched)})`);
  if (problems.length) throw new Error(`${origin}: weights do not fit the CLIP configuration: ${problems.join('; ')}`);
}
