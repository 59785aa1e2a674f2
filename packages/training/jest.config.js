module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/training', rootDir: __dirname };
