// Accessibility stays at zero violations: axe-core (npm, pinned; evaluated into the page by the
// test, never served) on the page as it opens, after a run (the verdict, the summary, the
// remedies' table), with every <details> open, in presenter mode, on a phone's width and with
// the Real programs view open; and focus is plain to see on every control, the filled primary buttons included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import {
  browserName,
  missingFiles,
  openPage,
  runScenario,
  startBrowser,
} from '../support/browser.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** axe's violations on the page now, one line each (rule, impact, where). */
async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
  return found;
}

test(`${browserName}: axe finds nothing: opened, after a run with everything open, presenting, on a phone, the Real programs view`, async () => {
  const { page, problems } = await openPage(browser);
  assert.deepEqual(await violations(page), [], 'as the page opens');

  await runScenario(page, { scenario: 'highwater' });
  await page.waitForFunction(() => !document.getElementById('remedy-figures').hidden);
  await page.evaluate(() => {
    for (const details of document.querySelectorAll('details')) details.open = true;
  });
  assert.deepEqual(await violations(page), [], 'after a run, every <details> open');

  await page.setViewport({ width: 390, height: 844 });
  assert.deepEqual(await violations(page), [], "on a phone's width");
  await page.setViewport({ width: 1280, height: 800 });

  await page.click('#present');
  await page.waitForFunction(() => window.trimlabDebug.state().slide?.count >= 1);
  assert.deepEqual(await violations(page), [], 'presenting');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !window.trimlabDebug.state().presenting);

  await page.click('#view-real');
  await page.waitForFunction(() => window.trimlabReal?.state().ready === true);
  await page.evaluate(() => {
    for (const details of document.querySelectorAll('#real-view details')) details.open = true;
  });
  assert.deepEqual(await violations(page), [], 'the Real programs view open');
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: focus is plain to see on every control, the primary button included`, async () => {
  const { page } = await openPage(browser);
  // Each control focused as the keyboard focuses it (focusVisible), then its outline read.
  const unseen = await page.evaluate(() => {
    const controls = document.querySelectorAll(
      'button:not([disabled]), input:not([disabled]), select:not([disabled]), a[href], summary',
    );
    const missing = [];
    for (const control of controls) {
      if (!control.checkVisibility()) continue;
      control.focus({ focusVisible: true });
      const style = getComputedStyle(control.closest('.file-button') ?? control);
      if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2)
        missing.push(control.id || control.textContent.trim().slice(0, 30));
    }
    return missing;
  });
  assert.deepEqual(unseen, [], 'controls focused without an outline');
  await page.close();
});
