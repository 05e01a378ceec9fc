// The memory map's residency from the demo server (GET /api/resident-map, tools/resident-api.mjs
// over tools/resident.mjs) in this browser (TRIMLAB_BROWSER): a WebAssembly.Memory with two
// touched regions, asked for through the page's own module (web/memory-map.js), and every
// resident page the answer gives checked against the test's own read of the mapping's Rss in
// /proc/PID/smaps and against where the page wrote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { browserName, startBrowser } from '../support/browser.mjs';
import { MAPPING_EXTRA, moduleMappings } from '../support/proc.mjs';

const PAGE = 65536;
const KERNEL_PAGE = 4096;
const MiB = 1024 * 1024;
// A size nobody else's memory is likely to have; 3 MiB written from 0, 2 MiB from 50 MiB.
const PAGES = 1531;
const BYTES = PAGES * PAGE;
const TOUCHED = [
  [0, 3 * MiB],
  [50 * MiB, 2 * MiB],
];
const AT = 4096;
const TAG = crypto.getRandomValues(Buffer.alloc(16)).toString('hex');

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

test(`${browserName}: /api/resident-map gives the resident pages of the page's memory, as its smaps Rss counts them`, async (t) => {
  const page = await browser.newPage();
  await page.goto(`${browser.baseUrl}style.css`);
  const answerText = await page.evaluate(
    async ({ pages, touched, at, tag }) => {
      const memory = new WebAssembly.Memory({ initial: pages });
      const bytes = new Uint8Array(memory.buffer);
      for (const [from, length] of touched) bytes.fill(1, from, from + length);
      for (let i = 0; i < 16; i++) bytes[at + i] = parseInt(tag.slice(2 * i, 2 * i + 2), 16);
      window.keptMemory = memory;
      const client = await import('/memory-map.js');
      const query = `bytes=${memory.buffer.byteLength}&tag=${tag}&at=${at}`;
      const response = await fetch(`${client.RESIDENT_MAP_URL}?${query}`);
      const body = await response.json();
      // As text: WebDriver BiDi hands an array met twice (body's and residency's) back once.
      return JSON.stringify({
        status: response.status,
        body,
        residency: client.residencyFromAnswer(body, memory.buffer.byteLength),
      });
    },
    { pages: PAGES, touched: TOUCHED, at: AT, tag: TAG },
  );
  const answer = JSON.parse(answerText);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(Object.keys(answer.body).sort(), ['host', 'matched', 'page_bytes', 'runs']);
  assert.equal(answer.body.host, browserName);
  assert.equal(answer.body.matched, 'tag');
  const { residency } = answer;
  assert.ok(residency, 'the runs cover the memory exactly');
  assert.equal(residency.page_bytes, KERNEL_PAGE);

  // Present pages, and where: every touched kernel page, nothing else but a few the engine uses.
  const present = new Uint8Array(BYTES / KERNEL_PAGE);
  let at = 0;
  residency.runs.forEach((length, i) => {
    if (i % 2) present.fill(1, at, at + length);
    at += length;
  });
  for (const [from, length] of TOUCHED)
    for (let p = from / KERNEL_PAGE; p < (from + length) / KERNEL_PAGE; p++)
      assert.equal(present[p], 1, `page ${p} written and not present`);
  const count = present.reduce((sum, bit) => sum + bit, 0);
  const touched = TOUCHED.reduce((sum, [, length]) => sum + length, 0);
  assert.ok(count * KERNEL_PAGE <= touched + 2 * KERNEL_PAGE, `${count} pages present`);

  // The test's own reading: the one mapping of that size, its Rss (Firefox's mapping has a header
  // page before the memory, which the answer leaves out).
  const mappings = moduleMappings(browser, BYTES);
  assert.equal(mappings.length, 1, JSON.stringify(mappings));
  const rss = mappings[0].rss;
  assert.ok(
    Math.abs(rss - count * KERNEL_PAGE) <= MAPPING_EXTRA,
    `smaps Rss ${rss} against ${count * KERNEL_PAGE} present`,
  );
  t.diagnostic(`${count} of ${present.length} kernel pages present; smaps Rss ${rss} bytes`);
  await page.close();
});
