import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// shims: the ESM build needs `__dirname` to find the shipped tiny CLIP (assets/tiny-clip).
export default defineConfig(packageBuild({ shims: true }));
