// A link reproduces a run (web/url-state.js): opening one sets the scenario, its parameters, the
// allocator, the instance mode and the speed, and with `run` runs them; Copy link gives a link
// that does the same in a new tab; the address follows the run on the chart. A link that asks for
// what the page does not offer gets one line per value and runs nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  browserName,
  debugState,
  isVisible,
  missingFiles,
  openPage,
  startBrowser,
  textOf,
  valueOf,
} from '../support/browser.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const settled = (page, n) =>
  page.waitForFunction((k) => window.trimlabDebug.state().settled >= k, { timeout: 90_000 }, n);

test(`${browserName}: a link sets the controls and runs them; Copy link's link does the same in a new tab`, async () => {
  const { page, problems } = await openPage(browser, {
    path: '?scenario=cycles&cycles=3&block_mib=4&allocator=emmalloc&instance=fresh&speed=max&run',
  });
  await settled(page, 1);
  let state = await debugState(page);
  assert.equal(state.last.scenario, 'cycles');
  assert.equal(state.last.allocator, 'emmalloc');
  assert.deepEqual(
    [state.last.params.cycles, state.last.params.block_mib],
    [3, 4],
    'the run used the link',
  );
  assert.equal(await valueOf(page, '#speed'), 'max');
  // The address now names the run on the chart (without `run`: a reload does not run again).
  const address = new URL(page.url());
  assert.equal(address.searchParams.get('cycles'), '3');
  assert.equal(address.searchParams.has('run'), false);

  await page.click('#copy-link');
  await page.waitForFunction(() => window.trimlabDebug.state().link !== null);
  const link = (await debugState(page)).link;
  // Copied where the browser lets the page write the clipboard, else shown to copy by hand.
  const said = `${await textOf(page, '#status')} ${await textOf(page, '#link-notice')}`;
  assert.match(said, /(Link copied|Copy this link): http/);
  const other = await openPage(browser, { path: new URL(link).search });
  await settled(other.page, 1);
  state = await debugState(other.page);
  assert.deepEqual(
    [state.last.scenario, state.last.allocator, state.last.params.cycles],
    ['cycles', 'emmalloc', 3],
  );
  assert.deepEqual([...problems, ...other.problems], []);
  await other.page.close();
  await page.close();
});

test(`${browserName}: a link asking for what the page does not offer: one line per value, nothing run`, async () => {
  const { page } = await openPage(browser, {
    path: '?scenario=nosuch&allocator=jemalloc&bogus%01=1&run',
  });
  const notice = await textOf(page, '#link-notice');
  assert.match(notice, /The link's scenario 'nosuch' is not one of simple, /);
  assert.match(notice, /The link's allocator 'jemalloc' is not one of dlmalloc, emmalloc\./);
  assert.match(notice, /The link's 'bogus\?' is not a parameter of the scenario\./);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal((await debugState(page)).settled, 0, 'nothing ran');
  assert.equal(await valueOf(page, '#scenario'), 'highwater', 'the default scenario stays');
  await page.close();

  // A value the engine refuses: its message at the field, nothing run.
  const bad = await openPage(browser, { path: '?scenario=highwater&total_mib=0&run' });
  assert.equal(await isVisible(bad.page, '#param-total_mib-error'), true);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal((await debugState(bad.page)).settled, 0);
  await bad.page.close();
});
