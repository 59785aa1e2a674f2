import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// shims: the ESM build needs `__filename` for createRequire.
export default defineConfig(packageBuild({ shims: true }));
