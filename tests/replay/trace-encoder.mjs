// A tiny encoder of allocation traces (src/shared/trace_format.h), for the tests and the fixtures: it
// does not depend on the recorder. Values may be numbers or BigInts.
//
//   const t = new TraceBuilder({ program: 'demo' });
//   t.malloc(0x1000, 64); t.free(0x1000);
//   const bytes = t.bytes();                      // header with the right counts, COMPLETE set
//   const raw = t.bytes({ complete: false, eventCount: 7, maxLiveBlocks: 0 });  // override

export const OP = Object.freeze({
  malloc: 1,
  calloc: 2,
  realloc: 3,
  free: 4,
  memalign: 5,
  mmap: 6,
  munmap: 7,
});
export const HEADER_BYTES = 64;
const MAGIC = [0x54, 0x4c, 0x54, 0x52, 0x41, 0x43, 0x45, 0x00]; // "TLTRACE\0"

/** Unsigned LEB128 of a number or BigInt. */
export function varint(value) {
  let v = BigInt(value);
  const out = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

/** The 64-byte header followed by the program name. */
export function header({
  magic = MAGIC,
  version = 1,
  pointerBytes = 8,
  flags = 1,
  program = 'test',
  nameLength,
  eventCount = 0,
  maxLiveBlocks = 0,
  pid = 1234,
  reserved = [0, 0],
} = {}) {
  const name = new TextEncoder().encode(program);
  const bytes = new Uint8Array(HEADER_BYTES + name.length);
  const view = new DataView(bytes.buffer);
  bytes.set(magic.slice(0, 8), 0);
  view.setUint32(8, version, true);
  view.setUint32(12, pointerBytes, true);
  view.setUint32(16, flags, true);
  view.setUint32(20, nameLength ?? name.length, true);
  view.setBigUint64(24, BigInt(eventCount), true);
  view.setBigUint64(32, BigInt(maxLiveBlocks), true);
  view.setBigUint64(40, BigInt(pid), true);
  view.setBigUint64(48, BigInt(reserved[0]), true);
  view.setBigUint64(56, BigInt(reserved[1]), true);
  bytes.set(name, HEADER_BYTES);
  return bytes;
}

export class TraceBuilder {
  #chunks = [];
  #length = 0;
  // Address → size while live, undefined once freed: a freed address keeps its entry because in
  // V8 (Node 20) a Map that deletes and re-adds keys while it holds many slows down with its size
  // (a trace of 360,000 live blocks and short-lived ones between them took minutes to build).
  #live = new Map();
  #liveBlocks = 0;
  events = 0;
  maxLiveBlocks = 0;
  peakBytes = 0n;
  #liveBytes = 0n;

  constructor({ program = 'test', pointerBytes = 8 } = {}) {
    this.program = program;
    this.pointerBytes = pointerBytes;
  }

  /** An event from raw fields: op, then its varints (no bookkeeping: for bad traces). */
  raw(op, ...fields) {
    this.#push([op, ...fields.flatMap(varint)]);
    this.events++;
    return this;
  }

  /** Bytes appended as they are (a broken event, garbage). */
  rawBytes(bytes) {
    this.#push([...bytes]);
    return this;
  }

  #push(bytes) {
    const chunk = Uint8Array.from(bytes);
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  #allocated(result, size) {
    if (BigInt(result) === 0n) return;
    if (this.#live.get(BigInt(result)) === undefined) this.#liveBlocks++;
    this.#live.set(BigInt(result), BigInt(size));
    this.#liveBytes += BigInt(size);
    this.#note();
  }

  #freed(pointer) {
    const size = this.#live.get(BigInt(pointer));
    if (size === undefined) return;
    this.#live.set(BigInt(pointer), undefined);
    this.#liveBlocks--;
    this.#liveBytes -= size;
  }

  #note() {
    this.maxLiveBlocks = Math.max(this.maxLiveBlocks, this.#liveBlocks);
    if (this.#liveBytes > this.peakBytes) this.peakBytes = this.#liveBytes;
  }

  malloc(result, size) {
    this.#allocated(result, size);
    return this.raw(OP.malloc, result, size);
  }

  calloc(result, size) {
    this.#allocated(result, size);
    return this.raw(OP.calloc, result, size);
  }

  memalign(result, size, alignment) {
    this.#allocated(result, size);
    return this.raw(OP.memalign, result, size, alignment);
  }

  realloc(old, result, size) {
    const failed = BigInt(result) === 0n && BigInt(size) > 0n;
    if (!failed) {
      if (BigInt(old) !== 0n) this.#freed(old);
      this.#allocated(result, size);
    }
    return this.raw(OP.realloc, old, result, size);
  }

  /** An anonymous mapping the program made. */
  mmap(result, size) {
    this.#allocated(result, size);
    return this.raw(OP.mmap, result, size);
  }

  /** The mapping at `old` now starts at `result` with `size` bytes; result 0, size 0: gone. */
  munmap(old, result, size) {
    this.#freed(old);
    if (BigInt(result) !== 0n) this.#allocated(result, size);
    return this.raw(OP.munmap, old, result, size);
  }

  free(old) {
    this.#freed(old);
    return this.raw(OP.free, old);
  }

  /** Bytes of the events alone. */
  eventBytes() {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** The whole trace; header fields default to what was built (COMPLETE set). */
  bytes(overrides = {}) {
    const head = header({
      program: this.program,
      pointerBytes: this.pointerBytes,
      eventCount: this.events,
      maxLiveBlocks: this.maxLiveBlocks,
      ...overrides,
      flags: overrides.flags ?? (overrides.complete === false ? 0 : 1),
    });
    const events = this.eventBytes();
    const out = new Uint8Array(head.length + events.length);
    out.set(head, 0);
    out.set(events, head.length);
    return out;
  }
}
