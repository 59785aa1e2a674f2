/**
 * The texts of the demo world (demo.ts): the shared ground-truth descriptions, the pretraining captions, the
 * fixed word lists, and the three kinds of expression of the `expressions: 'by-source'` variant, in which each
 * pseudo-label source describes objects its own way (as in the paper, where the sources differ in language):
 *
 * - template: the shortest unique attribute description, "the red circle", "the red shape", "the circle",
 *   "the large circle" (the shared world's text);
 * - relation: the target by a relation to another object, "the shape left of the blue square", "the circle
 *   above the red shape": the head is "shape" or the target's kind, the reference is named by its shortest
 *   unique attribute phrase; the relation holds by a margin (`DEMO_RELATION_MARGIN`) and no other object that
 *   fits the head stands in that relation to the reference at all, so the expression is unambiguous;
 * - caption: the target by its place in the scene, "the second shape from the left", "the first shape from the
 *   top": ordinal among all objects, sorted by centre; only where the target's centre is at least the margin
 *   away from every other object's along that axis.
 *
 * `resolveDemoExpression` resolves all three kinds, `demoExpressionKind` tells the kind of a text (so a report can
 * break accuracy down per kind from the written files alone), and `DEMO_MIXED_WORDS` holds every word of the three
 * kinds. `DEMO_WORDS` is the shared world's list and stays as it is: the shipped tiny CLIP was pretrained on it.
 */
import { phraseText, refersTo } from './expressions';
import { PSEUDO_SOURCES, type PseudoSource } from './pseudo-sources';
import { holds, parseExpression, resolveExpression, SPATIAL_MARGIN, type NounPhrase } from './resolve';
import type { Rng } from './rng';
import type { Scene, SceneObject } from './scene';
import { COLOURS, GENERIC_NOUN, RELATIONS, SHAPE_KINDS, SIZES, type Relation } from './vocabulary';

/**
 * Every word a demo text can hold (ground truth, pseudo-labels, pretraining captions), sorted: a tokenizer built
 * from it (`WordTokenizer.fromWords(DEMO_WORDS)`) does not depend on which texts were generated. Only for the
 * shared world (`expressions: 'shared'`, the default); the by-source variant needs `DEMO_MIXED_WORDS`.
 */
export const DEMO_WORDS: readonly string[] = Object.freeze(['a', 'and', 'the', GENERIC_NOUN, ...COLOURS, ...SHAPE_KINDS, ...SIZES].sort());

/** The kinds of expression of the by-source variant: one per pseudo-label source, of the same name. */
export const DEMO_EXPRESSION_KINDS = PSEUDO_SOURCES;
export type DemoExpressionKind = PseudoSource;

/**
 * What the demo world's texts describe: `shared` (default) = every source and split carries the shortest unique
 * attribute description; `by-source` = each source describes with its own kind, and the clean splits mix the kinds.
 */
export type DemoExpressionMode = 'shared' | 'by-source';
export const DEMO_EXPRESSION_MODES: readonly DemoExpressionMode[] = ['shared', 'by-source'];

/** Ordinal words of caption expressions ("the second shape from the left"); a demo image holds at most 4 objects. */
export const DEMO_ORDINALS = ['first', 'second', 'third', 'fourth'] as const;
/** Axes of caption expressions: counted from the left (by centre x) or from the top (by centre y). */
export const DEMO_ORDER_AXES = ['left', 'top'] as const;
export type DemoOrderAxis = (typeof DEMO_ORDER_AXES)[number];

/**
 * Margin, as a fraction of the image side, of relations and ordinals (5.8 px at 48 px, = `SPATIAL_MARGIN`): a
 * relation is said only when its axis' displacement exceeds it and exceeds the other axis' by it; an ordinal only
 * when the target's centre is this far from every other centre along the axis.
 */
export const DEMO_RELATION_MARGIN = SPATIAL_MARGIN;

/**
 * Every word any text of the demo world can hold, either variant (the three kinds, the shared descriptions, the
 * pretraining captions of `demoCaption` and `demoMixedCaption`), sorted; a superset of `DEMO_WORDS`. A tiny CLIP for
 * the by-source variant needs a tokenizer built from this list (`WordTokenizer.fromWords(DEMO_MIXED_WORDS)`) and its
 * own pretraining: the shipped one has a token embedding row per id of `DEMO_WORDS` only.
 */
export const DEMO_MIXED_WORDS: readonly string[] = Object.freeze(
  [...new Set([...DEMO_WORDS, ...RELATIONS.flatMap((r) => r.split(' ')), ...DEMO_ORDINALS, 'from', ...DEMO_ORDER_AXES])].sort(),
);

// ---------------------------------------------------------------------------------------------------------------
// template: the shortest unique attribute description (the shared world's text)

/** Every valid description of `target` of the demo's four forms, fewest words first. */
export function demoExpressions(scene: Scene, target: number): string[] {
  const o = scene.objects[target];
  const phrases: NounPhrase[] = [{ kind: o.kind }, { colour: o.colour, kind: o.kind }, { colour: o.colour }, { size: o.size, kind: o.kind }];
  return phrases.filter((np) => refersTo({ head: np }, scene, target)).map((np) => `the ${phraseText(np)}`);
}

/** The shortest unique description of `target`, picked at random among the shortest valid ones. */
export function describeDemoTarget(scene: Scene, target: number, rng: Rng): string {
  const shortest = shortestDemoExpressions(scene, target);
  if (shortest.length === 0) throw new Error('demo world: no unique description (colours must differ within an image)');
  return rng.pick(shortest);
}

function shortestDemoExpressions(scene: Scene, target: number): string[] {
  const valid = demoExpressions(scene, target);
  const words = (t: string) => t.split(' ').length;
  const fewest = Math.min(...valid.map(words));
  return valid.filter((t) => words(t) === fewest);
}

/** "a large red circle and a small blue square": every object, left to right. */
export function demoCaption(scene: Scene): string {
  return scene.objects
    .slice()
    .sort((a, b) => a.cx - b.cx)
    .map((o) => `a ${o.size} ${o.colour} ${o.kind}`)
    .join(' and ');
}

// ---------------------------------------------------------------------------------------------------------------
// relation: "the shape left of the blue square"

function margin(scene: Scene): number {
  return DEMO_RELATION_MARGIN * Math.min(scene.width, scene.height);
}

/** Displacement from `s` to `r` along the relation's axis (positive when it holds) and across it. */
function displacement(relation: Relation, s: SceneObject, r: SceneObject): [along: number, across: number] {
  const dx = r.cx - s.cx;
  const dy = r.cy - s.cy;
  switch (relation) {
    case 'left of':
      return [dx, Math.abs(dy)];
    case 'right of':
      return [-dx, Math.abs(dy)];
    case 'above':
      return [dy, Math.abs(dx)];
    case 'below':
      return [-dy, Math.abs(dx)];
  }
}

/** "s relation r" beyond doubt: along the axis by more than the margin, and by the margin more than across it. */
function clearly(relation: Relation, s: SceneObject, r: SceneObject, m: number): boolean {
  const [along, across] = displacement(relation, s, r);
  return along > m && along - across > m;
}

/**
 * Every unambiguous relation description of `target` ("the shape left of the blue square", "the circle above the
 * red shape"); empty when none exists (then the relation source skips the object).
 */
export function demoRelationExpressions(scene: Scene, target: number): string[] {
  const m = margin(scene);
  const s = scene.objects[target];
  const heads: NounPhrase[] = [{}, { kind: s.kind }];
  const out: string[] = [];
  scene.objects.forEach((r, ref) => {
    if (ref === target) return;
    const references = shortestDemoExpressions(scene, ref).map((t) => t.replace(/^the /, ''));
    for (const relation of RELATIONS) {
      if (!clearly(relation, s, r, m)) continue;
      for (const head of heads) {
        // no other object that fits the head stands in this relation to the reference, even without a margin
        const rival = scene.objects.some((o, k) => k !== target && k !== ref && fits(head, o) && holds(relation, o, r, 0));
        if (rival) continue;
        for (const reference of references) out.push(`the ${phraseText(head)} ${relation} the ${reference}`);
      }
    }
  });
  return out;
}

function fits(np: NounPhrase, o: SceneObject): boolean {
  return (!np.kind || np.kind === o.kind) && (!np.colour || np.colour === o.colour) && (!np.size || np.size === o.size);
}

/** One relation description of `target`, uniformly among the valid ones, or undefined when there is none. */
export function describeDemoRelation(scene: Scene, target: number, rng: Rng): string | undefined {
  const valid = demoRelationExpressions(scene, target);
  return valid.length > 0 ? rng.pick(valid) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// caption: "the second shape from the left"

function coordinate(axis: DemoOrderAxis, o: SceneObject): number {
  return axis === 'left' ? o.cx : o.cy;
}

/**
 * Every unambiguous scene-level description of `target`: its ordinal among all objects counted from the left and
 * from the top, where its centre is at least the margin away from every other centre along that axis.
 */
export function demoCaptionExpressions(scene: Scene, target: number): string[] {
  const m = margin(scene);
  const out: string[] = [];
  for (const axis of DEMO_ORDER_AXES) {
    const c = coordinate(axis, scene.objects[target]);
    const others = scene.objects.filter((_, k) => k !== target).map((o) => coordinate(axis, o));
    if (others.some((v) => Math.abs(v - c) < m)) continue;
    const rank = others.filter((v) => v < c).length;
    out.push(`the ${DEMO_ORDINALS[rank]} ${GENERIC_NOUN} from the ${axis}`);
  }
  return out;
}

/** One caption description of `target`, uniformly among the valid ones, or undefined when there is none. */
export function describeDemoCaption(scene: Scene, target: number, rng: Rng): string | undefined {
  const valid = demoCaptionExpressions(scene, target);
  return valid.length > 0 ? rng.pick(valid) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// the three kinds together

/** Every valid expression of `kind` for `target` (template: the shortest ones only, as the world uses them). */
export function demoExpressionsOfKind(scene: Scene, target: number, kind: DemoExpressionKind): string[] {
  if (kind === 'template') return shortestDemoExpressions(scene, target);
  return kind === 'relation' ? demoRelationExpressions(scene, target) : demoCaptionExpressions(scene, target);
}

/** One expression of `kind` for `target`, or undefined when the kind has none for it (never for template). */
export function describeDemoTargetAs(kind: DemoExpressionKind, scene: Scene, target: number, rng: Rng): string | undefined {
  if (kind === 'template') return describeDemoTarget(scene, target, rng);
  return kind === 'relation' ? describeDemoRelation(scene, target, rng) : describeDemoCaption(scene, target, rng);
}

const CAPTION_PATTERN = new RegExp(`^the (${DEMO_ORDINALS.join('|')}) ${GENERIC_NOUN} from the (${DEMO_ORDER_AXES.join('|')})$`);

/** The kind of a demo text (template, relation or caption), or undefined for a text of none of them. */
export function demoExpressionKind(text: string): DemoExpressionKind | undefined {
  if (CAPTION_PATTERN.test(text)) return 'caption';
  const parsed = parseExpression(text);
  if (!parsed || parsed.spatial || !/^the /.test(text)) return undefined;
  return parsed.relation ? 'relation' : 'template';
}

/**
 * The objects a demo text of any kind refers to (exactly one for a good expression). Template and relation texts
 * read as `resolveExpression` reads them (relations hold by `SPATIAL_MARGIN` along the dominant axis); a caption
 * text picks the object at that ordinal along its axis, together with every object whose centre lies within the
 * margin of it (a tie: ambiguous).
 */
export function resolveDemoExpression(text: string, scene: Scene): number[] {
  const ordinal = CAPTION_PATTERN.exec(text);
  if (!ordinal) return resolveExpression(text, scene);
  const axis = ordinal[2] as DemoOrderAxis;
  const rank = (DEMO_ORDINALS as readonly string[]).indexOf(ordinal[1]);
  const sorted = scene.objects.map((_, k) => k).sort((a, b) => coordinate(axis, scene.objects[a]) - coordinate(axis, scene.objects[b]));
  if (rank >= sorted.length) return [];
  const c = coordinate(axis, scene.objects[sorted[rank]]);
  const m = margin(scene);
  return sorted.filter((k) => Math.abs(coordinate(axis, scene.objects[k]) - c) < m);
}

/** Styles of `demoMixedCaption`: every object listed (`demoCaption`), or one object described by one kind. */
export type DemoCaptionStyle = 'list' | DemoExpressionKind;
export const DEMO_CAPTION_STYLES: readonly DemoCaptionStyle[] = ['list', ...DEMO_EXPRESSION_KINDS];

/**
 * A pretraining caption for a CLIP of the by-source variant, whose words cover all three kinds: `list` is
 * `demoCaption` (every object, left to right); a kind describes one random object that kind's way ("the shape left
 * of the blue square", "the second shape from the left"), or falls back to `list` when no object has such a
 * description. The style is drawn uniformly when not given. At most 14 words (a CLIP context of 16 holds it).
 * A one-object caption fits many images: pretraining should let identical captions in a batch share targets.
 */
export function demoMixedCaption(scene: Scene, rng: Rng, style: DemoCaptionStyle = rng.pick(DEMO_CAPTION_STYLES)): string {
  if (style === 'list') return demoCaption(scene);
  const described = rng
    .shuffle(scene.objects.map((_, k) => k))
    .map((k) => demoExpressionsOfKind(scene, k, style))
    .find((texts) => texts.length > 0);
  return described ? rng.pick(described) : demoCaption(scene);
}
