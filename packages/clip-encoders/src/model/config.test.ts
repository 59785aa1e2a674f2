import { GOLDEN_TINY_CLIP } from '@clip-vg/test-utils';
import { CLIP_CONFIGS, inferClipConfig, validateClipConfig, type ClipConfig } from './config';
import { clipParameterShapes } from './parameter-shapes';

function shapesOf(config: ClipConfig): Record<string, { shape: number[] }> {
  return Object.fromEntries([...clipParameterShapes(config)].map(([name, shape]) => [name, { shape }]));
}

describe('CLIP_CONFIGS', () => {
  test('ViT-B/16 has the published sizes', () => {
    expect(CLIP_CONFIGS['ViT-B/16']).toEqual({
      embedDim: 512,
      imageResolution: 224,
      visionLayers: 12,
      visionWidth: 768,
      visionPatchSize: 16,
      visionHeads: 12,
      contextLength: 77,
      vocabSize: 49408,
      transformerWidth: 512,
      transformerHeads: 8,
      transformerLayers: 12,
    });
  });

  test.each(Object.keys(CLIP_CONFIGS) as Array<keyof typeof CLIP_CONFIGS>)('%s is recovered from its weight shapes', (name) => {
    expect(inferClipConfig(shapesOf(CLIP_CONFIGS[name]))).toEqual(CLIP_CONFIGS[name]);
  });

  test('ViT-B/16 has 197 visual tokens and 149,620,737 parameters, as OpenAI reports', () => {
    const shapes = clipParameterShapes(CLIP_CONFIGS['ViT-B/16']);
    expect(shapes.get('visual.positional_embedding')).toEqual([197, 768]);
    const total = [...shapes.values()].reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect(total).toBe(149_620_737);
  });
});

describe('inferClipConfig', () => {
  const tiny = GOLDEN_TINY_CLIP;

  test('derives heads as width / 64 unless overridden', () => {
    expect(inferClipConfig(shapesOf(tiny)).visionHeads).toBe(2);
    expect(inferClipConfig(shapesOf(tiny)).transformerHeads).toBe(1);
    expect(inferClipConfig(shapesOf(tiny), { visionHeads: 4 }).visionHeads).toBe(4);
  });

  test('counts blocks rather than reading the highest index', () => {
    const config = inferClipConfig(shapesOf({ ...tiny, visionLayers: 3, transformerLayers: 5 }));
    expect([config.visionLayers, config.transformerLayers]).toEqual([3, 5]);
  });

  test('names the missing weight', () => {
    const shapes = shapesOf(tiny);
    delete shapes['visual.conv1.weight'];
    expect(() => inferClipConfig(shapes)).toThrow('no "visual.conv1.weight"');
  });

  test('rejects heads that do not divide the width', () => {
    expect(() => inferClipConfig(shapesOf(tiny), { visionHeads: 3 })).toThrow('not divisible by visionHeads 3');
    expect(() => validateClipConfig({ ...tiny, visionLayers: 0 })).toThrow('visionLayers must be a positive integer');
  });
});
