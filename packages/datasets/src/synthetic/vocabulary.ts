/**
 * The closed vocabulary of the synthetic world: few shape kinds, distinct colours and two sizes, so that a
 * tiny model can learn grounding, yet objects often share a kind or colour and need more words to be told apart.
 */
export const SHAPE_KINDS = ['circle', 'square', 'triangle', 'diamond'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

export const COLOURS = ['red', 'green', 'blue', 'yellow'] as const;
export type ColourName = (typeof COLOURS)[number];

export const SIZES = ['small', 'large'] as const;
export type SizeName = (typeof SIZES)[number];

/** Absolute position words ("the circle on the left"). */
export const SPATIAL_WORDS = ['left', 'right', 'top', 'bottom', 'middle'] as const;
export type SpatialWord = (typeof SPATIAL_WORDS)[number];

/** Relations between two objects ("the circle left of the square"). */
export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
export type Relation = (typeof RELATIONS)[number];

/** A noun that matches any kind: lets a captioner say "a red shape", which is often ambiguous. */
export const GENERIC_NOUN = 'shape';

export const BACKGROUND_TEXTURES = ['plain', 'striped', 'checkered', 'gradient', 'dotted'] as const;
export type BackgroundTexture = (typeof BACKGROUND_TEXTURES)[number];

/** Saturated colours far from the greyish backgrounds and from each other. */
export const COLOUR_RGB: Record<ColourName, [number, number, number]> = {
  red: [215, 35, 35],
  green: [35, 170, 55],
  blue: [40, 75, 215],
  yellow: [235, 205, 30],
};

/** Object radius (half the box side) as a fraction of the image side. */
export const SIZE_RADIUS: Record<SizeName, number> = { small: 0.07, large: 0.135 };

/** How each spatial word reads in a full referring expression. */
export const SPATIAL_PHRASE: Record<SpatialWord, string> = {
  left: 'on the left',
  right: 'on the right',
  top: 'at the top',
  bottom: 'at the bottom',
  middle: 'in the middle',
};

export const OPPOSITE_SPATIAL: Record<SpatialWord, SpatialWord> = {
  left: 'right',
  right: 'left',
  top: 'bottom',
  bottom: 'top',
  middle: 'left',
};

export const OPPOSITE_RELATION: Record<Relation, Relation> = {
  'left of': 'right of',
  'right of': 'left of',
  above: 'below',
  below: 'above',
};
