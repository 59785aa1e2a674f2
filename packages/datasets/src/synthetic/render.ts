/**
 * Rasterise a scene to 8-bit RGB (HWC, the `RgbImage` layout of @clip-vg/image). Edges are anti-aliased with
 * 4×4 supersampling and every pixel gets a little noise, so shapes look drawn rather than pasted.
 */
import { createRng } from './rng';
import type { Background, Scene, SceneObject } from './scene';
import { COLOUR_RGB, type ShapeKind } from './vocabulary';

export interface SceneImage {
  width: number;
  height: number;
  /** Row-major RGB bytes: pixel (x, y) channel c at `(y * width + x) * 3 + c`. */
  data: Uint8Array;
}

const SUBSAMPLES = 4;

export function renderScene(scene: Scene): SceneImage {
  const { width, height } = scene;
  const data = new Uint8Array(width * height * 3);
  paintBackground(data, width, height, scene.background);
  const rng = createRng(scene.noiseSeed);
  for (const object of scene.objects) paintObject(data, width, object, rng.uniform(-14, 14));
  addNoise(data, rng.state(), scene.noise ?? 12);
  return { width, height, data };
}

function paintBackground(data: Uint8Array, width: number, height: number, bg: Background): void {
  const cos = Math.cos(bg.angle);
  const sin = Math.sin(bg.angle);
  const diagonal = Math.hypot(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = textureWeight(bg, x, y, cos, sin, diagonal);
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(bg.base[c] * (1 - t) + bg.accent[c] * t);
    }
  }
}

/** How much of the accent tone a background pixel shows, in [0, 1]. */
function textureWeight(bg: Background, x: number, y: number, cos: number, sin: number, diagonal: number): number {
  const along = x * cos + y * sin;
  switch (bg.texture) {
    case 'plain':
      return 0;
    case 'striped':
      return Math.floor(along / bg.period) % 2 === 0 ? 0 : 1;
    case 'checkered':
      return (Math.floor(x / bg.period) + Math.floor(y / bg.period)) % 2;
    case 'gradient':
      return Math.min(1, Math.max(0, along / diagonal + 0.5));
    case 'dotted': {
      const dx = (x % bg.period) - bg.period / 2;
      const dy = (y % bg.period) - bg.period / 2;
      return dx * dx + dy * dy < (bg.period * bg.period) / 12 ? 1 : 0;
    }
  }
}

function paintObject(data: Uint8Array, width: number, o: SceneObject, shade: number): void {
  const rgb = COLOUR_RGB[o.colour].map((v) => Math.min(255, Math.max(0, v + shade)));
  const [x1, y1, x2, y2] = o.box;
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      const a = coverage(o, x, y);
      if (a === 0) continue;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(data[i + c] * (1 - a) + rgb[c] * a);
    }
  }
}

/**
 * The fraction of pixel (x, y) the shape covers. Shapes are convex, so a pixel whose four corners agree is
 * (to within a sliver) entirely inside or outside; only edge pixels are supersampled.
 */
function coverage(o: SceneObject, x: number, y: number): number {
  const at = (px: number, py: number): boolean => inside(o.kind, (px - o.cx) / o.radius, (py - o.cy) / o.radius);
  const corners = Number(at(x, y)) + Number(at(x + 1, y)) + Number(at(x, y + 1)) + Number(at(x + 1, y + 1));
  if (corners === 4) return 1;
  let covered = 0;
  for (let sy = 0; sy < SUBSAMPLES; sy++) {
    for (let sx = 0; sx < SUBSAMPLES; sx++) {
      if (at(x + (sx + 0.5) / SUBSAMPLES, y + (sy + 0.5) / SUBSAMPLES)) covered++;
    }
  }
  return covered / (SUBSAMPLES * SUBSAMPLES);
}

/** Whether the point (u, v), in units of the radius around the centre, lies inside the shape. */
function inside(kind: ShapeKind, u: number, v: number): boolean {
  switch (kind) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return Math.abs(u) <= 1 && Math.abs(v) <= 1;
    case 'triangle':
      // apex at the top, base at the bottom, both inside the unit box
      return v <= 1 && v >= -1 && Math.abs(u) <= (v + 1) / 2;
    case 'diamond':
      return Math.abs(u) + Math.abs(v) <= 1;
  }
}

function addNoise(data: Uint8Array, seed: number, amplitude: number): void {
  const rng = createRng(seed);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.min(255, Math.max(0, data[i] + Math.round((rng.next() - 0.5) * amplitude)));
  }
}
