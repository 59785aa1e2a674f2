/**
 * The resumable training checkpoint, one folder written as a whole: `model.safetensors` + `config.json` (the
 * ClipVG project format, usable by eval and reliability), `trainer.safetensors` (every trainable variable and
 * its two AdamW moments, by position) and `training_state.json` (epochs done, best accuracy, history, options).
 * The folder is built beside the target and swapped in by rename, so a kill leaves the old or the new one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ClipVG } from '@clip-vg/fusion-transformer';
import { openSafetensors, writeSafetensors, type SafetensorsEntry } from '@clip-vg/torch-io';
import type { AdamW, AdamWState } from '../optim/adamw';
import { writeFileAtomic } from '@clip-vg/torch-io';

export const TRAINER_FILE = 'trainer.safetensors';
export const STATE_FILE = 'training_state.json';

export interface EpochRecord {
  epoch: number;
  lr: number;
  loss: number;
  l1: number;
  giou: number;
  steps: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  valAccuracy?: number;
  valMeanIoU?: number;
  best: boolean;
}

export interface TrainingState {
  /** Epochs completed; training resumes at this 0-based epoch. */
  epochsDone: number;
  bestAccuracy: number;
  bestEpoch: number;
  history: EpochRecord[];
  /** The settings that must not change on resume (seed, sizes, schedule, cached mode...). */
  fingerprint: Record<string, unknown>;
  /** Extra metadata for whoever reloads the model (e.g. where the CLIP weights came from). */
  meta?: Record<string, unknown>;
}

/** Save model + optimizer + state into `dir` atomically (build `dir.tmp-*`, then swap). */
export async function saveTrainingCheckpoint(
  dir: string,
  model: ClipVG,
  variables: Map<string, tf.Variable>,
  optimizer: AdamW,
  state: TrainingState,
  options: { includeClip: boolean },
): Promise<void> {
  const { target, tmp } = await stageModelFolder(dir, model, options.includeClip);
  const opt = await optimizer.getState();
  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [name, variable] of variables) {
    tensors[name] = { dtype: 'F32', shape: [...variable.shape], data: (await variable.data()) as Float32Array };
    const moments = opt.moments[name];
    if (moments) {
      tensors[`${name}.m`] = { dtype: 'F32', shape: moments.shape, data: moments.m };
      tensors[`${name}.v`] = { dtype: 'F32', shape: moments.shape, data: moments.v };
    }
  }
  writeSafetensors(path.join(tmp, TRAINER_FILE), tensors, { step: String(opt.step) });
  writeFileAtomic(path.join(tmp, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  swapIn(tmp, target);
}

/** A fresh temporary folder beside `dir` holding the saved model; `swapIn(tmp, target)` publishes it. */
async function stageModelFolder(dir: string, model: ClipVG, includeClip: boolean): Promise<{ target: string; tmp: string }> {
  const target = path.resolve(dir);
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await model.save(tmp, { includeClip });
  return { target, tmp };
}

/** Model-only folder (best_checkpoint), also swapped in atomically. */
export async function saveModelFolder(
  dir: string,
  model: ClipVG,
  variables: Map<string, tf.Variable>,
  extra: Record<string, string>,
  options: { includeClip: boolean },
): Promise<void> {
  const { target, tmp } = await stageModelFolder(dir, model, options.includeClip);
  // by position too, so a resumed run can put the best weights back into its model
  const tensors: Record<string, SafetensorsEntry> = {};
  for (const [name, v] of variables) tensors[name] = { dtype: 'F32', shape: [...v.shape], data: (await v.data()) as Float32Array };
  writeSafetensors(path.join(tmp, TRAINER_FILE), tensors);
  for (const [name, text] of Object.entries(extra)) writeFileAtomic(path.join(tmp, name), text);
  swapIn(tmp, target);
}

function swapIn(tmp: string, target: string): void {
  const old = `${target}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(tmp, target);
  rmSync(old, { recursive: true, force: true });
}

/** The checkpoint folder to resume from: `dir`, or `dir.old` when a kill fell between the two renames. */
export function findCheckpoint(dir: string): string | undefined {
  for (const candidate of [dir, `${dir}.old`]) if (existsSync(path.join(candidate, STATE_FILE))) return candidate;
  return undefined;
}

export function readTrainingState(dir: string): TrainingState {
  const file = path.join(dir, STATE_FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TrainingState;
  } catch (error) {
    throw new Error(`${file}: cannot read the training state: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The trainable variables of a folder written by either save function, or undefined without one. */
export function readTrainables(dir: string): Map<string, Float32Array> | undefined {
  const file = path.join(dir, TRAINER_FILE);
  if (!existsSync(file)) return undefined;
  const reader = openSafetensors(file);
  try {
    const names = reader.names().filter((n) => !n.endsWith('.m') && !n.endsWith('.v'));
    return new Map(names.map((n) => [n, reader.get(n).data as Float32Array]));
  } finally {
    reader.close();
  }
}

/** Restore trainable variables and AdamW moments saved by `saveTrainingCheckpoint`. */
export function restoreTrainer(dir: string, variables: Map<string, tf.Variable>, optimizer: AdamW): void {
  const file = path.join(dir, TRAINER_FILE);
  const reader = openSafetensors(file);
  try {
    const state: AdamWState = { step: Number(reader.metadata.step ?? 0), moments: {} };
    for (const [name, variable] of variables) {
      if (!reader.names().includes(name)) throw new Error(`${file}: ${name} is missing (different model or cached mode?)`);
      const entry = reader.get(name);
      if (!tf.util.arraysEqual(entry.shape, variable.shape)) {
        throw new Error(`${file}: ${name} has shape [${entry.shape}], the model's is [${variable.shape}]`);
      }
      tf.tidy(() => variable.assign(tf.tensor(entry.data as Float32Array, variable.shape, 'float32')));
      if (reader.names().includes(`${name}.m`)) {
        state.moments[name] = {
          m: reader.get(`${name}.m`).data as Float32Array,
          v: reader.get(`${name}.v`).data as Float32Array,
          shape: [...variable.shape],
        };
      }
    }
    if (reader.names().filter((n) => !n.endsWith('.m') && !n.endsWith('.v')).length !== variables.size) {
      throw new Error(`${file}: holds a different number of trainable variables than the model (${variables.size})`);
    }
    optimizer.setState(state);
  } finally {
    reader.close();
  }
}
