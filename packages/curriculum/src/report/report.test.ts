import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import sharp from 'sharp';
import { getPolicy } from '../registry';
import { createSimulatedHost, simulatedSources } from '../simulated';
import { summarizeRun } from './results';
import { writeReport } from './write-report';

test('an MSA report holds results.json, markdown, html, the SR/CR grid, per-pair histograms, the curve and images', async () => {
  const sources = simulatedSources({ sources: { a: { count: 120, cleanRate: 0.7 }, b: { count: 80, cleanRate: 0.5 } } });
  const result = await getPolicy('msa').run(sources, createSimulatedHost(), { thresholds: [0.2, 0.5, 0.8] });
  const summary = summarizeRun('msa', { thresholds: [0.2, 0.5, 0.8] }, sources, result, { dataset: 'synthetic', host: 'simulated' });
  const dir = tempDir('report-');
  const files = await writeReport(dir, summary, {
    images: [
      {
        title: 'an example',
        width: 200,
        height: 150,
        boxes: [
          { box: [10, 20, 110, 120], label: 'pseudo' },
          { box: [30, 20, 130, 120], label: 'pred', color: '#e00000' },
        ],
      },
    ],
  });
  const json = JSON.parse(readFileSync(files.results, 'utf8'));
  expect(json).toMatchObject({ policy: 'msa', dataset: 'synthetic', totalSamples: 200, selectedSamples: result.selected.length });
  expect(json.histograms).toHaveLength(4);
  expect(json.histograms[0].counts).toBeUndefined(); // the 1000 counts live in histograms.json
  expect(JSON.parse(readFileSync(path.join(dir, 'histograms.json'), 'utf8'))[0].counts).toHaveLength(1000);
  expect(files.plots.map((p) => path.basename(p))).toEqual([
    'threshold_curve.png',
    'histograms_grid.png',
    'histogram_a__a.png',
    'histogram_a__b.png',
    'histogram_b__a.png',
    'histogram_b__b.png',
  ]);
  const grid = await sharp(path.join(dir, 'plots', 'histograms_grid.png')).metadata();
  expect([grid.width, grid.height]).toEqual([90 + 2 * 260 + 20, 70 + 2 * 190 + 20]);
  const img = await sharp(files.images[0]).raw().toBuffer({ resolveWithObject: true });
  // the green pseudo box's left edge at x = 10, y = 70
  const c = img.info.channels;
  const at = (x: number, y: number) => Array.from(img.data.subarray((y * img.info.width + x) * c, (y * img.info.width + x) * c + 3));
  expect(at(10, 70)).toEqual([0, 192, 0]);
  const md = readFileSync(files.markdown, 'utf8');
  expect(md).toMatch(/# Curriculum report: msa on synthetic/);
  expect(md).toMatch(/!\[.*\]\(plots\/histograms_grid\.png\)/);
  expect(readFileSync(files.html, 'utf8')).toMatch(/<img src="plots\/threshold_curve\.png"/);
  expect(existsSync(path.join(dir, 'examples', '01.png'))).toBe(true);
});
