/**
 * What a referring expression means in a scene: a small parser for the world's grammar and its geometric
 * semantics. The generator keeps only expressions that resolve to exactly their target, and the pseudo-label
 * truth is measured with the same function, so "correct" has one definition everywhere.
 *
 * Grammar (articles and "on/at/in" are ignored; anything after "and"/"with" is scene context):
 *   expression := np [spatial | relation np]
 *   np         := [size] [colour] (kind | "shape")
 *   spatial    := left | right | top | bottom | middle
 *   relation   := "left of" | "right of" | above | below
 */
import { boxIou, type Scene, type SceneObject } from './scene';
import {
  COLOURS,
  GENERIC_NOUN,
  SHAPE_KINDS,
  SIZES,
  SPATIAL_WORDS,
  type ColourName,
  type Relation,
  type ShapeKind,
  type SizeName,
  type SpatialWord,
} from './vocabulary';

export interface NounPhrase {
  size?: SizeName;
  colour?: ColourName;
  /** Undefined for the generic noun "shape". */
  kind?: ShapeKind;
}

export interface ParsedExpression {
  head: NounPhrase;
  spatial?: SpatialWord;
  relation?: { relation: Relation; object: NounPhrase };
}

/** Two centres closer than this fraction of the image side are not "left of" each other. */
export const SPATIAL_MARGIN = 0.12;

const IGNORED = new Set(['the', 'a', 'an', 'on', 'at', 'in']);
const CONTEXT_START = new Set(['and', 'with']);

/** Parse `text`, or undefined when it is outside the grammar. */
export function parseExpression(text: string): ParsedExpression | undefined {
  const tokens: string[] = [];
  for (const token of text
    .toLowerCase()
    .replace(/[^a-z\s]/g, ' ')
    .split(/\s+/)) {
    if (!token) continue;
    if (CONTEXT_START.has(token)) break;
    if (!IGNORED.has(token)) tokens.push(token);
  }
  let at = 0;
  const nounPhrase = (): NounPhrase | undefined => {
    const np: NounPhrase = {};
    for (;;) {
      const token = tokens[at];
      if ((SIZES as readonly string[]).includes(token) && !np.size) np.size = token as SizeName;
      else if ((COLOURS as readonly string[]).includes(token) && !np.colour) np.colour = token as ColourName;
      else break;
      at++;
    }
    const noun = tokens[at++];
    if ((SHAPE_KINDS as readonly string[]).includes(noun)) return { ...np, kind: noun as ShapeKind };
    return noun === GENERIC_NOUN ? np : undefined;
  };
  const head = nounPhrase();
  if (!head) return undefined;
  const expression: ParsedExpression = { head };
  const word = tokens[at];
  if ((word === 'left' || word === 'right') && tokens[at + 1] === 'of') {
    at += 2;
    const object = nounPhrase();
    if (!object) return undefined;
    expression.relation = { relation: `${word} of`, object };
  } else if (word === 'above' || word === 'below') {
    at += 1;
    const object = nounPhrase();
    if (!object) return undefined;
    expression.relation = { relation: word, object };
  } else if ((SPATIAL_WORDS as readonly string[]).includes(word)) {
    at += 1;
    expression.spatial = word as SpatialWord;
  }
  return at === tokens.length ? expression : undefined;
}

/** Indices of the objects `text` refers to in `scene` (exactly one for a good referring expression). */
export function resolveExpression(text: string, scene: Scene): number[] {
  const parsed = parseExpression(text);
  return parsed ? resolveParsed(parsed, scene) : [];
}

export function resolveParsed(expression: ParsedExpression, scene: Scene): number[] {
  const heads = matchNounPhrase(expression.head, scene.objects);
  if (expression.spatial) return selectSpatial(heads, expression.spatial, scene);
  if (expression.relation) {
    const { relation, object } = expression.relation;
    const references = matchNounPhrase(object, scene.objects);
    const margin = SPATIAL_MARGIN * Math.min(scene.width, scene.height);
    return heads.filter((s) => references.some((r) => r !== s && holds(relation, scene.objects[s], scene.objects[r], margin)));
  }
  return heads;
}

/**
 * A pseudo-label is correct when its text refers to exactly one object and its box overlaps that object with
 * IoU ≥ 0.5 (the Acc@0.5 criterion), i.e. training on it teaches the right answer.
 */
export function isCorrectLabel(scene: Scene, text: string, box: readonly number[]): boolean {
  const matches = resolveExpression(text, scene);
  return matches.length === 1 && boxIou(box, scene.objects[matches[0]].box) >= 0.5;
}

function matchNounPhrase(np: NounPhrase, objects: readonly SceneObject[]): number[] {
  const out: number[] = [];
  objects.forEach((o, i) => {
    if (np.kind && o.kind !== np.kind) return;
    if (np.colour && o.colour !== np.colour) return;
    if (np.size && o.size !== np.size) return;
    out.push(i);
  });
  return out;
}

/** "s relation r": the displacement is mostly along the relation's axis and larger than the margin. */
export function holds(relation: Relation, s: SceneObject, r: SceneObject, margin: number): boolean {
  const dx = r.cx - s.cx;
  const dy = r.cy - s.cy;
  switch (relation) {
    case 'left of':
      return dx > margin && dx > Math.abs(dy);
    case 'right of':
      return -dx > margin && -dx > Math.abs(dy);
    case 'above':
      return dy > margin && dy > Math.abs(dx);
    case 'below':
      return -dy > margin && -dy > Math.abs(dx);
  }
}

/**
 * Among several candidates a spatial word picks the extreme one, if it stands out by the margin (otherwise all
 * tied candidates stay: ambiguous); "middle" needs exactly three candidates along x. A single candidate keeps
 * the word only when it is true of its place in the image.
 */
function selectSpatial(candidates: number[], word: SpatialWord, scene: Scene): number[] {
  const objects = scene.objects;
  if (candidates.length === 0) return [];
  if (candidates.length === 1) {
    const o = objects[candidates[0]];
    const u = o.cx / scene.width;
    const v = o.cy / scene.height;
    const fits = { left: u < 0.5, right: u > 0.5, top: v < 0.5, bottom: v > 0.5, middle: Math.abs(u - 0.5) < 1 / 6 }[word];
    return fits ? candidates : [];
  }
  const margin = SPATIAL_MARGIN * Math.min(scene.width, scene.height);
  if (word === 'middle') {
    if (candidates.length !== 3) return [];
    const sorted = candidates.slice().sort((a, b) => objects[a].cx - objects[b].cx);
    const [lo, mid, hi] = sorted.map((i) => objects[i].cx);
    return mid - lo > margin && hi - mid > margin ? [sorted[1]] : sorted;
  }
  const key = (i: number): number => {
    const o = objects[i];
    return { left: o.cx, right: -o.cx, top: o.cy, bottom: -o.cy }[word];
  };
  const best = Math.min(...candidates.map(key));
  return candidates.filter((i) => key(i) - best <= margin);
}
