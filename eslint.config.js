import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'charts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // The request path: V8 11.3 adds properties to a copy made by a leading object spread ~200 × slower
    // than it builds the literal (docs/decisions/0014). Spell the fields out or use Object.assign.
    files: ['src/server/**/*.ts', 'src/api/**/*.ts', 'src/generation/**/*.ts', 'src/timing/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector: 'ObjectExpression > SpreadElement:first-child ~ Property',
          message:
            'A property after a leading spread: V8 builds this ~200 × slower than a literal (docs/decisions/0014). Spell the fields out or use Object.assign.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
