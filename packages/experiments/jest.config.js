module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/experiments', rootDir: __dirname };
