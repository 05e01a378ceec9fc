#!/usr/bin/env node
// Writes the small trace fixtures of tests/replay/ (checked in; run again after changing the
// encoder): a good trace, one cut short, and one per kind of bad trace. `make test-sanitize`
// replays them under AddressSanitizer and the trace fuzz target starts from them.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TraceBuilder } from './trace-encoder.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1 << 20;

function good() {
  const t = new TraceBuilder({ program: 'fixture' });
  for (let i = 1; i <= 40; i++) t.malloc(0x100000 + i * 0x1000, 100 * i);
  t.calloc(0x9000000, 2 * MiB);
  t.malloc(0, 1n << 45n);
  t.realloc(0x101000, 0x8000000, MiB);
  t.memalign(0x7000000, 8192, 4096);
  t.realloc(0x102000, 0, 0);
  for (let i = 3; i <= 40; i += 2) t.free(0x100000 + i * 0x1000);
  t.free(0x9000000);
  t.free(0x8000000);
  return t;
}

const small = () => new TraceBuilder({ program: 'fixture' }).malloc(0x1000, 10).free(0x1000);

const fixtures = {
  'good.trace': good().bytes(),
  // The header counts 30 events; the rest is a flush whose header rewrite never came, its
  // last event half written.
  'cut-short.trace': (() => {
    const bytes = good().bytes({ complete: false, eventCount: 30, maxLiveBlocks: 30 });
    return bytes.subarray(0, bytes.length - 2);
  })(),
  'bad-magic.trace': new TextEncoder().encode('not a trace\n'),
  'bad-version.trace': small().bytes({ version: 2 }),
  'bad-truncated.trace': small().bytes().subarray(0, 73),
  'bad-varint.trace': new TraceBuilder().rawBytes([4, ...Array(10).fill(0xff), 1]).bytes({
    eventCount: 1,
    maxLiveBlocks: 0,
  }),
  'bad-op.trace': new TraceBuilder().malloc(0x1000, 10).raw(7, 1).bytes(),
  'bad-count.trace': small().bytes({ eventCount: 3 }),
  'bad-double-free.trace': small().free(0x1000).bytes(),
  'bad-still-live.trace': new TraceBuilder().malloc(0x1000, 10).raw(1, 0x1000, 20).bytes(),
  'bad-absurd-size.trace': new TraceBuilder().malloc(0x1000, 1n << 42n).bytes(),
};

for (const [name, bytes] of Object.entries(fixtures)) writeFileSync(join(here, name), bytes);
console.log(`wrote ${Object.keys(fixtures).length} fixtures to ${here}`);
