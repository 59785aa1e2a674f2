/**
 * @clip-vg/test-utils: what the workspace's tests share (private, never published): the `../shared` goldens
 * folder, temporary folders, and a local Hugging Face hub. `src/register-ts.js` lets worker threads run the
 * TypeScript sources.
 */
export { describeShared, REPO_ROOT, sharedDir, sharedPath, tempDir } from './shared';
export { startLocalHub, type LocalHub, type LocalHubOptions, type LocalHubRepo } from './local-hub';
