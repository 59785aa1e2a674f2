import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { htmlUnescape } from './html-unescape';
import { cleanText } from './text-clean';

// Generated with the real ftfy 6.3.1, html.unescape and the `regex` module by reference/generate_clean_cases.py.
const { cases } = JSON.parse(readFileSync(path.join(__dirname, 'reference', 'clean-cases.json'), 'utf8')) as {
  cases: Array<{ text: string; clean: string }>;
};

test.each(cases.map((c) => [JSON.stringify(c.text), c.text, c.clean]))('cleanText(%s) matches ftfy + html.unescape', (_name, text, clean) => {
  expect(cleanText(text)).toBe(clean);
});

test('cleanText matches ftfy (mojibake repair off) on 1000 random strings of tricky pieces', () => {
  const fuzz = JSON.parse(readFileSync(path.join(__dirname, 'reference', 'fuzz-clean-cases.json'), 'utf8')) as {
    cases: Array<{ text: string; clean: string }>;
  };
  const wrong = fuzz.cases.filter((c) => cleanText(c.text) !== c.clean);
  expect(wrong).toEqual([]);
});

test('htmlUnescape follows Python: legacy prefixes, C1 remaps, dropped code points, object keys are not entities', () => {
  expect(htmlUnescape('&notit; &amp &gt')).toBe('¬it; & >');
  expect(htmlUnescape('&#x80;&#150;&#1;x')).toBe('€–x');
  expect(htmlUnescape('&constructor; &__proto__;')).toBe('&constructor; &__proto__;');
});
