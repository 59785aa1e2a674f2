// Public API of the CLIP tokenizer.
export { ClipTokenizer, type TokenizeOptions, type TokenizedBatch } from './clip-tokenizer';
export { cleanText } from './text-clean';
export { loadVocabulary, type BpeVocabulary } from './vocab-files';
