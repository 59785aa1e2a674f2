/**
 * @clip-vg/test-utils: what the workspace's tests share (private, never published): the `../shared` goldens
 * folder, temporary folders, and a local Hugging Face hub. `src/register-ts.js` lets worker threads run the
 * TypeScript sources.
 * Small CLIP configurations: `GOLDEN_TINY_CLIP` (the tiny golden model's CLIP) and `DEMO_SHAPE_CLIP` (the demo's CLIP shape).
 */
export { describeShared, REPO_ROOT, sharedDir, sharedPath, tempDir } from './shared';
export { startLocalHub, type LocalHub, type LocalHubOptions, type LocalHubRepo } from './local-hub';
export { GOLDEN_TINY_CLIP, DEMO_SHAPE_CLIP } from './clip-configs';
