import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSplitFile } from '../real/load';
import { convertFlickr30kEntities, flickrImageRows, parseFlickrAnnotation, parseFlickrSentences } from './flickr';

// The first caption of 1000092795.txt as the Flickr30k Entities README shows it, and a made-up second one.
const SENTENCES = [
  '[/EN#1/people Two young guys] with [/EN#2/bodyparts shaggy hair] look at [/EN#3/bodyparts their hands] while hanging out in [/EN#8/scene the yard] .',
  '[/EN#1/people Two men] in [/EN#0/notvisual the sun] near [/EN#9/vehicles/scene a truck] .',
  '',
].join('\n');

const object = (names: string[], inner: string) => `<object>${names.map((n) => `<name>${n}</name>`).join('')}${inner}</object>`;
const bndbox = (x1: number, y1: number, x2: number, y2: number) => `<bndbox><xmin>${x1}</xmin><ymin>${y1}</ymin><xmax>${x2}</xmax><ymax>${y2}</ymax></bndbox>`;
const XML = `<annotation><filename>1000092795.jpg</filename><size><width>500</width><height>375</height><depth>3</depth></size>
${object(['1'], bndbox(159, 125, 219, 335))}
${object(['1'], bndbox(300, 100, 350, 300))}
${object(['2', '9'], bndbox(10, 20, 30, 40))}
${object(['8'], '<nobndbox>0</nobndbox><scene>1</scene>')}
</annotation>`;

describe('Flickr30k Entities parsing', () => {
  it('splits captions into words and bracketed phrases', () => {
    const [first, second] = parseFlickrSentences(SENTENCES);
    expect(first.sentence).toBe('Two young guys with shaggy hair look at their hands while hanging out in the yard .');
    expect(first.phrases.map((p) => [p.phrase, p.chainId, p.firstWord])).toEqual([
      ['Two young guys', '1', 0],
      ['shaggy hair', '2', 4],
      ['their hands', '3', 8],
      ['the yard', '8', 14],
    ]);
    expect(second.phrases[2]).toEqual({ phrase: 'a truck', chainId: '9', types: ['vehicles', 'scene'], firstWord: 6 });
  });

  it('reads 0-based boxes per chain, an object may name several chains', () => {
    const annotation = parseFlickrAnnotation(XML);
    expect([annotation.width, annotation.height]).toEqual([500, 375]);
    expect(annotation.boxes.get('1')).toEqual([
      [158, 124, 218, 334],
      [299, 99, 349, 299],
    ]);
    expect(annotation.boxes.get('9')).toEqual([[9, 19, 29, 39]]);
    expect(annotation.boxes.has('8')).toBe(false);
  });

  it('gives one row per boxed phrase: the union of a chain, or one per box', () => {
    const sentences = parseFlickrSentences(SENTENCES);
    const annotation = parseFlickrAnnotation(XML);
    expect(flickrImageRows('1000092795', sentences, annotation)).toEqual([
      ['1000092795.jpg', [158, 99, 349, 334], 'Two young guys'],
      ['1000092795.jpg', [9, 19, 29, 39], 'shaggy hair'],
      ['1000092795.jpg', [158, 99, 349, 334], 'Two men'],
      ['1000092795.jpg', [9, 19, 29, 39], 'a truck'],
    ]);
    expect(flickrImageRows('1000092795', sentences, annotation, 'each')).toHaveLength(6);
  });
});

describe('convertFlickr30kEntities', () => {
  it('writes flickr_{split}.pth from Sentences/Annotations and the split lists', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'clip-vg-flickr-'));
    try {
      mkdirSync(path.join(root, 'Sentences'));
      mkdirSync(path.join(root, 'Annotations'));
      writeFileSync(path.join(root, 'Sentences', '1000092795.txt'), SENTENCES);
      writeFileSync(path.join(root, 'Annotations', '1000092795.xml'), XML);
      writeFileSync(path.join(root, 'val.txt'), '1000092795\n1234\n');
      const out = path.join(root, 'splits');
      const written = convertFlickr30kEntities({ entitiesRoot: root, outDir: out });
      expect(written).toEqual([{ split: 'val', file: path.join(out, 'flickr', 'flickr_val.pth'), rows: 4, images: 1, skippedImages: ['1234.jpg'] }]);
      const records = loadSplitFile(written[0].file, 'flickr');
      expect(records[0]).toMatchObject({ id: 'val:0', image: '1000092795.jpg', box: [158, 99, 349, 334], text: 'Two young guys' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
