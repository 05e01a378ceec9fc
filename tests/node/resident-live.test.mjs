// The page's live resident memory (web/resident-live.js) with a fake fetch: one refusal for good
// is reported once and ends the readings; which measured run a browser shows when live readings
// are unavailable (its own kind's, else Chromium's, never another scenario's); and the ends of a
// measured run the summary uses (web/story.js), against figures written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ResidentLive, browserKind, measuredRun } from '../../web/resident-live.js';
import { residentOfRun } from '../../web/story.js';

const LAB = { memoryBytes: () => 65536 * 1024, tag: 'ab'.repeat(16), tagAddress: 1024 };
const json = (status, body) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

test('a reading makes live readings available; an absent endpoint is said once, in one line', async () => {
  const seen = [];
  const live = new ResidentLive({
    onSample: () => {},
    onUnavailable: (reason) => seen.push(reason),
    fetch: async (url) => {
      seen.push(url);
      return json(200, { host: 'firefox', resident_bytes: 4096, host_rss_bytes: 8192 });
    },
  });
  const sample = await live.readNow(LAB);
  assert.deepEqual(sample, { host: 'firefox', resident_bytes: 4096, host_rss_bytes: 8192 });
  assert.equal(live.available, true);
  assert.deepEqual(seen, [`/api/resident?bytes=67108864&tag=${LAB.tag}&at=1024`]);

  const reasons = [];
  let asked = 0;
  const absent = new ResidentLive({
    onSample: () => assert.fail('no sample'),
    onUnavailable: (reason) => reasons.push(reason),
    fetch: async () => {
      asked++;
      return new Response('Not found\n', { status: 404 });
    },
  });
  assert.equal(await absent.readNow(LAB), null);
  assert.equal(await absent.readNow(LAB), null, 'not asked again');
  absent.follow(LAB); // polling does not start once the endpoint is known to be absent
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(asked, 1);
  assert.equal(absent.available, false);
  assert.equal(reasons.length, 1);
  assert.match(reasons[0], /^resident memory is not available: this page's server has no/);
  assert.equal(reasons[0].split('\n').length, 1, 'one line');
});

test('a transient answer (no mapping of this size yet) is not a refusal', async () => {
  const live = new ResidentLive({
    onSample: () => {},
    onUnavailable: () => assert.fail('not unavailable'),
    fetch: async () => json(404, { error: 'no mapping of 67108864 bytes in a browser process' }),
  });
  assert.equal(await live.readNow(LAB), null);
  assert.equal(live.available, null);
});

const sample = (step, resident) => ({ step, resident_bytes: resident, host_rss_bytes: 1 << 27 });
const measured = (name, version, scenario, residents, after = undefined) => ({
  scenario,
  params: {},
  outcome: 'completed',
  host: { name, version, resident: 'smaps' },
  samples: residents.map((r, step) => sample(step, r)),
  ...(after ? { after } : {}),
});

test('the measured run shown: this browser kind, else Chromium; the scenario shown only', () => {
  const chromium = measured('chromium', '156.0.8078.114', 'cycles', [1, 2]);
  const firefox = measured('firefox', '153.8.0', 'cycles', [3, 4]);
  const other = measured('firefox', '153.8.0', 'simple', [5, 6]);
  const doc = { runs: [other, chromium, firefox] };
  assert.deepEqual(measuredRun(doc, 'cycles', 'firefox'), {
    run: firefox,
    label: 'measured in Firefox 153',
  });
  assert.deepEqual(measuredRun(doc, 'cycles', 'chromium'), {
    run: chromium,
    label: 'measured in Chromium 156',
  });
  assert.deepEqual(measuredRun({ runs: [chromium, other] }, 'cycles', 'firefox'), {
    run: chromium,
    label: 'measured in Chromium 156',
  });
  assert.equal(
    measuredRun({ runs: [other] }, 'cycles', 'chromium'),
    null,
    'Firefox is no fallback',
  );
  assert.equal(measuredRun(null, 'cycles', 'chromium'), null);
  const unread = { ...chromium, samples: [{ step: 0 }] };
  assert.equal(measuredRun({ runs: [unread] }, 'cycles', 'chromium'), null, 'no resident figures');
});

test('the resident memory of a run ends at its run_end reading, else its last sample', () => {
  const after = [
    { event: 'run_end', elapsed_ms: 5, resident_bytes: 9000, host_rss_bytes: 1 },
    { event: 'collected', elapsed_ms: 900, resident_bytes: null, host_rss_bytes: 1 },
  ];
  assert.deepEqual(residentOfRun(measured('chromium', '1', 'cycles', [100, 8000], after)), {
    start: 100,
    end: 9000,
  });
  assert.deepEqual(residentOfRun(measured('chromium', '1', 'cycles', [100, 8000])), {
    start: 100,
    end: 8000,
  });
  assert.equal(residentOfRun({ samples: [{ step: 0 }] }), null, 'a run without resident figures');
});

test('the browser kind from the user agent', () => {
  const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
  const chromium =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
  assert.equal(browserKind(firefox), 'firefox');
  assert.equal(browserKind(chromium), 'chromium');
});

test('while following, a reading that finds nothing is reported as missed and polling goes on', async () => {
  const answers = [
    json(404, { error: 'no mapping of 67108864 bytes in a browser process of this user' }),
    json(200, { host: 'chromium', resident_bytes: 4096, host_rss_bytes: 8192 }),
  ];
  const events = [];
  const live = new ResidentLive({
    onSample: (sample) => events.push(['sample', sample.resident_bytes]),
    onMissed: () => events.push(['missed']),
    onUnavailable: () => assert.fail('not unavailable'),
    fetch: async () => answers.shift() ?? new Promise(() => {}),
  });
  live.follow(LAB);
  while (events.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  live.stop();
  assert.deepEqual(events, [['missed'], ['sample', 4096]]);
  assert.equal(live.available, true);
});

test('following a dropped instance until its memory is gone: gone on the first missing mapping, cancelled by stop()', async () => {
  let answers = [json(200, { host: 'chromium', resident_bytes: 4096, host_rss_bytes: 8192 })];
  const samples = [];
  const live = new ResidentLive({
    onSample: (sample) => samples.push(sample),
    onMissed: () => assert.fail('no miss while following until gone'),
    onUnavailable: () => assert.fail('not unavailable'),
    fetch: async () =>
      answers.shift() ?? json(404, { error: 'no mapping of 67108864 bytes in a browser process' }),
  });
  let goneCalls = 0;
  assert.equal(await live.followUntilGone(LAB, () => goneCalls++), 'gone');
  assert.deepEqual([samples.length, goneCalls], [1, 1]);

  // Still mapped: a stop() (a new run, Reset) settles the wait at once.
  answers = Array.from({ length: 1000 }, () =>
    json(200, { host: 'chromium', resident_bytes: 4096, host_rss_bytes: 8192 }),
  );
  const waiting = live.followUntilGone(LAB, () => goneCalls++);
  await new Promise((resolve) => setTimeout(resolve, 30));
  live.stop();
  assert.equal(await waiting, 'cancelled');
  assert.equal(goneCalls, 1);
});
