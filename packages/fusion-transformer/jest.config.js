module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/fusion-transformer', rootDir: __dirname };
