import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency direction of DESIGN.md, enforced: model <- codec <- collector/storage <- query <- server.
 * Each entry forbids a layer from importing the layers above it.
 */
const forbid = (...layers) => ({
  'no-restricted-imports': [
    'error',
    { patterns: layers.map((l) => ({ group: [`**/${l}/*`, `**/${l}`], message: `layering: this folder must not import src/${l} (DESIGN.md)` })) },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'ui/dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['src/model/**/*.ts'], rules: forbid('codec', 'storage', 'collector', 'query', 'server', 'demo') },
  { files: ['src/codec/**/*.ts'], rules: forbid('storage', 'collector', 'query', 'server', 'demo') },
  { files: ['src/storage/**/*.ts'], rules: forbid('collector', 'query', 'server', 'demo') },
  { files: ['src/collector/**/*.ts'], rules: forbid('storage/memory', 'storage/sqlite', 'query', 'server', 'demo') },
  { files: ['src/query/**/*.ts'], rules: forbid('collector', 'server', 'demo') },
  { files: ['src/demo/**/*.ts'], rules: forbid('server', 'query', 'collector', 'storage/memory', 'storage/sqlite') },
);
