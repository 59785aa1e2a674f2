// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules over every source, test and script.
// Formatting is Prettier's job and type checking tsc's: `npm run check` runs all three.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', '**/coverage/', '**/.bench-tmp/', '**/*.generated.ts', 'packages/experiments/assets/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a deliberately unused binding (an omitted field, a placeholder parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    // These files are CommonJS (jest configs, node scripts, the CLI launcher): require() is their import syntax.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    languageOptions: { globals: globals.jest },
  },
);
