// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist',
      'dist-demo',
      'node_modules',
      'test-results',
      'playwright-report',
      'bench/results',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers and booleans in template strings read naturally in log and error messages.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Plain scripts that test pages load as they are; checked without type information (the
    // shared helpers in e2e/pages/shared are type-checked by tsc from their JSDoc).
    files: ['e2e/pages/**', 'e2e/netns/pages/**', 'bench/pages/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Node-side scripts and test harnesses report to the terminal.
    files: ['scripts/**', 'bench/**', 'e2e/**', 'relay/**', '*.config.*'],
    rules: { 'no-console': 'off' },
  },
);
