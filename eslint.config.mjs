// `npm run lint` (also the `lint` suite of `npm test`). Type-aware: a promise nobody awaits must be marked
// `void` on purpose, because an unhandled rejection in the extension host or the CLI is a silent failure.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const vscodeOnlyInTheExtension = {
  paths: [{ name: 'vscode', message: 'src/core and src/cli run without VS Code: pass what they need in (see src/vscode).' }],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.tools/', '.artifacts/', 'test/harness/vscode-runner/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Required at run time on purpose: the lazily loaded chunks (esbuild.js keeps these requires), the CLI's
      // command modules and context (each evaluated only when its command runs), Node built-ins a cold start must
      // not pay for, and mocha inside the extension host. `import x = require()` is TypeScript's own CommonJS import.
      '@typescript-eslint/no-require-imports': ['error', {
        allow: ['^\\./(net|ssh|decode|hub)\\.js$', '^\\./commands/\\w+$', '^\\./context$', '^(module|vm|crypto)$', '^mocha$'],
        allowAsImport: true,
      }],
      '@stylistic/max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true }],
    },
  },
  // Tests read the CLI's and the sandbox's parsed JSON documents field by field.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', vscodeOnlyInTheExtension] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' },
    },
  },
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
);
