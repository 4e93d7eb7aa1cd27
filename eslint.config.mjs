import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Import paths that reach into lib/warehouse, lib/intercom or drizzle/ from anywhere in the repo. */
const WAREHOUSE = {
  regex: '(^|/)lib/warehouse(/|$)|^(\\.\\./)+warehouse(/|$)',
  message: 'Only the load side imports lib/warehouse; share code through lib/streams or lib/records.',
};
const DRIZZLE = {
  regex: '(^|/)drizzle(/|$)',
  message:
    'The extract side never imports the warehouse schema (drizzle/); share code through lib/streams or lib/records.',
};
const INTERCOM = {
  regex: '(^|/)lib/intercom(/|$)|^(\\.\\./)+intercom(/|$)',
  message: 'Only the extract side imports lib/intercom; share code through lib/streams or lib/records.',
};

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
  // Data flows one way (docs/architecture.md): producers never import the warehouse, consumers never
  // import the Intercom client, and the stream declarations (with the record helpers they use)
  // import neither, so both sides can read them. tests/unit/lint-boundaries.test.ts checks these bite.
  {
    files: ['tasks/extract/**/*.ts', 'lib/intercom/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [WAREHOUSE, DRIZZLE] }] },
  },
  {
    // Consumers: the load, the warehouse, and the API with its reports (docs/architecture.md).
    files: [
      'tasks/load/**/*.ts',
      'lib/warehouse/**/*.ts',
      'lib/api/**/*.ts',
      'lib/reports/**/*.ts',
      'tasks/api/**/*.ts',
      'handlers/api.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTERCOM] }] },
  },
  {
    // The refine reads the lake only: never the Intercom client, never the warehouse.
    files: ['tasks/refine/**/*.ts', 'lib/refine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTERCOM, WAREHOUSE, DRIZZLE] }] },
  },
  {
    files: ['lib/streams/**/*.ts', 'lib/records/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTERCOM, WAREHOUSE] }] },
  },
  // Webhooks (lib/events): the receiver, the stream and the lake writer import neither side; the
  // consumer's fetching half (lib/events/fetch) is a producer, its applying half (lib/events/apply)
  // a consumer; only handlers/stream-apply.ts and tasks/stream join them.
  {
    files: ['lib/events/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTERCOM, WAREHOUSE, DRIZZLE] }] },
  },
  {
    files: ['lib/events/fetch/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [WAREHOUSE, DRIZZLE] }] },
  },
  {
    files: ['lib/events/apply/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [INTERCOM] }] },
  },
);
