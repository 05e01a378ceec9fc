// Shared by the browser tests and the page benchmarks: serves web/ with tools/serve.mjs on
// 127.0.0.1 (port 0: any free port), launches Chromium (tools/chromium.mjs) and opens the page.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../tools/chromium.mjs';
import { serve } from '../../tools/serve.mjs';
import { root } from './helpers.mjs';

export const webRoot = join(root, 'web');
export const screenshotDir = join(root, 'build', 'screenshots');

/** What the page needs: the built modules, Chart.js and the native results. */
export function missingFiles() {
  return [
    'trimlab.wasm',
    'trimlab-emmalloc.wasm',
    'vendor/chart.umd.min.js',
    'data/native-results.json',
  ].filter((file) => !existsSync(join(webRoot, 'gen', file)));
}

/** Starts the server and the browser. Close with the returned close(). */
export async function startBrowser() {
  const server = await serve(webRoot, 0);
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const { context, close } = await launchChromium();
  return {
    baseUrl,
    context,
    async close() {
      await close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A new tab on the page, ready (controls built, default native results tried). `problems`
 * collects console errors and uncaught page errors as they happen.
 */
export async function openPage(browser) {
  const page = await browser.context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(browser.baseUrl);
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  return { page, problems };
}

export const debugState = (page) => page.evaluate(() => window.trimlabDebug.state());
export const chartData = (page) => page.evaluate(() => window.trimlabDebug.chart());

/** Sets the controls, presses Run and waits until the run has ended in any way. */
export async function runScenario(
  page,
  { scenario, params = {}, speed = 'max', allocator = 'dlmalloc', instance = 'fresh' } = {},
) {
  const { settled } = await debugState(page);
  if ((await page.inputValue('#scenario')) !== scenario)
    await page.selectOption('#scenario', scenario);
  await page.selectOption('#speed', speed);
  await page.check(`input[name="allocator"][value="${allocator}"]`);
  await page.check(`input[name="instance"][value="${instance}"]`);
  for (const [name, value] of Object.entries(params))
    await page.fill(`#param-${name}`, String(value));
  await page.click('#run');
  await page.waitForFunction((before) => window.trimlabDebug.state().settled > before, settled, {
    timeout: 120_000,
  });
  return debugState(page);
}

export function ensureScreenshotDir() {
  mkdirSync(screenshotDir, { recursive: true });
  return screenshotDir;
}
