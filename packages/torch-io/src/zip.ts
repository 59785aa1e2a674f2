/**
 * The zip subset torch.save uses: members located through the central directory (torch writes zero sizes in
 * local headers), stored entries returned as zero-copy views, deflated ones inflated, Zip64 when present.
 * Writing emits stored entries aligned to 64 bytes, as torch does, so storages can be viewed in place.
 */
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readCentralDirectory();
  }

  /** The member's bytes: a view into the file for stored entries. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`zip member '${name}' is missing`);
    const lho = entry.localHeaderOffset;
    this.need(lho, 30, `local header of '${name}'`);
    if (this.view.getUint32(lho, true) !== LOCAL) throw new Error(`corrupt zip: bad local header for '${name}'`);
    const start = lho + 30 + this.view.getUint16(lho + 26, true) + this.view.getUint16(lho + 28, true);
    this.need(start, entry.compressedSize, `data of '${name}'`);
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) return data;
    if (entry.method === 8) return new Uint8Array(zlib.inflateRawSync(data));
    throw new Error(`zip member '${name}' uses compression method ${entry.method}, which is not supported`);
  }

  private need(offset: number, length: number, what: string): void {
    if (offset + length > this.bytes.length) {
      throw new Error(`truncated zip: ${what} ends at byte ${offset + length}, but the file has ${this.bytes.length}`);
    }
  }

  private readCentralDirectory(): void {
    const eocd = this.findEocd();
    let count = this.view.getUint16(eocd + 10, true);
    let cdOffset: number = this.view.getUint32(eocd + 16, true);
    const locator = eocd - 20;
    if (locator >= 0 && this.view.getUint32(locator, true) === EOCD64_LOCATOR) {
      const eocd64 = Number(this.view.getBigUint64(locator + 8, true));
      this.need(eocd64, 56, 'zip64 end record');
      if (this.view.getUint32(eocd64, true) !== EOCD64) throw new Error('corrupt zip: bad zip64 end record');
      count = Number(this.view.getBigUint64(eocd64 + 32, true));
      cdOffset = Number(this.view.getBigUint64(eocd64 + 48, true));
    }
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      this.need(p, 46, 'central directory');
      if (this.view.getUint32(p, true) !== CENTRAL) throw new Error(`corrupt zip: bad central directory entry ${i}`);
      const nameLen = this.view.getUint16(p + 28, true);
      const extraLen = this.view.getUint16(p + 30, true);
      const commentLen = this.view.getUint16(p + 32, true);
      this.need(p + 46, nameLen + extraLen, 'central directory');
      const name = new TextDecoder().decode(this.bytes.subarray(p + 46, p + 46 + nameLen));
      const entry: ZipEntry = {
        name,
        method: this.view.getUint16(p + 10, true),
        compressedSize: this.view.getUint32(p + 20, true),
        size: this.view.getUint32(p + 24, true),
        localHeaderOffset: this.view.getUint32(p + 42, true),
      };
      this.applyZip64(entry, p + 46 + nameLen, extraLen);
      this.entries.set(name, entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** Replaces 0xFFFFFFFF fields with their 64-bit values from the Zip64 extra field (in the spec's order). */
  private applyZip64(entry: ZipEntry, extraStart: number, extraLen: number): void {
    const MAX = 0xffffffff;
    if (entry.size !== MAX && entry.compressedSize !== MAX && entry.localHeaderOffset !== MAX) return;
    for (let q = extraStart; q + 4 <= extraStart + extraLen;) {
      const id = this.view.getUint16(q, true);
      const len = this.view.getUint16(q + 2, true);
      if (id === 0x0001) {
        let f = q + 4;
        const next = () => {
          const v = Number(this.view.getBigUint64(f, true));
          f += 8;
          return v;
        };
        if (entry.size === MAX) entry.size = next();
        if (entry.compressedSize === MAX) entry.compressedSize = next();
        if (entry.localHeaderOffset === MAX) entry.localHeaderOffset = next();
        return;
      }
      q += 4 + len;
    }
  }

  private findEocd(): number {
    const min = Math.max(0, this.bytes.length - 22 - 0xffff);
    for (let p = this.bytes.length - 22; p >= min; p--) {
      if (this.view.getUint32(p, true) === EOCD) return p;
    }
    throw new Error('truncated or corrupt zip: end of central directory not found');
  }
}

// ---------------------------------------------------------------- writing

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

// zlib.crc32 exists from Node 20.15 / 22.2; the table version covers older runtimes.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export function crc32(data: Uint8Array, crc = 0): number {
  if (nativeCrc32) return nativeCrc32(data, crc) >>> 0;
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Lays out stored members with each data block starting on a 64-byte boundary (padding goes into an extra
 * field), then the central directory. Returns the chunks so large payloads are never concatenated twice.
 */
export function zipChunks(members: { name: string; data: Uint8Array }[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of members) {
    const nameBytes = new TextEncoder().encode(name);
    const bare = 30 + nameBytes.length + 4; // 4: the padding extra field's own header
    const pad = (64 - ((offset + bare) % 64)) % 64;
    const local = new Uint8Array(bare + pad);
    const lv = new DataView(local.buffer);
    const crc = crc32(data);
    lv.setUint32(0, LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, 4 + pad, true);
    local.set(nameBytes, 30);
    lv.setUint16(30 + nameBytes.length, 0x4246, true); // 'FB', torch's padding id
    lv.setUint16(32 + nameBytes.length, pad, true);
    chunks.push(local, data);

    const entry = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    entry.set(nameBytes, 46);
    central.push(entry);
    offset += local.length + data.length;
    if (offset > 0xffffffff) throw new Error('zip output over 4 GiB needs Zip64, which the writer does not emit');
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return [...chunks, ...central, end];
}
