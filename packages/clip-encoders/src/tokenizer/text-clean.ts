import { ftfyUnescapeHtml, htmlUnescape } from './html-unescape';

/**
 * CLIP's text cleaning: `whitespace_clean(basic_clean(text)).lower()` of OpenAI's simple_tokenizer, where
 * basic_clean = ftfy.fix_text, then html.unescape twice, then strip.
 *
 * Of ftfy (6.x, default settings) this ports every fixer that changes ordinary text: HTML entities, C1 controls
 * as Windows-1252, Latin ligatures, full/half-width forms, curly quotes, line breaks, lone surrogates, terminal
 * escapes, control characters, NFC. Not ported: the mojibake detector (`fix_encoding`, e.g. "cafÃ©" -> "café"),
 * a large heuristic that only fires on text that was already decoded wrongly.
 */
export function cleanText(text: string): string {
  const basic = htmlUnescape(htmlUnescape(fixText(text))).replace(EDGE_WHITESPACE, '');
  return basic.replace(WHITESPACE_RUN, ' ').replace(EDGE_WHITESPACE, '').toLowerCase();
}

/**
 * Python's `\s` for str patterns in the `regex` module (Unicode White_Space). JavaScript's `\s` differs:
 * it adds U+FEFF and lacks U+0085.
 */
export const PY_WHITESPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
// Python's str.strip() also strips U+001C..U+001F; ftfy has already deleted those.
const EDGE_WHITESPACE = new RegExp(`^[${PY_WHITESPACE}\\x1c-\\x1f]+|[${PY_WHITESPACE}\\x1c-\\x1f]+$`, 'gu');
const WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'gu');

/** `ftfy.fix_text` without mojibake repair: line by line, each line fixed until nothing changes. */
export function fixText(text: string): string {
  let unescape = true;
  let out = '';
  for (const segment of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    // ftfy's "auto" HTML mode: once a line holds '<' the text is taken for markup, for this line and the rest.
    if (segment.includes('<')) unescape = false;
    out += fixSegment(segment, unescape);
  }
  return out;
}

function fixSegment(segment: string, unescape: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescape) text = ftfyUnescapeHtml(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = text.replace(/[\u201c-\u201f]/g, '"').replace(/[\u02bc\u2018-\u201b]/g, "'");
    text = text.replace(/\r\n/g, '\n').replace(/[\r\u2028\u2029\x85]/g, '\n');
    text = text.replace(/[\ud800-\udfff]/gu, '\ufffd'); // with /u only lone surrogates match
    // eslint-disable-next-line no-control-regex -- strips ANSI escape sequences, as the reference cleaner does
    text = text.replace(/\x1b\[((?:\p{Nd}|;)*)([a-zA-Z])/gu, '');
    text = text.replace(CONTROL_CHARS, '');
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

/** Windows-1252 for 0x80-0x9F; the five undefined positions stay as they are ("sloppy-windows-1252"). */
const WINDOWS_1252_C1 =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

function fixC1Controls(text: string): string {
  return text.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]);
}

const LIGATURES: ReadonlyMap<string, string> = new Map([
  ['Ĳ', 'IJ'],
  ['ĳ', 'ij'],
  ['ŉ', 'ʼn'],
  ['Ǳ', 'DZ'],
  ['ǲ', 'Dz'],
  ['ǳ', 'dz'],
  ['Ǆ', 'DŽ'],
  ['ǅ', 'Dž'],
  ['ǆ', 'dž'],
  ['Ǉ', 'LJ'],
  ['ǈ', 'Lj'],
  ['ǉ', 'lj'],
  ['Ǌ', 'NJ'],
  ['ǋ', 'Nj'],
  ['ǌ', 'nj'],
  ['ﬀ', 'ff'],
  ['ﬁ', 'fi'],
  ['ﬂ', 'fl'],
  ['ﬃ', 'ffi'],
  ['ﬄ', 'ffl'],
  ['ﬅ', 'ſt'],
  ['ﬆ', 'st'],
]);
const LIGATURE_CHARS = new RegExp(`[${[...LIGATURES.keys()].join('')}]`, 'gu');

function fixLatinLigatures(text: string): string {
  return text.replace(LIGATURE_CHARS, (c) => LIGATURES.get(c) ?? c);
}

/** U+3000 and the Halfwidth and Fullwidth Forms block, each to its NFKC form (only when that differs). */
function fixCharacterWidth(text: string): string {
  return text.replace(/[\u3000\uff01-\uffef]/g, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

// eslint-disable-next-line no-control-regex -- the control characters are what this pattern removes
const CONTROL_CHARS = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;
