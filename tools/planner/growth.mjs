// @ts-check
// Emscripten's linear-memory growth rule, and the facts a built module carries that decide how it
// grows: its initial and maximum memory (the binary's memory section), where its heap starts (the
// binary's stack pointer: Emscripten lays out static data, then the stack, then the heap) and its
// growth step (the glue's emscripten_resize_heap). The planner predicts a module's linear memory
// from a heap curve with these (tools/planner/accuracy.mjs, tools/trace-report.mjs).

/** The WebAssembly page: memory grows in whole pages. */
export const WASM_PAGE = 65536;

/**
 * @typedef {{geometricStep: number, geometricCapBytes: number, linearStepBytes: number}} GrowthRule
 *   Emscripten's MEMORY_GROWTH_GEOMETRIC_STEP, MEMORY_GROWTH_GEOMETRIC_CAP (0: none) and
 *   MEMORY_GROWTH_LINEAR_STEP (0: geometric growth).
 * @typedef {{initialBytes: number, maximumBytes: number, heapBaseBytes: number, rule: GrowthRule}}
 *   ModuleFacts
 */

const alignUp = (/** @type {number} */ x) => Math.ceil(x / WASM_PAGE) * WASM_PAGE;

/**
 * The size one emscripten_resize_heap(requested) grows memory of `oldSize` to (its first
 * attempt, which succeeds unless the engine refuses the memory), or null when `requested` is
 * above the maximum: then sbrk fails and malloc returns NULL.
 * @param {number} oldSize @param {number} requested @param {GrowthRule} rule @param {number} maximum
 */
export function grownSize(oldSize, requested, rule, maximum) {
  if (requested > maximum) return null;
  const over = rule.linearStepBytes
    ? oldSize + rule.linearStepBytes
    : Math.min(
        oldSize * (1 + rule.geometricStep),
        rule.geometricCapBytes ? requested + rule.geometricCapBytes : Infinity,
      );
  return Math.min(maximum, alignUp(Math.max(requested, over)));
}

/**
 * Linear memory along a heap curve: `ends[i]` is where the heap ends (sbrk) at sample i. Memory
 * starts at the initial size and grows once at each sample whose heap end passes it (a step
 * allocates at most a few MiB, so one growth a sample; a single larger block asks for its own
 * size, which one growth gives too). `failedAt` is the first sample whose heap end is above
 * the maximum (memory stops there), else null.
 * @param {number[]} ends @param {ModuleFacts} facts
 * @returns {{sizes: number[], failedAt: number|null}}
 */
export function memoryCurve(ends, facts) {
  let size = facts.initialBytes;
  /** @type {number[]} */
  const sizes = [];
  for (let i = 0; i < ends.length; i++) {
    if (ends[i] > size) {
      const grown = grownSize(size, ends[i], facts.rule, facts.maximumBytes);
      if (grown === null) return { sizes, failedAt: i };
      size = grown;
    }
    sizes.push(size);
  }
  return { sizes, failedAt: null };
}

// ---- reading a module's facts ----

/** An unsigned LEB128 at `at`: [value, next offset]. @param {Uint8Array} bytes @param {number} at */
function uleb(bytes, at) {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (!(byte & 0x80)) return [value, at];
  }
}

/** A signed LEB128 i32 at `at`: [value, next offset]. @param {Uint8Array} bytes @param {number} at */
function sleb32(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 32 && byte & 0x40) value |= -1 << shift;
  return [value, at];
}

/** The sections of a module: id → [start, end) of its contents. @param {Uint8Array} bytes */
function sections(bytes) {
  /** @type {Map<number, [number, number]>} */
  const found = new Map();
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, start] = uleb(bytes, at + 1);
    found.set(id, [start, start + size]);
    at = start + size;
  }
  return found;
}

const MEMORY_SECTION = 5;
const GLOBAL_SECTION = 6;

/** The module's own memory: initial and maximum bytes. @param {Uint8Array} bytes */
function memoryLimits(bytes, /** @type {Map<number, [number, number]>} */ found) {
  const range = found.get(MEMORY_SECTION);
  if (!range) throw new Error('the module defines no memory of its own (an imported memory)');
  let [count, at] = uleb(bytes, range[0]);
  if (count !== 1) throw new Error(`the module defines ${count} memories, not one`);
  const flags = bytes[at++];
  const [minimum, next] = uleb(bytes, at);
  const maximum = flags & 1 ? uleb(bytes, next)[0] : 65536;
  return { initialBytes: minimum * WASM_PAGE, maximumBytes: maximum * WASM_PAGE };
}

/** The first global, Emscripten's __stack_pointer: a mutable i32 set to the top of the stack,
 *  which is where the heap begins (static data, stack, heap). @param {Uint8Array} bytes */
function stackTop(bytes, /** @type {Map<number, [number, number]>} */ found) {
  const range = found.get(GLOBAL_SECTION);
  const I32 = 0x7f;
  const I32_CONST = 0x41;
  if (range) {
    const at = uleb(bytes, range[0])[1];
    if (bytes[at] === I32 && bytes[at + 1] === 1 && bytes[at + 2] === I32_CONST)
      return sleb32(bytes, at + 3)[0] >>> 0;
  }
  throw new Error('the module has no mutable i32 global set by a constant first (a stack pointer)');
}

/**
 * The growth step of the glue's emscripten_resize_heap, in any of its minified forms:
 * `X=old*(1+.2/cut);X=Math.min(X,requested+100663296)` (geometric, capped) or
 * `X=old+N/cut` (linear).
 * @param {string} glue @returns {GrowthRule}
 */
export function growthRuleOf(glue) {
  const geometric = /(\w+)=\w+\*\(1\+(\d*\.?\d+)\/\w+\);\s*(?:\1=Math\.min\(\1,\w+\+(\d+)\))?/.exec(
    glue,
  );
  if (geometric)
    return {
      geometricStep: Number(geometric[2]),
      geometricCapBytes: Number(geometric[3] ?? 0),
      linearStepBytes: 0,
    };
  const linear = /(\w+)=\w+\+(\d+)\/\w+;\s*\w+=Math\.min\(/.exec(glue);
  if (linear) return { geometricStep: 0, geometricCapBytes: 0, linearStepBytes: Number(linear[2]) };
  throw new Error("the glue's emscripten_resize_heap was not found (no growth step)");
}

/**
 * A built module's facts from its binary and its glue.
 * @param {Uint8Array} wasm @param {string} glue @returns {ModuleFacts}
 */
export function moduleFacts(wasm, glue) {
  const found = sections(wasm);
  return {
    ...memoryLimits(wasm, found),
    heapBaseBytes: stackTop(wasm, found),
    rule: growthRuleOf(glue),
  };
}
