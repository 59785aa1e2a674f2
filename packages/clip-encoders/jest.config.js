module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/clip-encoders', rootDir: __dirname };
