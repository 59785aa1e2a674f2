// tfjs-core's gradient registrations exist only as ESM in dist/: let SWC transform that folder too.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '@clip-vg/experiments',
  rootDir: __dirname,
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
};
