module.exports = { ...require('../../jest.preset.js'), displayName: '@clip-vg/grounder', rootDir: __dirname };
