import type { Command } from 'commander';
import { registerDemo } from './demo';
import { registerData } from './data';
import { registerTokenize } from './tokenize';
import { registerModels } from './models';
import { registerCurriculum } from './curriculum';
import { registerSynthetic } from './synthetic';
import { registerTrain } from './train';
import { registerEval } from './eval';
import { registerReliability } from './reliability';
import { registerCheckpoint } from './checkpoint';
import { registerBench } from './bench';
import { registerPredict } from './predict';
import { registerCheckpointConvert } from './checkpoint-convert';
import { registerWorker } from './worker';

/** Each command file exports a `registerX(program)`; add yours to this list (one line each). */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerDemo,
  registerData,
  registerTokenize,
  registerModels,
  registerCurriculum,
  registerSynthetic,
  registerCheckpoint,
  registerBench,
  registerPredict,
  registerCheckpointConvert,
  registerTrain,
  registerEval,
  registerReliability,
  registerWorker,
];
