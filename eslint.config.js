// Lint: stage boundaries and no `any`. Other folders import only a stage's index.ts.
import tseslint from 'typescript-eslint';

const stages = ['api', 'audit', 'control', 'daemon', 'dns', 'firewall', 'health', 'identity', 'incidents', 'leds', 'lists', 'overrides', 'policy', 'portal', 'querylog', 'schema', 'config-file', 'store', 'syslog', 'systemd', 'traffic', 'users'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web-ui/dist/**', '.tap/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The admin UI builds DOM from text nodes only: data never becomes markup (XSS).
    files: ['web-ui/src/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error',
        ...['innerHTML', 'outerHTML'].map((property) => ({ property, message: 'build DOM with h()/textContent (web-ui/src/dom.ts)' })),
        { property: 'insertAdjacentHTML', message: 'build DOM with h()/textContent (web-ui/src/dom.ts)' },
        { object: 'document', property: 'write', message: 'build DOM with h()/textContent (web-ui/src/dom.ts)' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='createContextualFragment']", message: 'no HTML parsing of data' }],
    },
  },
  {
    // a relative path naming a stage folder comes from outside it; inside, imports are ./x.js
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: `(^|/)(${stages.join('|')})/(?!index\\.js$).+`,
          message: 'import another stage only through its index.js',
        }],
      }],
    },
  },
);
