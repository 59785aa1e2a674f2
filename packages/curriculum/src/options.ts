import { DEFAULT_THRESHOLDS } from './select';
import type { PolicyOptions } from './types';

/** Typed reads of a policy's loose options, each failing with one line that names the policy and the option. */
export class OptionReader {
  constructor(
    private readonly policy: string,
    private readonly options: PolicyOptions,
  ) {}

  number(key: string, fallback: number, min = -Infinity, max = Infinity): number {
    const raw = this.options[key];
    if (raw === undefined) return fallback;
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`policy ${this.policy}: option ${key} must be a number in [${min}, ${max}], got ${JSON.stringify(raw)}`);
    }
    return value;
  }

  integer(key: string, fallback: number, min: number): number {
    const value = this.number(key, fallback, min);
    if (!Number.isInteger(value)) throw new Error(`policy ${this.policy}: option ${key} must be an integer, got ${value}`);
    return value;
  }

  choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const raw = this.options[key];
    if (raw === undefined) return fallback;
    if (typeof raw !== 'string' || !allowed.includes(raw as T)) {
      throw new Error(`policy ${this.policy}: option ${key} must be one of ${allowed.join('|')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.options[key];
    if (raw === undefined) return fallback;
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw new Error(`policy ${this.policy}: option ${key} must be true or false, got ${JSON.stringify(raw)}`);
  }

  /** Ascending thresholds in [0, 1]: an array, or a comma list such as "0,0.2,0.4". */
  thresholds(key = 'thresholds'): number[] {
    const raw = this.options[key];
    if (raw === undefined) return [...DEFAULT_THRESHOLDS];
    const list = typeof raw === 'string' ? raw.split(',').map((s) => Number(s.trim())) : raw;
    if (!Array.isArray(list) || list.length === 0 || list.some((h) => typeof h !== 'number' || !(h >= 0 && h <= 1))) {
      throw new Error(`policy ${this.policy}: option ${key} must be a non-empty list of numbers in [0, 1], got ${JSON.stringify(raw)}`);
    }
    return [...(list as number[])].sort((a, b) => a - b);
  }

  /** Source names in a given order: an array or a comma list. */
  names(key: string): string[] | undefined {
    const raw = this.options[key];
    if (raw === undefined) return undefined;
    const list =
      typeof raw === 'string'
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : raw;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
      throw new Error(`policy ${this.policy}: option ${key} must be a list of source names, got ${JSON.stringify(raw)}`);
    }
    return list as string[];
  }
}
