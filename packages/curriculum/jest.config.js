module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/curriculum', rootDir: __dirname };
