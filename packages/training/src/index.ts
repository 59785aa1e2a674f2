/** @clip-vg/training: train and evaluate CLIP-VG. */
export const PACKAGE_NAME = '@clip-vg/training';
export { AdamW, type AdamWOptions, type AdamWState } from './optim/adamw';
export { learningRate, lrMultiplier, SCHEDULE_NAMES, type ScheduleName, type ScheduleOptions } from './optim/schedules';
