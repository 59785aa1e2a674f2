/** An 8-bit RGB image, row-major HWC: pixel (x, y) channel c is `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A black image of the given size. */
export function createImage(width: number, height: number): RgbImage {
  assertSize(width, height, 'createImage');
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** Throws a one-line error when the image's buffer does not hold width × height × 3 bytes. */
export function assertRgbImage(img: RgbImage, where: string): void {
  assertSize(img.width, img.height, where);
  if (!(img.data instanceof Uint8Array) || img.data.length !== img.width * img.height * 3) {
    throw new Error(`${where}: image data must be a Uint8Array of ${img.width}×${img.height}×3 bytes, got ${img.data?.length}`);
  }
}

export function assertSize(width: number, height: number, where: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${where}: size must be positive integers, got ${width}×${height}`);
  }
}
