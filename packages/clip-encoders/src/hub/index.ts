export { cacheRoot, modelCacheDir, type ModelCacheOptions } from './cache';
export { hubEndpoint, isOffline } from './endpoint';
export { downloadFile, type DownloadOptions, type DownloadedFile } from './download-file';
export { findCachedModel, readManifest, MANIFEST_FILE, type ManifestFile, type ModelManifest } from './manifest';
export { ensureModel, pullModel, DEFAULT_MODEL, DEFAULT_MODEL_FILES, type PullOptions, type PullProgress, type PullResult } from './pull';
