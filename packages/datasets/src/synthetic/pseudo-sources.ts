/**
 * The three pseudo-label sources of the paper, mimicked on the synthetic world. Each proposes correct labels
 * the way its real counterpart phrases them, and knows how that counterpart fails:
 *
 * - template (Pseudo-Q): "attr noun spatial" from a detector; fails by a box of another instance of the
 *   class, a spatial word dropped (ambiguous), or a wrong attribute from the attribute detector.
 * - relation (RelTR): "subject relation object" with the subject's box; fails by taking the object's box,
 *   bare class names that fit several pairs, or the wrong predicate.
 * - caption (ClipCap + head-noun matching): a scene caption with the box of its head noun; fails by matching
 *   the head noun to another instance, a vague caption, or a hallucinated attribute.
 */
import { attributeCount, nounPhrases, phraseText, refersTo, uniquePhrase } from './expressions';
import { holds, resolveParsed, SPATIAL_MARGIN, type NounPhrase, type ParsedExpression } from './resolve';
import type { Rng } from './rng';
import type { Scene } from './scene';
import { COLOURS, OPPOSITE_RELATION, OPPOSITE_SPATIAL, RELATIONS, SIZES, SPATIAL_WORDS, type SpatialWord } from './vocabulary';

export const PSEUDO_SOURCES = ['template', 'relation', 'caption'] as const;
export type PseudoSource = (typeof PSEUDO_SOURCES)[number];

export const FAILURE_MODES = ['wrongBox', 'ambiguous', 'wrongAttribute'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

/** A proposed label before it gets a detector box: what it says and which object it is meant for. */
export interface ProposedLabel {
  target: number;
  expression: ParsedExpression;
  text: string;
  /** The other object a relation label is about. */
  reference?: number;
}

/** A corrupted label: the text and the object whose box it carries. */
export interface CorruptedLabel {
  text: string;
  boxOf: number;
}

export interface SourceModel {
  /** Up to `limit` correct labels for one image. */
  propose(scene: Scene, limit: number, rng: Rng): ProposedLabel[];
  /** The label broken in the given way, or undefined when this scene cannot fail that way. */
  corrupt(scene: Scene, label: ProposedLabel, mode: FailureMode, rng: Rng): CorruptedLabel | undefined;
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six'];

/** Pseudo-Q writes the attribute, the class and the spatial word, without articles ("red circle left"). */
function templateText(e: ParsedExpression): string {
  return [phraseText(e.head), e.spatial].filter(Boolean).join(' ');
}

function relationText(e: ParsedExpression): string {
  if (!e.relation) return phraseText(e.head);
  return `${phraseText(e.head)} ${e.relation.relation} ${phraseText(e.relation.object)}`;
}

function captionText(e: ParsedExpression, scene: Scene): string {
  const head = `a ${phraseText(e.head)}`;
  const core = e.relation ? `${head} ${e.relation.relation} a ${phraseText(e.relation.object)}` : head;
  const others = scene.objects.length - (e.relation ? 2 : 1);
  if (others > 0) return `${core} and ${NUMBER_WORDS[others] ?? 'many'} other ${others === 1 ? 'shape' : 'shapes'}`;
  return `${core} with a ${scene.background.texture} background`;
}

/** Another object of the same kind when there is one (the realistic confusion), else any other object. */
function confusableObject(scene: Scene, target: number, rng: Rng): number | undefined {
  const others = scene.objects.map((_, i) => i).filter((i) => i !== target);
  if (others.length === 0) return undefined;
  const sameKind = others.filter((i) => scene.objects[i].kind === scene.objects[target].kind);
  return rng.pick(sameKind.length > 0 ? sameKind : others);
}

/**
 * Vaguer heads for the target, most plausible first: the class alone or with one attribute (shuffled), then the
 * generic noun ("a red shape") as the last resort.
 */
function vagueHeads(scene: Scene, target: number, rng: Rng): NounPhrase[] {
  const o = scene.objects[target];
  const specific: NounPhrase[] = [{ kind: o.kind }, { kind: o.kind, colour: o.colour }, { kind: o.kind, size: o.size }];
  const generic: NounPhrase[] = [{}, { colour: o.colour }, { size: o.size }];
  return [...rng.shuffle(specific), ...rng.shuffle(generic)];
}

function isAmbiguousFor(e: ParsedExpression, scene: Scene, target: number): boolean {
  const matches = resolveParsed(e, scene);
  return matches.length >= 2 && matches.includes(target);
}

/** The head with one attribute replaced by a wrong value (colour or size). */
function wrongAttributeHeads(head: NounPhrase): NounPhrase[] {
  const out: NounPhrase[] = COLOURS.filter((c) => c !== head.colour).map((colour) => ({ ...head, colour }));
  if (head.size) out.push(...SIZES.filter((s) => s !== head.size).map((size) => ({ ...head, size })));
  return out;
}

function firstWrong(scene: Scene, target: number, variants: ParsedExpression[], rng: Rng): ParsedExpression | undefined {
  return rng.shuffle(variants).find((e) => !refersTo(e, scene, target));
}

export const templateSource: SourceModel = {
  propose(scene, limit, rng) {
    const out: ProposedLabel[] = [];
    for (const target of rng.shuffle(scene.objects.map((_, i) => i))) {
      if (out.length >= limit) break;
      const valid: ParsedExpression[] = [];
      for (const head of nounPhrases(scene.objects[target])) {
        if (refersTo({ head }, scene, target)) valid.push({ head });
        for (const spatial of SPATIAL_WORDS) if (refersTo({ head, spatial }, scene, target)) valid.push({ head, spatial });
      }
      // Pseudo-Q attaches one attribute at most; two only when nothing shorter works
      const short = valid.filter((e) => attributeCount(e.head) <= 1);
      const pool = short.length > 0 ? short : valid;
      if (pool.length === 0) continue;
      const expression = rng.pick(pool);
      out.push({ target, expression, text: templateText(expression) });
    }
    return out;
  },
  corrupt(scene, label, mode, rng) {
    const { target, expression } = label;
    if (mode === 'wrongBox') {
      const other = confusableObject(scene, target, rng);
      return other === undefined ? undefined : { text: label.text, boxOf: other };
    }
    if (mode === 'ambiguous') {
      const vague = vagueHeads(scene, target, rng)
        .map((head) => ({ head }))
        .find((e) => isAmbiguousFor(e, scene, target));
      return vague && { text: templateText(vague), boxOf: target };
    }
    const variants: ParsedExpression[] = wrongAttributeHeads(expression.head).map((head) => ({ ...expression, head }));
    if (expression.spatial) variants.push({ ...expression, spatial: OPPOSITE_SPATIAL[expression.spatial as SpatialWord] });
    const wrong = firstWrong(scene, target, variants, rng);
    return wrong && { text: templateText(wrong), boxOf: target };
  },
};

export const relationSource: SourceModel = {
  propose(scene, limit, rng) {
    const out: ProposedLabel[] = [];
    const margin = SPATIAL_MARGIN * Math.min(scene.width, scene.height);
    const pairs: [number, number][] = [];
    scene.objects.forEach((_, s) => scene.objects.forEach((__, o) => s !== o && pairs.push([s, o])));
    for (const [s, o] of rng.shuffle(pairs)) {
      if (out.length >= limit) break;
      if (out.some((l) => l.target === s)) continue;
      const relations = RELATIONS.filter((r) => holds(r, scene.objects[s], scene.objects[o], margin));
      if (relations.length === 0) continue;
      const relation = rng.pick(relations);
      // RelTR names classes only; add colour where the class names alone would not single the pair out
      const subject = scene.objects[s];
      const object = scene.objects[o];
      const options: ParsedExpression[] = [
        { head: { kind: subject.kind }, relation: { relation, object: { kind: object.kind } } },
        { head: { kind: subject.kind, colour: subject.colour }, relation: { relation, object: { kind: object.kind } } },
        { head: { kind: subject.kind }, relation: { relation, object: { kind: object.kind, colour: object.colour } } },
        { head: { kind: subject.kind, colour: subject.colour }, relation: { relation, object: { kind: object.kind, colour: object.colour } } },
      ];
      const expression = options.find((e) => refersTo(e, scene, s));
      if (expression) out.push({ target: s, expression, text: relationText(expression), reference: o });
    }
    return out;
  },
  corrupt(scene, label, mode, rng) {
    const { target, expression } = label;
    const rel = expression.relation;
    if (!rel) return undefined;
    if (mode === 'wrongBox') {
      // the classic scene-graph confusion: the object's box in place of the subject's
      const other = label.reference !== undefined && rng.chance(0.7) ? label.reference : confusableObject(scene, target, rng);
      return other === undefined ? undefined : { text: label.text, boxOf: other };
    }
    if (mode === 'ambiguous') {
      const variants = vagueHeads(scene, target, rng).flatMap((head) => [
        { head, relation: { relation: rel.relation, object: { kind: rel.object.kind } } },
        { head, relation: rel },
      ]);
      const vague = variants.find((e) => isAmbiguousFor(e, scene, target));
      return vague && { text: relationText(vague), boxOf: target };
    }
    const variants: ParsedExpression[] = [
      { head: expression.head, relation: { relation: OPPOSITE_RELATION[rel.relation], object: rel.object } },
      ...wrongAttributeHeads(expression.head).map((head) => ({ head, relation: rel })),
    ];
    const wrong = firstWrong(scene, target, variants, rng);
    return wrong && { text: relationText(wrong), boxOf: target };
  },
};

export const captionSource: SourceModel = {
  propose(scene, limit, rng) {
    const out: ProposedLabel[] = [];
    const margin = SPATIAL_MARGIN * Math.min(scene.width, scene.height);
    for (const h of rng.shuffle(scene.objects.map((_, i) => i))) {
      if (out.length >= limit) break;
      const o = scene.objects[h];
      // captioners name colours; they mention one neighbour when it helps
      const heads: NounPhrase[] = [
        { kind: o.kind, colour: o.colour },
        { kind: o.kind, colour: o.colour, size: o.size },
      ];
      const options: ParsedExpression[] = heads.map((head) => ({ head }));
      scene.objects.forEach((other, r) => {
        const object = r === h ? undefined : uniquePhrase(scene, r);
        if (!object) return;
        for (const relation of RELATIONS) {
          if (holds(relation, o, other, margin)) options.push(...heads.map((head) => ({ head, relation: { relation, object } })));
        }
      });
      const valid = options.filter((e) => refersTo(e, scene, h));
      if (valid.length === 0) continue;
      const expression = rng.pick(valid);
      out.push({ target: h, expression, text: captionText(expression, scene) });
    }
    return out;
  },
  corrupt(scene, label, mode, rng) {
    const { target, expression } = label;
    if (mode === 'wrongBox') {
      const other = confusableObject(scene, target, rng);
      return other === undefined ? undefined : { text: label.text, boxOf: other };
    }
    if (mode === 'ambiguous') {
      const variants: ParsedExpression[] = vagueHeads(scene, target, rng).flatMap((head) => [
        ...(expression.relation ? [{ head, relation: expression.relation }] : []),
        { head },
      ]);
      const vague = variants.find((e) => isAmbiguousFor(e, scene, target));
      return vague && { text: captionText(vague, scene), boxOf: target };
    }
    const variants: ParsedExpression[] = wrongAttributeHeads(expression.head).map((head) => ({ ...expression, head }));
    if (expression.relation) {
      variants.push({ head: expression.head, relation: { ...expression.relation, relation: OPPOSITE_RELATION[expression.relation.relation] } });
    }
    const wrong = firstWrong(scene, target, variants, rng);
    return wrong && { text: captionText(wrong, scene), boxOf: target };
  },
};

export const SOURCE_MODELS: Record<PseudoSource, SourceModel> = {
  template: templateSource,
  relation: relationSource,
  caption: captionSource,
};
