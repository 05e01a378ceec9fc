// The demo server's live resident reading (GET /api/resident: tools/resident-api.mjs over
// tools/resident.mjs) against real browsers: headless Chromium and Firefox
// ESR (tools/browser.mjs) hold WebAssembly.Memory objects of known sizes, tags
// and touched amounts, and every figure the endpoint gives is checked against this test's own
// reading of /proc/PID/smaps for the browser processes this test started; in Chromium the page's
// own client (web/resident-client.js) is checked the same way. Then the permission
// case: a browser-like process the kernel will not let the server read gets 403, one line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { launchBrowser } from '../../tools/browser.mjs';
import { serve } from '../../tools/serve.mjs';
import { root as repoRoot, tempDir, waitFor } from '../support/helpers.mjs';

const PAGE = 65536;
const MiB = 1024 * 1024;
const tags = new Map();
/** A fresh random tag of 32 hex digits for `name`. */
function tagOf(name) {
  if (!tags.has(name)) tags.set(name, crypto.getRandomValues(Buffer.alloc(16)).toString('hex'));
  return tags.get(name);
}

// Page counts nobody else on the machine is likely to use, so only this test's memories match.
const A = { name: 'a', pages: 1237, touchMiB: 3, at: 4096 };
const B = { name: 'b', pages: 613, touchMiB: 1, at: 1000 };
const C = { name: 'c', pages: 1237, touchMiB: 5, at: 4096 }; // A's size, another tag
const ABSENT_PAGES = 911;

let server;
let port;
before(async () => {
  server = await serve(join(repoRoot, 'web'), 0);
  port = server.address().port;
});
after(() => new Promise((resolve) => server.close(resolve)));

/** Asks the endpoint; resolves {status, body (parsed), text}. */
async function ask(bytes, tag, at) {
  const response = await fetch(
    `http://127.0.0.1:${port}/api/resident?bytes=${bytes}&tag=${tag}&at=${at}`,
  );
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}
const askFor = (memory, tag = tagOf(memory.name)) => ask(memory.pages * PAGE, tag, memory.at);

/** In the page: a memory of `pages` pages, `touchMiB` written, the tag's 16 bytes at `at`. */
function allocate(page, memory) {
  return page.evaluate(
    ({ name, pages, touchMiB, at, tag }) => {
      const memoryObject = new WebAssembly.Memory({ initial: pages });
      const bytes = new Uint8Array(memoryObject.buffer);
      bytes.fill(1, 0, touchMiB * 1024 * 1024);
      for (let i = 0; i < 16; i++) bytes[at + i] = parseInt(tag.slice(2 * i, 2 * i + 2), 16);
      (window.memories ??= {})[name] = memoryObject;
    },
    { ...memory, tag: tagOf(memory.name) },
  );
}

/** Every process under this one (the browsers it started, their zygotes, renderers, ...), by the
 *  parent pid each process's stat gives: a child forked by another thread than the main one
 *  (Firefox's fork server) is not in the main thread's children list. */
function descendants() {
  const parents = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone since the listing
    }
  }
  const under = (pid) => (pid === process.pid ? true : pid > 1 && under(parents.get(pid) ?? 0));
  return [...parents.keys()].filter((pid) => pid !== process.pid && under(pid));
}

/**
 * This test's own reading, independent of tools/resident.mjs: the full smaps of every
 * descendant whose command line has `marker`, and of each anonymous rw-p entry of `size` bytes
 * its Rss in bytes, with the process's VmRSS.
 */
function smapsEntries(size, marker) {
  const entries = [];
  for (const pid of descendants()) {
    let smaps;
    let status;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(marker)) continue;
      smaps = readFileSync(`/proc/${pid}/smaps`, 'latin1');
      status = readFileSync(`/proc/${pid}/status`, 'latin1');
    } catch {
      continue;
    }
    const processRss = Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
    for (const entry of smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
      const [, start, end, perms, inode] = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)/.exec(
        entry,
      );
      if (perms !== 'rw-p' || inode !== '0') continue;
      if (Number(BigInt(`0x${end}`) - BigInt(`0x${start}`)) !== size) continue;
      const rss = Number(/\nRss:\s+(\d+) kB/.exec(entry)[1]) * 1024;
      entries.push({ pid, rss, processRss });
    }
  }
  return entries;
}

/** Every pid under this process, as words: none may appear in an answer. */
function assertNoPidOrPath(answers) {
  const pids = descendants().map(String);
  for (const { text } of answers) {
    assert.equal(text.split('\n').filter(Boolean).length, 1, text);
    assert.ok(!text.includes('/'), `a path in ${text}`);
    for (const word of text.match(/\d+/g) ?? [])
      assert.ok(!pids.includes(word), `a browser pid (${word}) in ${text}`);
  }
}

/** A 200 answer's exact shape and its agreement with the independent smaps entry. */
function assertReading(answer, { host, bytes, mapping, entry, touchMiB }) {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body).sort(), [
    'host',
    'host_rss_bytes',
    'mapping_bytes',
    'matched',
    'resident_bytes',
  ]);
  assert.equal(answer.body.host, host);
  assert.equal(answer.body.matched, 'tag');
  assert.equal(answer.body.mapping_bytes, mapping);
  assert.equal(answer.body.resident_bytes, entry.rss, 'resident: the Rss of the smaps entry');
  // What the page touched, not the memory's size (a page or two of header and rounding aside).
  assert.ok(answer.body.resident_bytes >= touchMiB * MiB, answer.text);
  assert.ok(answer.body.resident_bytes <= touchMiB * MiB + 2 * MiB, answer.text);
  assert.ok(answer.body.resident_bytes < bytes, answer.text);
  // The renderer runs on: its RSS moves a little between the two readings.
  const drift = Math.abs(answer.body.host_rss_bytes - entry.processRss);
  assert.ok(drift <= 8 * MiB, `host RSS ${answer.body.host_rss_bytes} vs ${entry.processRss}`);
}

test('Chromium: only a mapping of exactly the size asked for, told apart by its tag, with its smaps figures', async (t) => {
  const browser = await launchBrowser('chromium');
  const answers = [];
  const record = async (promise) => {
    const answer = await promise;
    answers.push(answer);
    return answer;
  };
  try {
    const page = await browser.newPage();
    // A document of the server's origin (any file), so the page's client can be imported there.
    await page.goto(`http://127.0.0.1:${port}/style.css`);
    await allocate(page, A);
    await allocate(page, B);

    // A third size that no memory has: 404, naming the size asked for.
    const absent = await record(ask(ABSENT_PAGES * PAGE, tagOf('a'), 0));
    assert.equal(absent.status, 404, absent.text);
    assert.deepEqual(absent.body, {
      error: `no mapping of ${ABSENT_PAGES * PAGE} bytes in a browser process of this user`,
    });

    for (const memory of [A, B]) {
      const bytes = memory.pages * PAGE;
      const entries = smapsEntries(bytes, '--type=renderer');
      assert.equal(entries.length, 1, `one mapping of ${bytes} bytes: ${JSON.stringify(entries)}`);
      const answer = await record(askFor(memory));
      assertReading(answer, {
        host: 'chromium',
        bytes,
        mapping: bytes,
        entry: entries[0],
        ...memory,
      });
      t.diagnostic(`${memory.name}: ${answer.text.trim()}`);
    }

    // A wrong tag: the one mapping of that size is not the page's.
    const wrongTag = await record(askFor(A, 'f'.repeat(32)));
    assert.equal(wrongTag.status, 404, wrongTag.text);

    // Two memories of one size: each tag finds its own (A touched 3 MiB, C 5 MiB).
    await allocate(page, C);
    const bytes = A.pages * PAGE;
    const entries = smapsEntries(bytes, '--type=renderer').sort((x, y) => x.rss - y.rss);
    assert.equal(entries.length, 2, JSON.stringify(entries));
    const a = await record(askFor(A));
    const c = await record(askFor(C));
    assertReading(a, { host: 'chromium', bytes, mapping: bytes, entry: entries[0], ...A });
    assertReading(c, { host: 'chromium', bytes, mapping: bytes, entry: entries[1], ...C });

    // A grows: found again at its new size; its old size now holds only C, whose tag differs.
    await page.evaluate(() => window.memories.a.grow(3));
    const grown = { ...A, pages: A.pages + 3 };
    const grownEntries = smapsEntries(grown.pages * PAGE, '--type=renderer');
    assert.equal(grownEntries.length, 1, JSON.stringify(grownEntries));
    const afterGrowth = await record(askFor(grown, tagOf('a')));
    assertReading(afterGrowth, {
      host: 'chromium',
      bytes: grown.pages * PAGE,
      mapping: grown.pages * PAGE,
      entry: grownEntries[0],
      ...A,
    });
    const oldSize = await record(askFor(A));
    assert.equal(oldSize.status, 404, oldSize.text);
    assertNoPidOrPath(answers);

    // The page's own client (web/resident-client.js), in the page, gets B's figures.
    const sample = await page.evaluate(
      async ({ bytes, tag, at }) => {
        const { pollResident } = await import('/resident-client.js');
        return new Promise((resolve, reject) => {
          const polling = pollResident({
            target: () => ({ bytes, tag, at }),
            onSample: (reading) => {
              polling.stop();
              resolve(reading);
            },
            onProblem: (reason, stopped) => stopped && reject(new Error(reason)),
          });
        });
      },
      { bytes: B.pages * PAGE, tag: tagOf('b'), at: B.at },
    );
    const [entryB] = smapsEntries(B.pages * PAGE, '--type=renderer');
    assert.equal(sample.host, 'chromium');
    assert.equal(sample.resident_bytes, entryB.rss);
    assert.ok(Math.abs(sample.host_rss_bytes - entryB.processRss) <= 8 * MiB);
  } finally {
    await browser.close();
  }
});

test('Firefox: the content process maps the memory and one page more; the buffer starts after that page', async (t) => {
  const browser = await launchBrowser('firefox');
  const answers = [];
  try {
    const page = await browser.newPage();
    await allocate(page, A);
    await allocate(page, B);
    for (const memory of [A, B]) {
      const bytes = memory.pages * PAGE;
      const entries = smapsEntries(bytes + 4096, '-contentproc');
      assert.equal(entries.length, 1, JSON.stringify(entries));
      // Without the extra page nothing is found: never a mapping of another size.
      assert.deepEqual(smapsEntries(bytes, '-contentproc'), []);
      const answer = await askFor(memory);
      answers.push(answer);
      assertReading(answer, {
        host: 'firefox',
        bytes,
        mapping: bytes + 4096,
        entry: entries[0],
        ...memory,
      });
      t.diagnostic(`${memory.name}: ${answer.text.trim()}`);
    }
    const absent = await ask(ABSENT_PAGES * PAGE, tagOf('a'), 0);
    answers.push(absent);
    assert.equal(absent.status, 404, absent.text);
    assertNoPidOrPath(answers);
  } finally {
    await browser.close();
  }
});

test('a browser process of this user the kernel does not let the server read: 403 with one line', async () => {
  // Runs as nobody: an executable nobody may run but not read makes its process non-dumpable, so
  // the kernel refuses its /proc/PID/maps to the server (also nobody), as with Chromium's
  // sandboxed renderers on a desktop. Its command line says it is a renderer.
  const asNobody = process.geteuid() === 0 ? { uid: 65534, gid: 65534 } : {};
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const shell = join(dir, 'sh');
  copyFileSync('/bin/sh', shell);
  chmodSync(shell, 0o711);
  const renderer = spawn(shell, ['-c', 'read line', '--type=renderer'], {
    argv0: 'chromium',
    ...asNobody,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const servedRoot = join(repoRoot, 'web');
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'tools', 'serve.mjs'), '--port', '0', '--root', servedRoot],
    { ...asNobody, env: { ...process.env, PORT: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const childPort = await waitFor(() => /127\.0\.0\.1:(\d+)\//.exec(out)?.[1], 'the server');
    await waitFor(
      () => readdirSync('/proc').includes(String(renderer.pid)),
      'the renderer-like process',
    );
    const response = await fetch(
      `http://127.0.0.1:${childPort}/api/resident?bytes=${PAGE}&tag=${tagOf('a')}&at=0`,
    );
    const text = await response.text();
    assert.equal(response.status, 403, text);
    assert.match(JSON.parse(text).error, /permission denied/);
    assertNoPidOrPath([{ text }]);
    assert.ok(!text.includes(String(renderer.pid)), text);
  } finally {
    child.kill();
    renderer.stdin.end();
    renderer.kill();
  }
});

test('where /proc/PID/mem cannot be read: one mapping of the size is taken on size alone, two are refused', () => {
  // A procfs-like tree read by a reader running as nobody (the kernel's own refusal needs Yama or
  // a sandbox, which this machine does not have): each process's mem has mode 000.
  const asNobody = process.geteuid() === 0 ? { uid: 65534, gid: 65534 } : {};
  const uid = asNobody.uid ?? process.geteuid();
  const proc = tempDir();
  chmodSync(proc, 0o755);
  const fakeRenderer = (pid, rssKib) => {
    const dir = join(proc, String(pid));
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'cmdline'), 'chromium --type=renderer --lang=en-US\0');
    writeFileSync(
      join(dir, 'status'),
      `Name:\tchromium\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nVmRSS:\t  204800 kB\n`,
    );
    const mapping = '00010000-00020000 rw-p 00000000 00:00 0 \n';
    writeFileSync(
      join(dir, 'maps'),
      `00001000-00002000 r-xp 00000000 08:01 42 /usr/lib/chromium/chromium\n${mapping}`,
    );
    writeFileSync(
      join(dir, 'smaps'),
      `${mapping}Size:                 64 kB\nRss:                 ${rssKib} kB\n`,
    );
    writeFileSync(join(dir, 'mem'), '', { mode: 0o000 });
  };
  const read = () => {
    const script = `
      import { createResidentReader } from ${JSON.stringify(join(repoRoot, 'tools', 'resident.mjs'))};
      const reader = createResidentReader({ proc: ${JSON.stringify(proc)} });
      try {
        // The mapping's range (BigInts) is the harness's; the figures are what this checks.
        const { range, ...reading } = reader.read({ bytes: 65536, tag: '${tagOf('a')}', at: 0 }) ?? {};
        console.log(JSON.stringify(reading));
      } catch (error) {
        console.log(JSON.stringify({ denied: error.message }));
      }`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      ...asNobody,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout);
  };
  fakeRenderer(4001, 12);
  assert.deepEqual(read(), {
    host: 'chromium',
    pid: 4001,
    resident_bytes: 12 * 1024,
    host_rss_bytes: 204800 * 1024,
    mapping_bytes: 65536,
    matched: 'size',
  });
  fakeRenderer(4002, 20);
  assert.match(read().denied, /permission denied.*2 mappings of 65536 bytes cannot be told apart/);
});
