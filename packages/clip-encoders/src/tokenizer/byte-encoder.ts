/**
 * GPT-2/CLIP's reversible byte-to-unicode map: every byte gets a printable character so that BPE works on
 * strings without whitespace or control characters. Printable Latin-1 bytes map to themselves; the other 68
 * map to U+0100 onwards, in byte order.
 *
 * The order matters: CLIP's vocabulary starts with these 256 characters in exactly this order
 * (printable bytes first, then the remapped ones).
 */
export function bytesToUnicode(): { bytes: number[]; chars: string[] } {
  const bytes: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const codes = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      codes.push(256 + n++);
    }
  }
  return { bytes, chars: codes.map((c) => String.fromCharCode(c)) };
}

/** Byte value -> its character, as a 256-entry table. */
export function byteEncoderTable(): string[] {
  const { bytes, chars } = bytesToUnicode();
  const table = new Array<string>(256);
  bytes.forEach((b, i) => (table[b] = chars[i]!));
  return table;
}
