/**
 * Scene layout: 2–5 non-overlapping shapes on a textured background. Attributes are drawn so that objects
 * often share a kind or a colour (sometimes all three attributes), which is what makes attributes, spatial
 * words and relations necessary in the referring expressions.
 */
import type { Rng } from './rng';
import {
  BACKGROUND_TEXTURES,
  COLOURS,
  SHAPE_KINDS,
  SIZES,
  SIZE_RADIUS,
  type BackgroundTexture,
  type ColourName,
  type ShapeKind,
  type SizeName,
} from './vocabulary';

export interface SceneObject {
  kind: ShapeKind;
  colour: ColourName;
  size: SizeName;
  /** Centre in pixels. */
  cx: number;
  cy: number;
  /** Half the side of the (square) box, in pixels. */
  radius: number;
  /** Integer pixel box `[x1, y1, x2, y2]` that holds every painted pixel (x2, y2 exclusive). */
  box: [number, number, number, number];
}

export interface Background {
  texture: BackgroundTexture;
  /** Base RGB (low saturation, mid grey) and the texture's second tone. */
  base: [number, number, number];
  accent: [number, number, number];
  /** Texture period in pixels and orientation (stripes, gradient). */
  period: number;
  angle: number;
}

export interface Scene {
  width: number;
  height: number;
  background: Background;
  objects: SceneObject[];
  /** Seed of the per-pixel noise, so rendering is reproducible. */
  noiseSeed: number;
  /** Amplitude of the per-pixel noise (uniform in ±noise/2; default 12). */
  noise?: number;
}

export interface SceneOptions {
  width: number;
  height: number;
  minObjects: number;
  maxObjects: number;
  /** Multiplies `SIZE_RADIUS` (default 1). */
  objectScale?: number;
  /** Multiplies the chance that an object copies another's kind or colour (default 1; 0 = all independent). */
  distractors?: number;
  /** Background textures to draw from (default all). */
  textures?: readonly BackgroundTexture[];
  /**
   * Place objects centred in distinct cells of a `grid × grid` layout (0 = anywhere). With cells the size of a
   * ViT patch, an object is one token: what a tiny model can localise within a short training. Sizes then
   * follow the cell (`objectScale` does not apply).
   */
  grid?: number;
}

/** Radius as a fraction of half a grid cell. */
const GRID_RADIUS: Record<SizeName, number> = { small: 0.62, large: 0.88 };

/** Probability that a new object copies the kind / colour of an existing one (creates distractors). */
const SHARE_KIND = 0.5;
const SHARE_COLOUR = 0.35;

export function generateScene(rng: Rng, options: SceneOptions): Scene {
  const { width, height } = options;
  const count = rng.int(options.minObjects, options.maxObjects);
  const side = Math.min(width, height);
  const gap = Math.max(2, 0.03 * side);
  const objects: SceneObject[] = [];
  const grid = options.grid ?? 0;
  const cells = grid > 0 ? rng.shuffle(Array.from({ length: grid * grid }, (_, i) => i)) : [];
  for (let attempt = 0; objects.length < count && attempt < count * 60; attempt++) {
    const template = objects.length > 0 ? rng.pick(objects) : undefined;
    const share = options.distractors ?? 1;
    const kind = template && rng.chance(SHARE_KIND * share) ? template.kind : rng.pick(SHAPE_KINDS);
    const colour = template && rng.chance(SHARE_COLOUR * share) ? template.colour : rng.pick(COLOURS);
    const size = rng.pick(SIZES);
    if (grid > 0) {
      const cell = cells[objects.length];
      const [cw, ch] = [width / grid, height / grid];
      const [cx, cy] = [((cell % grid) + 0.5) * cw, (Math.floor(cell / grid) + 0.5) * ch];
      const radius = (GRID_RADIUS[size] * Math.min(cw, ch)) / 2;
      objects.push({ kind, colour, size, cx, cy, radius, box: shapeBox(cx, cy, radius, width, height) });
      continue;
    }
    const radius = SIZE_RADIUS[size] * (options.objectScale ?? 1) * side * rng.uniform(0.9, 1.1);
    const cx = rng.uniform(radius + 1, width - radius - 1);
    const cy = rng.uniform(radius + 1, height - radius - 1);
    const clear = objects.every((o) => Math.hypot(o.cx - cx, o.cy - cy) > o.radius * 1.42 + radius * 1.42 + gap);
    if (!clear) continue;
    objects.push({ kind, colour, size, cx, cy, radius, box: shapeBox(cx, cy, radius, width, height) });
  }
  return { width, height, background: generateBackground(rng, options.textures ?? BACKGROUND_TEXTURES), objects, noiseSeed: rng.int(0, 2 ** 31 - 1) };
}

function shapeBox(cx: number, cy: number, r: number, width: number, height: number): [number, number, number, number] {
  return [Math.max(0, Math.floor(cx - r)), Math.max(0, Math.floor(cy - r)), Math.min(width, Math.ceil(cx + r)), Math.min(height, Math.ceil(cy + r))];
}

function generateBackground(rng: Rng, textures: readonly BackgroundTexture[]): Background {
  const grey = rng.uniform(95, 175);
  const tint = (): number => Math.round(grey + rng.uniform(-18, 18));
  const base: [number, number, number] = [tint(), tint(), tint()];
  const delta = rng.uniform(14, 28) * (rng.chance(0.5) ? 1 : -1);
  const accent = base.map((v) => Math.round(Math.min(255, Math.max(0, v + delta)))) as [number, number, number];
  return { texture: rng.pick(textures), base, accent, period: rng.int(6, 16), angle: rng.uniform(0, Math.PI) };
}

/** Intersection over union of two `[x1, y1, x2, y2]` boxes. */
export function boxIou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
