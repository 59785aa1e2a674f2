import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// shims: the ESM build needs `__filename` for createRequire. tfjs-core's gradient registrations are
// extension-less ESM that Node cannot load: bundle them (see src/gradients.ts).
export default defineConfig(packageBuild({ shims: true, noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/] }));
