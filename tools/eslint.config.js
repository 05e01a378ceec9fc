// ESLint's flat config for every JavaScript file here. `make lint` runs
// `eslint -c tools/eslint.config.js .` from the top of the repository, where these paths start.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['build/', 'node_modules/', 'web/gen/'] },
  js.configs.recommended,
  { languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.node } },
  // The page's modules run in the browser; the wrapper in the browser and in Node.
  { files: ['web/**/*.js'], languageOptions: { globals: globals.browser } },
  // The real programs' worker loads their glue with importScripts().
  { files: ['web/real-worker.js'], languageOptions: { globals: globals.worker } },
  {
    files: ['web/trimlab-api.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  // Scripts that drive a browser: the functions they hand to page.evaluate run in the page, where
  // Chart.js defines the global Chart.
  {
    files: [
      'tests/browser/*.mjs',
      'tests/node/resident-endpoint.test.mjs',
      'tests/support/browser.mjs',
      'tools/bench-memprof.mjs',
      'tools/bench-page.mjs',
      'tools/bench-scale.mjs',
      'tools/browser-results.mjs',
      'tools/bench-lifecycle.mjs',
      'tools/trace-report.mjs',
    ],
    languageOptions: { globals: { ...globals.node, ...globals.browser, Chart: 'readonly' } },
  },
];
