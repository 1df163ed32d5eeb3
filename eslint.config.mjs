import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-imports': 'off',
    },
  },
  {
    // the harness (npm test, npm start, the VS Code test host, bench) is plain JavaScript on Node
    files: ['scripts/**/*.mjs', 'scripts/**/*.cjs', 'scripts/**/*.js', 'bin/**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-control-regex': 'off' },
  },
  {
    files: ['scripts/**/*.cjs', 'scripts/**/*.js', 'bin/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // page-side functions of the UI bridge run in the browser
    files: ['scripts/vscode-host/uiActions.cjs', 'scripts/lib/startCheck.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // core and the emulator must stay usable without VS Code
    files: ['src/core/**/*.ts', 'emulator/**/*.ts', 'src/webview/protocol.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'] }] },
  },
);
