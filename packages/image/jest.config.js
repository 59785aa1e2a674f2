module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/image', rootDir: __dirname };
