// What presenter mode says: it runs `cycles` then `highwater`, a slide for each phase. The
// captions are keyed by phase and by which start of that phase it is (cycles repeats
// allocate/fill/free five times; only the first and second free differ). Pure data and one
// small tracker; app.js drives the runs, web/presenter.js the slides.

export const PRESENTED = ['cycles', 'highwater'];

const TRIM_IN_WASM = {
  dlmalloc:
    'In WebAssembly, dlmalloc\u2019s malloc_trim(0) returns 0 and changes nothing: ' +
    'Emscripten builds it with MORECORE_CANNOT_TRIM.',
  emmalloc:
    'In WebAssembly, emmalloc\u2019s malloc_trim(0) returns 1, yet linear memory does ' +
    'not move: in Emscripten 3.1.6 its trim only rewrites emmalloc\u2019s own bookkeeping.',
};

/** [scenario][phase] → [caption for the 1st start of that phase, the 2nd, …]; the last one
 *  stays for later starts. A function gets the allocator. */
const CAPTIONS = {
  cycles: {
    baseline: [
      'cycles allocates a 10 MiB block, touches it and frees it, five times, then ' +
        'calls malloc_trim(0). Native RSS starts near 1 MiB; the WebAssembly module starts with ' +
        '64 MiB of linear memory reserved up front.',
    ],
    allocate: [
      'Cycle 1: malloc(10 MiB). Natively this block is mmapped (it is over glibc\u2019s ' +
        '128 KiB mmap threshold); in WebAssembly it comes from the heap inside linear memory.',
    ],
    fill: [
      'The block is touched 4 MiB at a time: native RSS follows the touched pages; the ' +
        'bytes in use already count all 10 MiB.',
    ],
    free: [
      'Cycle 1 free(): glibc unmaps the block at once, so native RSS drops, and raises its mmap ' +
        'threshold. In WebAssembly the block becomes a free chunk: bytes in use drop, the heap ' +
        'end (sbrk) stays.',
      'From cycle 2 the block comes from glibc\u2019s heap and stays there after free(): without ' +
        'trim, native RSS now behaves like WebAssembly. Each cycle reuses the same cached memory.',
    ],
    trim: [
      (allocator) =>
        'malloc_trim(0): glibc hands its 10 MiB heap cache back to the ' +
        `kernel, so RSS with trim drops; without trim it stays. ${TRIM_IN_WASM[allocator]}`,
    ],
    final: [
      'End of cycles: native with trim is back near its start; native without trim and ' +
        'WebAssembly both keep the cache, which the next run in the same module would reuse.',
    ],
  },
  highwater: {
    baseline: [
      'highwater allocates 200 MiB in 64 KiB chunks, far past the module\u2019s 64 MiB, ' +
        'then frees everything and calls malloc_trim(0).',
    ],
    allocate: [
      'The heap outgrows 64 MiB: Emscripten grows linear memory (memory.grow) by about ' +
        '20 % each time it runs out. Natively RSS follows the touched chunks.',
    ],
    free: [
      'Everything is freed, chunk by chunk. Once the top of its heap is free, glibc\u2019s ' +
        'free() returns it to the kernel on its own, so native RSS falls with or without trim. ' +
        'WebAssembly has no way to shrink memory: linear memory stays at its high-water mark.',
    ],
    trim: [
      (allocator) =>
        'malloc_trim(0) has little left to do natively. ' +
        `${TRIM_IN_WASM[allocator]} There is no memory.shrink to call.`,
    ],
    final: [
      'End of highwater: the module keeps its grown linear memory for the rest of its ' +
        'life, about 200 MiB of it as a free cache; it comes back only when the whole instance ' +
        'is garbage-collected. Natively, even with trim disabled, almost nothing is left.',
    ],
  },
};

/** Follows one run's samples and says when a new caption is due. */
export class CaptionTracker {
  #starts = {};
  #last = null;

  constructor(scenario, allocator) {
    this.scenario = scenario;
    this.allocator = allocator;
  }

  /** The caption text if `sample` starts a phase that brings a new caption, else null. */
  next(sample) {
    if (sample.phase === this.#last) return null;
    this.#last = sample.phase;
    const list = CAPTIONS[this.scenario]?.[sample.phase];
    if (!list) return null;
    const count = (this.#starts[sample.phase] = (this.#starts[sample.phase] ?? 0) + 1);
    if (count > list.length) return null; // later starts keep the caption already shown
    const caption = list[count - 1];
    return typeof caption === 'function' ? caption(this.allocator) : caption;
  }
}
