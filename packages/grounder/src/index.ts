/** @clip-vg/grounder: visual grounding in three lines, on either engine, from any CLIP-VG checkpoint. */
export { Grounder, type GrounderOptions, type Grounding, type GroundingQuery, type GroundBatchOptions, type ImageInput } from './grounder';
export { loadModel, parseEngineName, type LoadedModel, type LoadModelOptions, type BoxPredictor, type EngineName } from './load-model';
