module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@clip-vg/onnx-engine',
  rootDir: __dirname,
  // the gradient test registers tfjs-core's gradients, which exist only as ESM in dist/
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
  testEnvironment: require.resolve('./jest.environment.js'),
};
