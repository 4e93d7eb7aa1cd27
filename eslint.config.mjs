import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.serverless',
      '.esbuild',
      'coverage',
      'lake',
      'drizzle/migrations/meta',
      'dist',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.cjs'], languageOptions: { globals: globals.node, sourceType: 'commonjs' } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Every environment variable is read by lib/config.ts, once; everything else is given values
    // (docs/architecture.md, Configuration). Tests, benches and build scripts set up processes.
    files: ['lib/**', 'tasks/**', 'handlers/**', 'sandbox/**'],
    ignores: ['lib/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read environment variables in lib/config.ts (loadConfig) and pass the values down.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'VariableDeclarator[init.name="process"] > ObjectPattern > Property[key.name="env"]',
          message: 'Read environment variables in lib/config.ts (loadConfig) and pass the values down.',
        },
      ],
    },
  },
);
