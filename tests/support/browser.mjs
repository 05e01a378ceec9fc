// Shared by the browser tests and the page benchmarks: serves web/ with tools/serve.mjs on
// 127.0.0.1 (port 0: any free port), launches a browser (tools/browser.mjs, puppeteer-core) and
// opens the page. The browser is TRIMLAB_BROWSER's (chromium or firefox; default chromium):
// `make test-browser` runs the whole suite once in each.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BROWSERS, launchBrowser } from '../../tools/browser.mjs';
import { handler, serve } from '../../tools/serve.mjs';
import { RESIDENT_PATH } from '../../tools/resident-api.mjs';
import { root } from './helpers.mjs';

export const webRoot = join(root, 'web');
export const screenshotDir = join(root, 'build', 'screenshots');

/** The browser this process tests. */
export const browserName = process.env.TRIMLAB_BROWSER || 'chromium';
if (!BROWSERS.includes(browserName))
  throw new Error(`TRIMLAB_BROWSER=${browserName}: allowed ${BROWSERS.join(', ')}`);

/** What the page needs: the built modules, Chart.js and the native results. */
export function missingFiles() {
  return [
    'trimlab.wasm',
    'trimlab-emmalloc.wasm',
    'vendor/chart.umd.min.js',
    'data/native-results.json',
  ].filter((file) => !existsSync(join(webRoot, 'gen', file)));
}

/** Starts the server and the browser (`name`: this process's by default). Close with the
 *  returned close(). */
export async function startBrowser(name = browserName) {
  const server = await serve(webRoot, 0);
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const launched = await launchBrowser(name);
  return {
    ...launched,
    baseUrl,
    async close() {
      await launched.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Runs `body` with `browser` pointed at the page served as another server would: everything
 *  but /api/resident (a plain 404). The server is closed after, however `body` ends. */
export async function withoutEndpoint(browser, body) {
  const files = handler(realpathSync(webRoot));
  const server = createServer((request, response) => {
    if (!request.url.startsWith(RESIDENT_PATH)) return files(request, response);
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body({ ...browser, baseUrl: `http://127.0.0.1:${server.address().port}/` });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * A new tab on the page, ready (controls built, default native results tried). `problems`
 * collects console errors and uncaught page errors as they happen. `initScript` runs in the page
 * before its own scripts; `path` is added to the page's address (e.g. '?present').
 */
export async function openPage(browser, { initScript, path = '' } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => {
    // The browser's own log of a non-200 answer of /api/resident or /api/resident-map: a 404
    // while the memory has no mapping of its new size yet, or from a server without the
    // endpoint. The page handles both.
    const residentAnswer = /\/api\/resident(-map)?\?/.test(message.location()?.url ?? '');
    if (message.type() === 'error' && !residentAnswer) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  if (initScript) await page.evaluateOnNewDocument(initScript);
  await page.goto(browser.baseUrl + path);
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  return { page, problems };
}

export const debugState = (page) => page.evaluate(() => window.trimlabDebug.state());
export const chartData = (page) => page.evaluate(() => window.trimlabDebug.chart());

// ---- what the tests read and do on the page, the same in both browsers ----

/** The text of the element `selector` names. */
export const textOf = (page, selector) => page.$eval(selector, (element) => element.textContent);
/** Whether it is shown (laid out, not hidden). */
export const isVisible = (page, selector) =>
  page.$eval(selector, (element) => element.checkVisibility());
export const isDisabled = (page, selector) => page.$eval(selector, (element) => element.disabled);
export const valueOf = (page, selector) => page.$eval(selector, (element) => element.value);
export const attributeOf = (page, selector, name) =>
  page.$eval(selector, (element, attribute) => element.getAttribute(attribute), name);
/** Replaces a field's text as a user would (select all, type). */
export const fill = (page, selector, value) => page.locator(selector).fill(value);

/**
 * Gives the file input `selector` one file: {path} of a file, or {name, buffer} (written to a
 * scratch folder under that name first: browsers take files by path).
 */
export async function setInputFile(page, selector, { path, name, buffer }) {
  let file = path;
  if (file === undefined) {
    file = join(mkdtempSync(join(tmpdir(), 'trimlab-upload-')), name);
    writeFileSync(file, buffer);
  }
  await (await page.$(selector)).uploadFile(file);
}

/**
 * Presses `selector`, which offers a download (web/export.js: a blob URL on a link with a
 * download name), and returns {name, body} of what was offered. Caught in the page, before the
 * browser's download manager: puppeteer can follow downloads over the DevTools protocol only,
 * and this way both browsers are tested alike.
 */
export async function downloadOf(page, selector) {
  await page.evaluate(() => {
    window.trimlabTestDownload = new Promise((resolve) => {
      const { click } = HTMLAnchorElement.prototype;
      const { createObjectURL } = URL;
      const blobs = new Map();
      URL.createObjectURL = (blob) => {
        const url = createObjectURL.call(URL, blob);
        blobs.set(url, blob);
        return url;
      };
      HTMLAnchorElement.prototype.click = function () {
        HTMLAnchorElement.prototype.click = click;
        URL.createObjectURL = createObjectURL;
        const name = this.download;
        blobs
          .get(this.href)
          .arrayBuffer()
          .then((bytes) => resolve({ name, bytes: Array.from(new Uint8Array(bytes)) }));
      };
    });
  });
  await page.click(selector);
  const { name, bytes } = await page.evaluate(() => window.trimlabTestDownload);
  return { name, body: Buffer.from(bytes) };
}

/** Sets the controls, presses Run and waits until the run has ended in any way. */
export async function runScenario(
  page,
  { scenario, params = {}, speed = 'max', allocator = 'dlmalloc', instance = 'fresh' } = {},
) {
  const { settled } = await debugState(page);
  if ((await valueOf(page, '#scenario')) !== scenario) await page.select('#scenario', scenario);
  await page.select('#speed', speed);
  await page.click(`input[name="allocator"][value="${allocator}"]`);
  await page.click(`input[name="instance"][value="${instance}"]`);
  for (const [name, value] of Object.entries(params))
    await fill(page, `#param-${name}`, String(value));
  await page.click('#run');
  await page.waitForFunction(
    (before) => window.trimlabDebug.state().settled > before,
    { timeout: 120_000 },
    settled,
  );
  return debugState(page);
}

export function ensureScreenshotDir() {
  mkdirSync(screenshotDir, { recursive: true });
  return screenshotDir;
}

/** A screenshot's path in build/screenshots/, named for the browser that took it. */
export const screenshotPath = (name) => join(ensureScreenshotDir(), `${name}-${browserName}.png`);
