module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/backend', rootDir: __dirname };
