/**
 * tfjs-core's CommonJS bundle registers no gradient functions (the full `@tensorflow/tfjs` does that), and
 * `register_all_gradients` ships only as extension-less ESM. tsup bundles it into this package's dist and jest
 * transforms it (see jest.config.js); the registry and the engine live on the global object, so these copies
 * of the ops register into the same engine the rest of the code uses.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
