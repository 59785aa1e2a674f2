/** @clip-vg/clip-encoders: OpenAI CLIP in TensorFlow.js (tokenizer, multi-level ViT, text encoder, weights). */
export * from './tokenizer';
export * from './hub';
export * from './model';
export * from './weights';
