/**
 * Learning-rate schedules of the official `train_clip_vg.py`, stepped once per epoch (e = 0-based epoch).
 * Each returns the multiplier of the base learning rate, as torch's LambdaLR / StepLR do.
 */

export type ScheduleName = 'cosine' | 'step' | 'poly' | 'halfdecay' | 'exponential';

export const SCHEDULE_NAMES: readonly ScheduleName[] = ['cosine', 'step', 'poly', 'halfdecay', 'exponential'];

export interface ScheduleOptions {
  epochs: number;
  /** `step`: multiply by 0.1 every `lrDrop` epochs (official default 60). */
  lrDrop?: number;
  /** `poly`: exponent (official default 0.9). */
  lrPower?: number;
  /** `exponential`: per-epoch factor (official default 0.9). */
  lrExponential?: number;
}

export function lrMultiplier(name: ScheduleName, epoch: number, options: ScheduleOptions): number {
  const { epochs } = options;
  switch (name) {
    case 'cosine':
      return 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs));
    case 'step':
      return 0.1 ** Math.floor(epoch / (options.lrDrop ?? 60));
    case 'poly':
      return (1 - epoch / epochs) ** (options.lrPower ?? 0.9);
    case 'halfdecay':
      // Python: 0.5 ** (epoch // (epochs // 10)); fewer than 10 epochs would divide by zero there, so we keep 1.
      return 0.5 ** Math.floor(epoch / Math.max(1, Math.floor(epochs / 10)));
    case 'exponential':
      return (options.lrExponential ?? 0.9) ** epoch;
    default:
      throw new Error(`unknown lr scheduler '${String(name)}': choose one of ${SCHEDULE_NAMES.join(', ')}`);
  }
}

export function learningRate(base: number, name: ScheduleName, epoch: number, options: ScheduleOptions): number {
  return base * lrMultiplier(name, epoch, options);
}
