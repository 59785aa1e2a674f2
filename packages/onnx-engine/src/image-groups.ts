/**
 * Rows of a batch that show the same image (RefCOCO has ~3 expressions per object and several objects per image,
 * and its split files list an image's expressions together) share one pass of the image tower: the frozen CLIP
 * features depend on the pixels alone, so this is exact. Rows are split into consecutive chunks of at most
 * `maxImages` distinct images each.
 */

export interface RowChunk {
  /** Rows [start, end) of the batch. */
  start: number;
  end: number;
  /** The batch rows whose pixels the chunk's image tower runs on, one per distinct image, in order. */
  imageRows: number[];
  /** For each row of the chunk, its image's position in `imageRows`. */
  imageIndex: BigInt64Array;
}

/**
 * `pixels` [B · imageLength] and `masks` [B · maskLength] (the letterbox mask: equal pixels with another mask are
 * another input) → chunks of rows. Two rows share an image only when both are identical, byte for byte.
 */
export function groupRowsByImage(pixels: Float32Array, masks: Int32Array, batch: number, maxImages: number): RowChunk[] {
  const imageLength = pixels.length / batch;
  const maskLength = masks.length / batch;
  const bytes = (data: Float32Array | Int32Array, row: number, length: number): Buffer =>
    Buffer.from(data.buffer, data.byteOffset + row * length * 4, length * 4);
  const same = (a: number, b: number): boolean =>
    bytes(pixels, a, imageLength).equals(bytes(pixels, b, imageLength)) && bytes(masks, a, maskLength).equals(bytes(masks, b, maskLength));

  // The first row with the same pixels and mask, through a hash of a sample of each image.
  const firstRow = new Int32Array(batch);
  const byHash = new Map<number, number[]>();
  const words = new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.length);
  for (let row = 0; row < batch; row++) {
    let hash = 2166136261;
    for (let i = row * imageLength; i < (row + 1) * imageLength; i += 97) hash = Math.imul(hash ^ words[i], 16777619);
    const candidates = byHash.get(hash) ?? [];
    firstRow[row] = candidates.find((other) => same(other, row)) ?? row;
    if (firstRow[row] === row) byHash.set(hash, [...candidates, row]);
  }

  const chunks: RowChunk[] = [];
  let start = 0;
  let images = new Map<number, number>(); // first row → position in the chunk's images
  const close = (end: number): void => {
    const imageIndex = new BigInt64Array(end - start);
    for (let row = start; row < end; row++) imageIndex[row - start] = BigInt(images.get(firstRow[row])!);
    chunks.push({ start, end, imageRows: [...images.keys()], imageIndex });
  };
  for (let row = 0; row < batch; row++) {
    const image = firstRow[row];
    if (!images.has(image) && images.size === maxImages) {
      close(row);
      start = row;
      images = new Map();
    }
    if (!images.has(image)) images.set(image, images.size);
  }
  if (batch > 0) close(batch);
  return chunks;
}
