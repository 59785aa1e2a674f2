module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/torch-io', rootDir: __dirname };
