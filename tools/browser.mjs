// Debian's Chromium and Firefox ESR through puppeteer-core, headless, each with a fresh profile
// (docs/toolchain.md): what the browser tests (tests/support/browser.mjs), the page benchmarks,
// the tools that draw charts (trace-report) and `make browser-results` launch. One driver for both:
// the DevTools protocol for Chromium, WebDriver BiDi for Firefox.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

import { onStop } from './stop.mjs';

/** The browsers every browser test runs in, in this order. */
export const BROWSERS = Object.freeze(['chromium', 'firefox']);

/** @type {Readonly<Record<string, string>>} */
export const EXECUTABLES = Object.freeze({
  chromium: '/usr/bin/chromium',
  firefox: '/usr/bin/firefox-esr',
});
export const CHROMIUM = EXECUTABLES.chromium;

// Without the networking flags Chromium keeps trying to reach hosts this closed network refuses;
// as root it needs --no-sandbox.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
// Firefox lets a WebDriver BiDi client evaluate in its own (chrome) windows only when asked so:
// that is how collectGarbage() reaches Firefox's collector, which no page can call.
const FIREFOX_FLAGS = ['--remote-allow-system-access'];

const VIEWPORT = { width: 1280, height: 800 };

/** The pids of `pid`'s children, from every thread's list (Firefox starts its content processes
 *  from other threads than the main one), [] when it is gone. */
function childrenOf(/** @type {number} */ pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * Every process `pid` started, directly or not.
 * @param {number} pid
 * @returns {number[]}
 */
export function descendantsOf(pid) {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

/**
 * @typedef {{name: string, version: string, browser: import('puppeteer-core').Browser,
 *   pid: number, newPage: () => Promise<import('puppeteer-core').Page>,
 *   collectGarbage: (page: import('puppeteer-core').Page) => Promise<void>,
 *   close: () => Promise<void>}} LaunchedBrowser
 */

/**
 * Launches `name` (one of BROWSERS) headless with a fresh profile; close() ends it and removes
 * the profile, and so does a stop by SIGINT, SIGTERM or SIGHUP (tools/stop.mjs).
 * @param {string} [name]
 * @returns {Promise<LaunchedBrowser>}
 */
export async function launchBrowser(name = 'chromium') {
  if (!BROWSERS.includes(name)) throw new Error(`no browser named ${name}`);
  const profile = mkdtempSync(join(tmpdir(), `trimlab-${name}-`));
  const chromium = name === 'chromium';
  /** @type {import('puppeteer-core').Browser | null} */
  let browser = null;
  const forget = onStop(() => {
    browser?.process()?.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  });
  try {
    browser = await puppeteer.launch({
      browser: chromium ? 'chrome' : 'firefox',
      executablePath: EXECUTABLES[name],
      headless: true,
      userDataDir: profile,
      args: chromium ? CHROMIUM_FLAGS : FIREFOX_FLAGS,
      defaultViewport: VIEWPORT,
      // tools/stop.mjs handles the signals: it ends the browser and exits 128 + N.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    forget();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const launched = browser;
  return {
    name,
    // "Chrome/156.0.8078.114", "firefox/153.8.0": the number only.
    version: (await launched.version()).replace(/^[^/]*\//, ''),
    browser: launched,
    pid: /** @type {number} */ (launched.process()?.pid),
    newPage: () => launched.newPage(),
    collectGarbage: (page) => (chromium ? collectChromium(page) : collectFirefox(launched)),
    async close() {
      await launched.close();
      forget();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full collection in the page's renderer, as DevTools' "collect garbage" button, and in each
 *  of the page's dedicated workers: a worker has its own heap, reached only through its own
 *  session (the page's engine instance lives in one: web/lab-worker.js). */
export async function collectChromium(/** @type {import('puppeteer-core').Page} */ page) {
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  for (const worker of page.workers())
    await /** @type {any} */ (worker).client.send('HeapProfiler.collectGarbage');
}

/** Asks every content process to collect garbage and cycles, as about:memory's "GC" and "CC"
 *  buttons do (a WebAssembly memory held in a cycle through the DOM needs the cycle collector):
 *  evaluated in the browser's own window (BiDi's "moz:scope": "chrome"). The request is
 *  asynchronous: the content processes collect soon after, not before this returns. */
async function collectFirefox(/** @type {import('puppeteer-core').Browser} */ browser) {
  const connection = /** @type {any} */ (browser).connection;
  const { result } = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  await connection.send('script.evaluate', {
    expression:
      'Cu.forceGC(); Cu.forceCC(); Services.obs.notifyObservers(null, "child-gc-request"); ' +
      'Services.obs.notifyObservers(null, "child-cc-request")',
    target: { context: result.contexts[0].context },
    awaitPromise: false,
  });
}
