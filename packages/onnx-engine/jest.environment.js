// onnxruntime-node's native code creates result arrays in Node's main realm, while onnxruntime-common, loaded
// inside jest's sandbox, checks them with the sandbox's `instanceof Float32Array`. Sharing the main realm's typed
// array constructors with the sandbox makes both agree (production code runs in one realm and needs nothing).
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'ArrayBuffer',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
