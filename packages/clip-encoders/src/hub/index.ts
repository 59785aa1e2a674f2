export { cacheRoot, modelCacheDir, type ModelCacheOptions } from './cache';
