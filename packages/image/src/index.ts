/** @clip-vg/image: decoding, Pillow-exact resizing, the CLIP-VG letterbox transform, PIL enhance ops, drawing. */
export { type RgbImage } from './rgb-image';
export { loadImage, encodePng, type LoadImageOptions } from './load-image';
export { resizeBilinear } from './resize-bilinear';
export { normalizeAndPad, IMAGENET_MEAN, IMAGENET_STD, type NormalizedCanvas } from './normalize-and-pad';
export { letterbox, resizeLongSide, resizeToSide, type Letterboxed, type LetterboxOptions } from './letterbox';
export { boxToLetterbox, letterboxToOriginal, type BoxXyxy, type BoxCxcywh, type LetterboxGeometry, type ToOriginalOptions } from './letterbox-boxes';
export { adjustBrightness, adjustContrast, adjustSaturation, toLuma } from './enhance';
export { gaussianBlur } from './gaussian-blur';
export { crop } from './crop';
export { drawDetections, type Detection, type DrawOptions } from './draw-detections';
export { encodeForFile, IMAGE_EXTENSIONS } from './encode-for-file';
