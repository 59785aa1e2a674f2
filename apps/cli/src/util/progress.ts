import { SingleBar, Presets } from 'cli-progress';
import type { TrainingEvent } from '@clip-vg/experiments';

export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  /** Raise the total by `n` (work discovered while running). */
  grow(n: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr (stdout stays clean for JSON). Silent when stderr is not a terminal unless
 * CLIP_VG_PROGRESS=1, so logs and tests are not flooded.
 */
export function progressBar(label: string, total: number, fields = '', payload: Record<string, string | number> = {}): Progress {
  const forced = process.env.CLIP_VG_PROGRESS === '1';
  const enabled = process.stderr.isTTY || forced;
  if (!enabled) return { tick: () => undefined, grow: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}${fields ? ' ' + fields : ''}`,
      stream: process.stderr,
      hideCursor: true,
      // cli-progress draws nothing on a non-terminal stream unless told to; forced bars go to logs too.
      noTTYOutput: forced,
      notTTYSchedule: 2000,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, payload);
  let value = 0;
  let size = total;
  return {
    grow(n) {
      size += n;
      bar.setTotal(size);
    },
    tick(n = 1, payload) {
      value += n;
      bar.update(value, payload);
    },
    stop() {
      bar.stop();
    },
  };
}

/** One bar over the steps of every training started so far (its total grows as the policies ask for more). */
export function trainingsBar(label: string): { onTraining(event: TrainingEvent): void; stop(): void } {
  const bar = progressBar(label, 0, '{running} running, {done} trainings done', { running: 0, done: 0 });
  const stepsOf = new Map<number, number>();
  let done = 0;
  return {
    onTraining(e) {
      const before = stepsOf.get(e.id);
      if (before === undefined) bar.grow(e.steps);
      if (e.done) done++;
      stepsOf.set(e.id, e.step);
      bar.tick(e.step - (before ?? 0), { running: stepsOf.size - done, done });
    },
    stop: () => bar.stop(),
  };
}
