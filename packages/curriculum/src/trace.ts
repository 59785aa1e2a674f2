import type { CurriculumHost, TraceEvent } from './types';

/** Collects a policy's trace and forwards each event to the host's progress display. */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];

  constructor(private readonly host: Pick<CurriculumHost<unknown>, 'report'>) {}

  add(event: Omit<TraceEvent, 'index'>): TraceEvent {
    const full: TraceEvent = { index: this.events.length, ...event };
    this.events.push(full);
    this.host.report?.(full);
    return full;
  }
}

/** `0.8123` → `81.23%`, for trace messages. */
export function pct(accuracy: number): string {
  return `${(accuracy * 100).toFixed(2)}%`;
}

/** `null` → `all`, `0.5` → `r>0.5`, `1` → `r==1`. */
export function describeThreshold(h: number | null): string {
  if (h === null) return 'all';
  return h >= 1 ? 'r==1' : `r>${h}`;
}
