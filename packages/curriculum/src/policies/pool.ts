import type { Sample } from '../types';

/** The one source a single-source policy adapts: `choice` if given, the only source, or every source pooled. */
export function singleSource<S extends Sample>(policy: string, sources: Record<string, S[]>, choice: unknown): { name: string; samples: S[] } {
  const names = Object.keys(sources);
  if (names.length === 0) throw new Error(`policy ${policy}: no sources given`);
  if (choice !== undefined) {
    if (typeof choice !== 'string' || !(choice in sources)) {
      throw new Error(`policy ${policy}: option source must be one of ${names.join('|')}, got ${JSON.stringify(choice)}`);
    }
    return { name: choice, samples: nonEmpty(policy, choice, sources[choice]) };
  }
  const name = names.join('+');
  return {
    name,
    samples: nonEmpty(
      policy,
      name,
      names.flatMap((n) => sources[n]),
    ),
  };
}

function nonEmpty<S extends Sample>(policy: string, name: string, samples: S[]): S[] {
  if (samples.length === 0) throw new Error(`policy ${policy}: source ${name} has no samples`);
  return samples;
}
