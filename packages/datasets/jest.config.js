module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/datasets', rootDir: __dirname };
