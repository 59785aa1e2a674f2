/**
 * Ground-truth referring expressions: for a target object, every expression of the three forms that resolves
 * to exactly that object, then one picked at random. Spatial words and relations are only used when the
 * attributes alone do not single the target out, so they carry information.
 */
import { resolveParsed, holds, SPATIAL_MARGIN, type NounPhrase, type ParsedExpression } from './resolve';
import type { Rng } from './rng';
import type { Scene, SceneObject } from './scene';
import { GENERIC_NOUN, RELATIONS, SPATIAL_PHRASE, SPATIAL_WORDS } from './vocabulary';

export type ExpressionForm = 'attribute' | 'spatial' | 'relation';

export interface ReferringExpression {
  target: number;
  text: string;
  form: ExpressionForm;
}

interface Candidate {
  text: string;
  form: ExpressionForm;
  attributes: number;
}

const FORM_WEIGHTS: Record<ExpressionForm, number> = { attribute: 0.4, spatial: 0.3, relation: 0.3 };
/** People often over-specify: sometimes keep an attribute that is not needed. */
const REDUNDANT_ATTRIBUTE = 0.2;

/** The noun phrases of an object with 0, 1 or 2 attributes (kind always named), fewest attributes first. */
export function nounPhrases(o: SceneObject): NounPhrase[] {
  return [{ kind: o.kind }, { kind: o.kind, colour: o.colour }, { kind: o.kind, size: o.size }, { kind: o.kind, size: o.size, colour: o.colour }];
}

export function attributeCount(np: NounPhrase): number {
  return (np.size ? 1 : 0) + (np.colour ? 1 : 0);
}

/** "small red circle"; "red shape" for the generic noun. */
export function phraseText(np: NounPhrase): string {
  return [np.size, np.colour, np.kind ?? GENERIC_NOUN].filter(Boolean).join(' ');
}

export function refersTo(expression: ParsedExpression, scene: Scene, target: number): boolean {
  const matches = resolveParsed(expression, scene);
  return matches.length === 1 && matches[0] === target;
}

/** The fewest-attribute noun phrase that alone picks `index` out, if any. */
export function uniquePhrase(scene: Scene, index: number): NounPhrase | undefined {
  return nounPhrases(scene.objects[index]).find((np) => refersTo({ head: np }, scene, index));
}

function candidates(scene: Scene, target: number): Candidate[] {
  const out: Candidate[] = [];
  const margin = SPATIAL_MARGIN * Math.min(scene.width, scene.height);
  for (const np of nounPhrases(scene.objects[target])) {
    const attributes = attributeCount(np);
    const head = `the ${phraseText(np)}`;
    if (refersTo({ head: np }, scene, target)) {
      out.push({ text: head, form: 'attribute', attributes });
      continue;
    }
    for (const spatial of SPATIAL_WORDS) {
      if (refersTo({ head: np, spatial }, scene, target)) {
        out.push({ text: `${head} ${SPATIAL_PHRASE[spatial]}`, form: 'spatial', attributes });
      }
    }
    scene.objects.forEach((other, r) => {
      if (r === target) return;
      const object = uniquePhrase(scene, r);
      if (!object) return;
      for (const relation of RELATIONS) {
        if (!holds(relation, scene.objects[target], other, margin)) continue;
        if (refersTo({ head: np, relation: { relation, object } }, scene, target)) {
          out.push({ text: `${head} ${relation} the ${phraseText(object)}`, form: 'relation', attributes });
        }
      }
    });
  }
  return out;
}

/** One ground-truth expression for `target`, or undefined when no expression singles it out. */
export function describeTarget(scene: Scene, target: number, rng: Rng): ReferringExpression | undefined {
  const all = candidates(scene, target);
  const forms = (Object.keys(FORM_WEIGHTS) as ExpressionForm[]).filter((f) => all.some((c) => c.form === f));
  if (forms.length === 0) return undefined;
  const total = forms.reduce((s, f) => s + FORM_WEIGHTS[f], 0);
  let draw = rng.uniform(0, total);
  const form = forms.find((f) => (draw -= FORM_WEIGHTS[f]) < 0) ?? forms[forms.length - 1];
  const ofForm = all.filter((c) => c.form === form);
  const fewest = Math.min(...ofForm.map((c) => c.attributes));
  const concise = ofForm.filter((c) => c.attributes === fewest);
  const verbose = ofForm.filter((c) => c.attributes > fewest);
  const pool = verbose.length > 0 && rng.chance(REDUNDANT_ATTRIBUTE) ? verbose : concise;
  return { target, text: rng.pick(pool).text, form };
}
