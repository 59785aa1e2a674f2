/** One visual-grounding sample, whatever the dataset or split file it came from. */
export interface GroundingRecord {
  /** Stable id within its split: `${split}:${index}` unless the file has its own. */
  id: string;
  /** Image path: absolute, or relative to the dataset's image folder. */
  image: string;
  /** Box in original-image pixels `[x1, y1, x2, y2]`, computed exactly as the official loader does. */
  box: [number, number, number, number];
  /** The box as stored in the file, before any conversion or truncation (`bbox_ori` in the official code). */
  boxOriginal: number[];
  /** Referring expression (not lower-cased; the model input lower-cases it). */
  text: string;
  /** Pseudo-label source (`template`, `relation`, `caption`, ...) when known. */
  source?: string;
}
