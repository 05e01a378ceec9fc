// The page on any screen: at 390 (a phone), 768, 1280 and 1920 px wide, after the default
// highwater run, nothing scrolls sideways (the document is no wider than the window), the
// header's message wraps instead of being cut, the chart is at least 240 px tall, and every
// button is a target a thumb can hit on a narrow screen (44 px). A screenshot at each width,
// with the verdict in view, goes to build/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  browserName,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  startBrowser,
} from '../support/browser.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const SCREENS = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const MIN_CHART_PX = 240;
const NARROW_PX = 900;
const THUMB_PX = 44;

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

for (const screen of SCREENS)
  test(`${browserName}: ${screen.width} px wide: no sideways scrolling, the header wraps, the chart ≥ ${MIN_CHART_PX} px`, async () => {
    const { page, problems } = await openPage(browser);
    await page.setViewport(screen);
    await runScenario(page, { scenario: 'highwater' });
    const seen = await page.evaluate(() => {
      const header = document.querySelector('.top p');
      const chart = document.querySelector('.chart-box').getBoundingClientRect();
      const buttons = [...document.querySelectorAll('button')]
        .filter((b) => b.checkVisibility())
        .map((b) => ({ id: b.id || b.textContent, height: b.getBoundingClientRect().height }));
      return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        headerCut:
          header.scrollWidth > header.clientWidth || header.scrollHeight > header.clientHeight,
        chartHeight: chart.height,
        chartWidth: chart.width,
        buttons,
      };
    });
    assert.ok(
      seen.scrollWidth <= seen.innerWidth,
      `the document is ${seen.scrollWidth} px wide in a ${seen.innerWidth} px window`,
    );
    assert.equal(seen.headerCut, false, "the header's message is cut");
    assert.ok(seen.chartHeight >= MIN_CHART_PX, `the chart is ${seen.chartHeight} px tall`);
    assert.ok(seen.chartWidth >= screen.width / 2, `the chart is ${seen.chartWidth} px wide`);
    if (screen.width <= NARROW_PX)
      for (const { id, height } of seen.buttons)
        assert.ok(height >= THUMB_PX, `button ${id} is ${height} px tall`);
    await page.$eval('#verdict', (v) => v.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath(`page-${screen.width}px`) });
    assert.deepEqual(problems, []);
    await page.close();
  });
