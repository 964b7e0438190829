// Lint config: typescript-eslint's recommended rules plus the house rules that a grep cannot check.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'build-*/**', 'node_modules/**', 'docs/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Only the CLI, the dashboard, the dev harness, scripts, benchmarks and tests may print.
    files: ['src/cli/**', 'src/dev/**', 'src/dashboard/**', 'test/**', 'bench/**', 'scripts/**', 'docs/**'],
    rules: { 'no-console': 'off' },
  },
);
