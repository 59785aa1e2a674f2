module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@clip-vg/training-queue',
  rootDir: __dirname,
  testEnvironment: require.resolve('../onnx-engine/jest.environment.js'),
};
