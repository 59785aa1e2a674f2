module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@clip-vg/onnx-engine',
  rootDir: __dirname,
  testEnvironment: require.resolve('./jest.environment.js'),
};
