// Shared jest settings: TypeScript through SWC, workspace packages resolved to their sources so
// that a test never needs another package's build.
const path = require('node:path');

const packages = [
  'torch-io',
  'backend',
  'image',
  'clip-encoders',
  'fusion-transformer',
  'datasets',
  'curriculum',
  'onnx-engine',
  'training',
  'experiments',
  'grounder',
  'training-queue',
];
const moduleNameMapper = Object.fromEntries(packages.map((name) => [`^@clip-vg/${name}$`, path.join(__dirname, 'packages', name, 'src', 'index.ts')]));
moduleNameMapper['^@clip-vg/test-utils$'] = path.join(__dirname, 'packages', 'test-utils', 'src', 'index.ts');
// Sample workers that tests start run the TypeScript sources: they load this hook first (see datasets' worker pool).
process.env.CLIP_VG_WORKER_PRELOAD ??= path.join(__dirname, 'packages', 'test-utils', 'src', 'register-ts.js');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper,
  // tfjs-core's gradient registrations exist only as ESM in its dist/ (see @clip-vg/backend's gradients.ts):
  // transform that folder too, but not the CommonJS bundle tf-core.* everything else loads.
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
