module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/cli', rootDir: __dirname };
