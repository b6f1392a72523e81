// ESLint flat config: type-aware typescript-eslint rules for lib, functions, infra and test. `npm test` runs it
// (through `npm run lint`), so a violation fails the build. Import boundaries between folders are checked by
// dependency-cruiser (.dependency-cruiser.cjs), not here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** `process.env` is read in lib/config.ts only; these messages point there. */
const ENV_MESSAGE = 'Read settings through lib/config.ts (setting(), tableName(), queueUrl()), the one module that reads the environment.';

export default defineConfig(
  {
    // Not sources: dependencies, build output (cdk.out, the console's bundle in dist), local state, coverage, and
    // generated files (docs/openapi.json is written by `npm run openapi`).
    ignores: ['**/node_modules/**', '**/cdk.out/**', '**/dist/**', '.local/**', 'coverage/**', 'docs/**', 'test-output/**'],
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,

  {
    languageOptions: {
      parserOptions: {
        // The TypeScript project service gives each file the program of its nearest tsconfig.json: the root one
        // for lib, functions, infra and test, lib/domain's (no Node types) for the domain, lib/console's (DOM,
        // JSX) for the console's src. The console's Node-side files (vite.config.ts, measure-bundle.ts) are in
        // lib/console/tsconfig.node.json, which no tsconfig.json names, so they get its options explicitly.
        projectService: {
          allowDefaultProject: ['lib/console/*.ts'],
          defaultProject: 'lib/console/tsconfig.node.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // Unused imports, variables and parameters. A leading underscore marks a parameter a signature needs but
      // the body does not use (handler(event, _context)); rest siblings drop properties on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Already in recommendedTypeChecked; stated so the intent survives a change of preset. `void promise` marks
      // a deliberate fire-and-forget.
      '@typescript-eslint/no-floating-promises': 'error',
      // Type-only imports say so; with verbatimModuleSyntax the compiler then drops them. Inline style
      // (`import { x, type T }`) is what the code already uses.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      // `import { type A } from 'm'` with only type specifiers keeps a side-effect import under
      // verbatimModuleSyntax; `import type { A }` does not.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // The preset's defaults (strings, numbers, booleans, …) and its allow-list of types whose toString() is their
      // meaning: Error, URL, URLSearchParams. The preset names those from the DOM lib only; under Node's types URL
      // and URLSearchParams are declared by @types/node (module 'url'), so they are named from there too.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { name: ['Error', 'URL', 'URLSearchParams'], from: 'lib' },
            { name: ['URL', 'URLSearchParams'], from: 'package', package: 'url' },
          ],
        },
      ],
      // The environment is configuration: one module reads it (see the override below for the exceptions).
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'process', importNames: ['env'], message: ENV_MESSAGE },
            { name: 'node:process', importNames: ['env'], message: ENV_MESSAGE },
          ],
        },
      ],
    },
  },

  {
    // The places allowed to touch the environment: the config module itself, the CDK app and the local runner
    // (which writes the environment the Lambda entries then read through lib/config.ts), and the tests and
    // benchmarks (which set it up the way the runner does).
    files: ['lib/config.ts', 'infra/**', 'test/**'],
    rules: {
      'no-restricted-properties': 'off',
      'no-restricted-imports': 'off',
    },
  },

  {
    // Tests read parsed JSON (HTTP bodies, queue messages, CloudFormation templates) and use vitest's asymmetric
    // matchers, all typed `any`; the expect() assertions are the check there, and typing every body would restate
    // the API schemas in the tests. Explicit `any` stays an error: `unknown` or a local type says more.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    // Plain JavaScript (this file, the CLI's bin shim, the dependency-cruiser config) is outside the TypeScript
    // program, so the type-aware rules cannot run on it.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: {
      // CommonJS config files load their dependencies with require().
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
