// The browser harness of `make browser-results` (tools/browser-results.mjs) without a browser:
// what it records after a run when the content process is gone, which a reload may cause (Chromium
// and Firefox may start a new process for the reloaded page). The browser and the page are
// stand-ins; the "content process" is a real child this test ends at the reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { afterRun } from '../../tools/browser-results.mjs';
import { documentOf } from '../../tools/results-document.mjs';
import { validateResults } from '../../web/results-validate.js';
import { loadTrimlab } from '../../web/trimlab-api.js';
import { isGone, schemaErrors } from '../support/helpers.mjs';

test('after events: a content process gone at the reload is left out, the document stays valid', async () => {
  const content = spawn('sleep', ['60'], { stdio: 'ignore' });
  await once(content, 'spawn');
  const page = {
    evaluate: async () => {},
    waitForFunction: async () => {},
    // The reload ends the process that held the page: it is reaped before the next reading.
    reload: async () => {
      const exited = once(content, 'exit');
      content.kill('SIGKILL');
      await exited;
    },
  };
  const browser = { collectGarbage: async () => {} };
  // A range the process does not map: the memory counts as returned at once (no 60 s wait).
  const mapping = {
    pid: /** @type {number} */ (content.pid),
    range: { start: 0x1000n, end: 0x2000n },
  };
  const events = await afterRun(browser, /** @type {any} */ (page), mapping, performance.now());
  assert.ok(isGone(content.pid), 'the stand-in content process was ended');
  assert.deepEqual(
    events.map((e) => e.event),
    ['run_end', 'dropped', 'collected'],
  );
  for (const e of events) {
    assert.ok(Number.isSafeInteger(e.host_rss_bytes) && e.host_rss_bytes > 0, JSON.stringify(e));
    assert.equal(e.resident_bytes, null, 'no such mapping in the process');
  }
  // In a run of a results file: valid for the page's validator and for the schema.
  const lab = await loadTrimlab();
  const run = await lab.runScenario('simple', 'block_mib=1');
  const text = await documentOf(
    [{ ...run, after: events, host: { name: 'chromium', version: '1', resident: 'smaps' } }],
    'wasm, browser harness',
  );
  const verdict = validateResults(text, { platform: 'wasm' });
  assert.ok(verdict.ok, verdict.message);
  assert.equal(schemaErrors(JSON.parse(text)), '');
});
