// ESLint flat config. The per-folder `no-restricted-imports` blocks enforce the layer rules of
// docs/architecture.md: ui -> worker/client, config; worker -> train, config; train -> models, data,
// config, lib, kernels; models -> lib, kernels; experiment -> train, data, config, lib (no tfjs, React or
// Node: the browser worker imports it); data/config/lib never import tfjs or React.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const tf = {
  group: ['@tensorflow/*'],
  message: 'This layer must not import tfjs (see docs/architecture.md).',
};
const react = { group: ['react', 'react-dom', 'react-dom/*'], message: 'This layer must not import React.' };
const plotly = {
  group: ['plotly.js-dist-min', 'plotly.js-basic-dist-min'],
  message: 'Only ui/charts may import Plotly.',
};
const node = { group: ['node:*', 'fs', 'path', 'os'], message: 'Browser code must not import Node modules.' };
const layer = (folders, message) => ({ group: folders, message });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tests/e2e/artifacts/**', 'bench/out/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['src/lib/**', 'src/config/**', 'src/data/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            tf,
            react,
            plotly,
            node,
            layer(
              ['**/models/*', '**/train/*', '**/ui/*', '**/worker/*', '**/kernels/*'],
              'data/config/lib sit below every other layer.',
            ),
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // the results protocol: runs jobs through train/, renders markdown; the CLI does the file IO
    files: ['src/experiment/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            tf,
            react,
            plotly,
            node,
            layer(
              ['**/models/*', '**/kernels/*', '**/ui/*', '**/worker/*', '**/cli/*'],
              'experiment may import train, data, config and lib only.',
            ),
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['src/models/**', 'src/kernels/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            react,
            plotly,
            node,
            layer(
              ['**/train/*', '**/ui/*', '**/worker/*'],
              'models/kernels may import lib, data types and tfjs only.',
            ),
          ],
        },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['src/train/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            react,
            plotly,
            node,
            layer(
              ['**/ui/*', '**/worker/*', '**/experiment/*'],
              'train must not import ui, worker or experiment (experiment imports train).',
            ),
          ],
        },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['src/worker/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [react, plotly, node, layer(['**/ui/*'], 'worker must not import ui.')] },
      ],
    },
  },
  {
    files: ['src/ui/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            tf,
            node,
            layer(
              ['**/models/*', '**/train/*', '**/kernels/*', '**/worker/train.worker*', '**/worker/engine*'],
              'ui talks to training only through worker/client and worker/protocol.',
            ),
            // the one piece of the results protocol the page uses: paired intervals (plain JS, lib/rng only)
            layer(
              ['**/experiment/*', '!**/experiment/stats'],
              'ui may import experiment/stats only (the rest of experiment/ runs jobs through train/).',
            ),
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/worker/protocol.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
