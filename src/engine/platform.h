/* The platform layer: memory probes and trim. The only code that knows native from WebAssembly. */
#ifndef TL_PLATFORM_H
#define TL_PLATFORM_H

#include <stdint.h>

typedef struct tl_memory {
    /* What the platform holds for the process: resident set natively, linear memory in wasm. */
    uint64_t footprint_bytes;
    /* Native: anonymous resident pages (RssAnon), the part trim can change. 0 in wasm. */
    uint64_t rss_anon_bytes;
    /* WebAssembly: sbrk(0), the end of the heap the allocator claimed. 0 natively. */
    uint64_t sbrk_bytes;
    /* The allocator's own view: bytes handed out, and free bytes it keeps. */
    uint64_t in_use_bytes;
    uint64_t allocator_free_bytes;
    /* The kernel's resident bytes of the program's memory and the RSS of the process hosting it
     * (docs/results-format.md): natively RssAnon and VmRSS again, from the same reading; in
     * WebAssembly TL_NOT_READ, as only the embedder can read them (the wrapper, in Node). */
    uint64_t resident_bytes;
    uint64_t host_rss_bytes;
} tl_memory;

/* A figure of tl_memory that was not read. */
#define TL_NOT_READ UINT64_MAX

/* Where a run ran, as a results document's run says it: the host's name ("native", "node",
 * "chromium", "firefox"), its version, and how resident_bytes was read ("rss_anon", "smaps",
 * "none"). */
typedef struct tl_host {
    const char *name;
    const char *version;
    const char *resident;
} tl_host;

typedef struct tl_trim_result {
    int called;   /* 0 when trim was disabled */
    int returned; /* malloc_trim's result: 1 = it released something by its own account */
} tl_trim_result;

/* Platform footprint only (no allocator walk): the cheap probe taken at every step. */
uint64_t tl_probe_footprint(uint64_t *rss_anon_bytes);
/* Natively only: the footprint (VmRSS) and RssAnon in a /proc/PID/statm open on `fd`, read from
 * its start; 0 when it cannot be read (a process that has exited reads 0 too). */
uint64_t tl_probe_statm(int fd, uint64_t *rss_anon_bytes);
/* Footprint plus the allocator's figures, which it reads by walking the heap: dlmalloc's mallinfo
 * visits every chunk, glibc's mallinfo2 and emmalloc's count their free lists. */
void tl_probe_memory(tl_memory *out);
/* The heap walks made so far (every tl_probe_memory): lets a test see that a run walks a bounded
 * number of times, not once per sample. */
uint64_t tl_heap_walks(void);

/* What the allocator's in-use figure counts for a live block (its usable size plus its chunk
 * header), where that figure moves by exactly this at every allocation and free: dlmalloc. 0
 * elsewhere (glibc counts the chunks its tcache keeps after free() as in use; emmalloc's figure
 * depends on how its free regions split), where tl_probe_memory_known walks. O(1). */
uint64_t tl_block_bytes(void *block);
/* tl_probe_memory for a caller that knows the in-use figure (the figure of its last walk moved by
 * the tl_block_bytes it allocated and freed since): dlmalloc then needs no walk, its free figure
 * being its footprint (an O(1) counter) less that. Elsewhere it walks and ignores the figure. */
void tl_probe_memory_known(tl_memory *out, uint64_t in_use_bytes);
/* Calls the allocator's trim unless `enabled` is 0. */
tl_trim_result tl_trim(int enabled);

/* The highest end of the heap sbrk gave so far (WebAssembly: every sample notes it, so a trim
 * that lowers sbrk does not lower it); natively sbrk(0) now. */
uint64_t tl_sbrk_high_water(void);

const char *tl_platform_name(void); /* "native" or "wasm" */
/* Natively {"native", the kernel release (uname), "rss_anon"}; NULL in WebAssembly, where the
 * embedder says which host it is. */
const tl_host *tl_platform_host(void);
const char *tl_allocator_name(void); /* "glibc", "dlmalloc" or "emmalloc" */
/* The page size of the footprint figure: the OS page natively, the 64 KiB wasm page. */
uint64_t tl_page_bytes(void);

/* A program's own anonymous mapping of `size` bytes, as its platform serves one: natively a
 * mapping of its own (mmap), in WebAssembly a block of the allocator's, as Emscripten's mmap
 * makes it. NULL when it cannot be made. Its pages are not written. */
void *tl_map(uint64_t size);
void tl_unmap(void *block, uint64_t size);
/* What is left of the mapping `block` of `size` bytes after a partial munmap: `keep` bytes from
 * `from` on. Natively the rest is unmapped; Emscripten refuses a partial munmap, so in
 * WebAssembly the block stays whole. Returns where the kept part starts. */
void *tl_map_keep(void *block, uint64_t size, uint64_t from, uint64_t keep);
/* The mapping made larger (mremap), moved if need be; NULL when it cannot grow (block is kept). */
void *tl_map_grow(void *block, uint64_t size, uint64_t new_size);

#endif
