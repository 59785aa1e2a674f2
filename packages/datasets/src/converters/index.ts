// Public API of the converters module: raw grounding annotations → official split files (.pth).
export { writeSplitFile, type ConvertedSplit } from './write';
export { convertReferit, referitRows, REFERIT_EXCLUDED_IMAGES, type ConvertReferitOptions, type ReferitRowsOptions } from './referit';
export { convertRefer, parseRefs, referRows, annotationBoxes, cocoImageName, type ConvertReferOptions, type ReferRef, type CocoDatasetName } from './refer';
export {
  convertFlickr30kEntities,
  parseFlickrSentences,
  parseFlickrAnnotation,
  flickrImageRows,
  type ConvertFlickrOptions,
  type FlickrSentence,
  type FlickrPhrase,
  type FlickrAnnotation,
} from './flickr';
