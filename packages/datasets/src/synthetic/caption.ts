/**
 * A clean description of a whole scene ("a large red circle, a small blue square and a yellow triangle on a
 * striped background"), objects left to right. These are the image–caption pairs a tiny CLIP is pretrained on;
 * unlike the caption pseudo-labels, they are never wrong. The demo world's captions have no background and join
 * every object with "and": `demoCaption` in demo.ts.
 */
import { phraseText } from './expressions';
import type { Scene } from './scene';

export function sceneCaption(scene: Scene): string {
  const phrases = scene.objects
    .slice()
    .sort((a, b) => a.cx - b.cx)
    .map((o) => `a ${phraseText({ size: o.size, colour: o.colour, kind: o.kind })}`);
  const list = phrases.length > 1 ? `${phrases.slice(0, -1).join(', ')} and ${phrases[phrases.length - 1]}` : (phrases[0] ?? 'nothing');
  return `${list} on a ${scene.background.texture} background`;
}
