import { FTFY_UPPERCASE_ENTITIES, HTML5_ENTITIES } from './html-entities.generated';

/** Numeric references that HTML5 maps elsewhere (Windows-1252 for C1, U+FFFD for NUL), as Python does. */
const INVALID_CHARREFS: ReadonlyMap<number, string> = new Map([
  [0x00, '\ufffd'],
  [0x0d, '\r'],
  [0x80, '\u20ac'],
  [0x81, '\x81'],
  [0x82, '\u201a'],
  [0x83, '\u0192'],
  [0x84, '\u201e'],
  [0x85, '\u2026'],
  [0x86, '\u2020'],
  [0x87, '\u2021'],
  [0x88, '\u02c6'],
  [0x89, '\u2030'],
  [0x8a, '\u0160'],
  [0x8b, '\u2039'],
  [0x8c, '\u0152'],
  [0x8d, '\x8d'],
  [0x8e, '\u017d'],
  [0x8f, '\x8f'],
  [0x90, '\x90'],
  [0x91, '\u2018'],
  [0x92, '\u2019'],
  [0x93, '\u201c'],
  [0x94, '\u201d'],
  [0x95, '\u2022'],
  [0x96, '\u2013'],
  [0x97, '\u2014'],
  [0x98, '\u02dc'],
  [0x99, '\u2122'],
  [0x9a, '\u0161'],
  [0x9b, '\u203a'],
  [0x9c, '\u0153'],
  [0x9d, '\x9d'],
  [0x9e, '\u017e'],
  [0x9f, '\u0178'],
]);

/** Code points Python's `html.unescape` drops entirely (controls, noncharacters). */
function isInvalidCodepoint(cp: number): boolean {
  return (
    (cp >= 0x1 && cp <= 0x8) ||
    cp === 0xb ||
    (cp >= 0xe && cp <= 0x1f) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe
  );
}

function numericCharref(num: number): string {
  const mapped = INVALID_CHARREFS.get(num);
  if (mapped !== undefined) return mapped;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  if (isInvalidCodepoint(num)) return '';
  return String.fromCodePoint(num);
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function entity(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HTML5_ENTITIES, name) ? HTML5_ENTITIES[name] : undefined;
}

function replaceCharref(body: string): string {
  if (body[0] === '#') {
    const hex = body[1] === 'x' || body[1] === 'X';
    const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
    // Number() keeps huge references finite-or-Infinity, both of which land in the U+FFFD branch.
    return numericCharref(hex ? parseInt(digits, 16) : Number(digits));
  }
  const exact = entity(body);
  if (exact !== undefined) return exact;
  // HTML5 legacy rule: the longest known prefix (`&ampfoo` -> `&foo`).
  for (let x = body.length - 1; x > 1; x--) {
    const prefix = entity(body.slice(0, x));
    if (prefix !== undefined) return prefix + body.slice(x);
  }
  return '&' + body;
}

/** Python's `html.unescape`: HTML5 named and numeric character references, legacy forms included. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_match, body: string) => replaceCharref(body));
}

const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

/**
 * ftfy's `unescape_html`: only references that end in `;` (so "this&not that" survives), plus all-caps
 * names such as `&EACUTE;`.
 */
export function ftfyUnescapeHtml(text: string): string {
  return text.replace(FTFY_ENTITY, (match) => {
    const name = match.slice(1, -1) + ';';
    if (!match.startsWith('&#')) {
      const known = entity(name);
      if (known !== undefined) return known;
      return Object.prototype.hasOwnProperty.call(FTFY_UPPERCASE_ENTITIES, name) ? FTFY_UPPERCASE_ENTITIES[name] : match;
    }
    const unescaped = htmlUnescape(match);
    // A partial decode (`&#12ab;`) leaves the `;` behind; ftfy keeps the original then.
    return unescaped.includes(';') ? match : unescaped;
  });
}
