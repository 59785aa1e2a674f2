// tfjs-core's gradient registrations exist only as ESM in dist/: let SWC transform that folder too, so that
// commands which train (bench --train) can run in-process.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@clip-vg/cli',
  rootDir: __dirname,
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
};
