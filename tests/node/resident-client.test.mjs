// The page's client of /api/resident (web/resident-client.js) with a fake fetch and a fake
// clock: what it asks, how often, one request at a time, what each answer means, and that stop()
// ends it. The endpoint itself: serve.test.mjs and resident-endpoint.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MIN_INTERVAL_MS, pollResident } from '../../web/resident-client.js';

const TAG = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const READING = {
  host: 'chromium',
  resident_bytes: 3145728,
  host_rss_bytes: 129110016,
  mapping_bytes: 6553600,
  matched: 'tag',
};

/** A Response as fetch gives it: `body` an object is sent as JSON, a string as text. */
function reply(status, body) {
  const json = typeof body !== 'string';
  return new Response(json ? JSON.stringify(body) : body, {
    status,
    headers: { 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/plain' },
  });
}

/**
 * Polls with `answers` (one per request: a Response, an Error to throw, or a function of the
 * request count) until `until(record)` or the answers run out; returns what happened.
 */
async function poll(answers, { until = () => false, target, intervalMs, elapsed = 7 } = {}) {
  const record = { urls: [], samples: [], problems: [], waits: [], inFlight: 0, maxInFlight: 0 };
  let clock = 0;
  let handle;
  const fetch = async (url, { signal }) => {
    record.urls.push(url);
    record.inFlight++;
    record.maxInFlight = Math.max(record.maxInFlight, record.inFlight);
    clock += elapsed; // the request takes this long
    await Promise.resolve();
    record.inFlight--;
    const answer = answers[record.urls.length - 1];
    if (answer === undefined || signal.aborted) {
      handle.stop();
      throw new DOMException('aborted', 'AbortError');
    }
    if (answer instanceof Error) throw answer;
    return answer;
  };
  handle = pollResident({
    target: target ?? (() => ({ bytes: 6553600, tag: TAG, at: 4096 })),
    onSample: (sample) => {
      record.samples.push(sample);
      if (until(record)) handle.stop();
    },
    onProblem: (reason, stopped) => {
      record.problems.push({ reason, stopped });
      if (until(record)) handle.stop();
    },
    fetch,
    intervalMs,
    now: () => clock,
    wait: async (ms) => {
      record.waits.push(ms);
      clock += ms;
    },
  });
  await handle.done;
  return record;
}

test('it asks for the memory it is given, one request at a time, at most every 100 ms', async () => {
  const record = await poll(Array.from({ length: 5 }, () => reply(200, READING)));
  assert.equal(record.urls.length, 6, 'five answers, then the sixth request is stopped');
  for (const url of record.urls) {
    const parsed = new URL(url, 'http://x');
    assert.equal(parsed.pathname, '/api/resident');
    assert.deepEqual(Object.fromEntries(parsed.searchParams), {
      bytes: '6553600',
      tag: TAG,
      at: '4096',
    });
  }
  assert.equal(record.maxInFlight, 1);
  // Each request took 7 ms of the fake clock: the wait makes up the rest of 100 ms.
  assert.deepEqual(record.waits, Array(5).fill(MIN_INTERVAL_MS - 7));
  assert.deepEqual(
    record.samples,
    Array(5).fill({
      resident_bytes: 3145728,
      host_rss_bytes: 129110016,
      host: 'chromium',
    }),
  );
  assert.deepEqual(record.problems, []);
});

test('an interval below 100 ms is raised to 100; a slow request is followed at once', async () => {
  const fast = await poll([reply(200, READING), reply(200, READING)], { intervalMs: 10 });
  assert.deepEqual(fast.waits, [93, 93]);
  const slow = await poll([reply(200, READING), reply(200, READING)], { elapsed: 250 });
  assert.deepEqual(slow.waits, [0, 0]);
});

test('the memory is read again before every request (it grows); nothing asked while null', async () => {
  const targets = [null, { bytes: 65536, tag: TAG, at: 0 }, { bytes: 131072, tag: TAG, at: 0 }];
  let call = 0;
  const record = await poll([reply(200, READING), reply(200, READING)], {
    target: () => targets[Math.min(call++, targets.length - 1)],
  });
  const sizes = record.urls.map((url) => new URL(url, 'http://x').searchParams.get('bytes'));
  assert.deepEqual(sizes, ['65536', '131072', '131072']);
});

test('a page served by another server: 404 without JSON, or no answer at all, stops with one line', async () => {
  const statik = await poll([reply(404, 'not found')]);
  assert.equal(statik.urls.length, 1);
  assert.equal(statik.problems.length, 1);
  assert.ok(statik.problems[0].stopped);
  assert.match(statik.problems[0].reason, /no \/api\/resident \(HTTP 404\)/);
  assert.match(statik.problems[0].reason, /tools\/serve\.mjs/);

  const network = await poll([new TypeError('fetch failed\nECONNREFUSED')]);
  assert.equal(network.urls.length, 1);
  assert.deepEqual(network.problems, [
    {
      reason:
        'resident memory is not available: /api/resident cannot be reached (fetch failed?ECONNREFUSED)',
      stopped: true,
    },
  ]);
});

test("the endpoint's refusals: 404 and 429 go on, 403, 400 and 421 stop; each says why in one line", async () => {
  const noMapping = { error: 'no mapping of 6553600 bytes in a browser process of this user' };
  const record = await poll(
    [reply(404, noMapping), reply(429, { error: 'too many requests' }), reply(200, READING)],
    { until: (r) => r.samples.length > 0 },
  );
  assert.deepEqual(
    record.problems.map((p) => p.stopped),
    [false, false],
  );
  assert.equal(
    record.problems[0].reason,
    `resident memory is not available (HTTP 404): ${noMapping.error}`,
  );
  assert.equal(record.samples.length, 1);

  for (const [status, body] of [
    [403, { error: 'permission denied reading the memory maps of 2 browser process(es)' }],
    [400, { error: "bytes '1' is not a memory size\u001b[2J" }],
    [421, 'misdirected request'],
    [200, { host: 'chromium', resident_bytes: -1 }],
  ]) {
    const refused = await poll([reply(status, body), reply(200, READING)]);
    assert.equal(refused.urls.length, 1, `${status}: asked again`);
    assert.equal(refused.problems.length, 1);
    const [{ reason, stopped }] = refused.problems;
    assert.ok(stopped, String(status));
    assert.match(
      reason,
      new RegExp(`^resident memory is not available.*${status === 200 ? 'unexpected' : status}`),
    );
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    assert.doesNotMatch(reason, /[\u0000-\u001f]/);
    if (typeof body.error === 'string') assert.ok(reason.includes(body.error.slice(0, 20)), reason);
  }
});

test('stop() while a request is in flight: its answer is dropped and nothing more is asked', async () => {
  const samples = [];
  let release;
  const urls = [];
  const handle = pollResident({
    target: () => ({ bytes: 65536, tag: TAG, at: 0 }),
    onSample: (sample) => samples.push(sample),
    onProblem: (reason) => assert.fail(reason),
    fetch: (url) => {
      urls.push(url);
      return new Promise((resolve) => (release = () => resolve(reply(200, READING))));
    },
  });
  await new Promise((resolve) => setImmediate(resolve));
  handle.stop();
  release();
  await handle.done;
  assert.equal(urls.length, 1);
  assert.deepEqual(samples, []);
});

test('stop() during the wait between two requests ends it at once', async () => {
  const urls = [];
  let handle;
  handle = pollResident({
    target: () => ({ bytes: 65536, tag: TAG, at: 0 }),
    onSample: () => setImmediate(() => handle.stop()), // once the wait has begun
    onProblem: (reason) => assert.fail(reason),
    fetch: async (url) => (urls.push(url), reply(200, READING)),
    intervalMs: 3_600_000, // the real timer: the test ends only because stop() cuts the wait
  });
  await handle.done;
  assert.equal(urls.length, 1);
});
