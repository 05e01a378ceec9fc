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
} tl_memory;

typedef struct tl_trim_result {
    int called;   /* 0 when trim was disabled */
    int returned; /* malloc_trim's result: 1 = it released something by its own account */
} tl_trim_result;

/* Platform footprint only (no allocator walk): the cheap probe taken at every step. */
uint64_t tl_probe_footprint(uint64_t *rss_anon_bytes);
/* Footprint plus the allocator's figures. */
void tl_probe_memory(tl_memory *out);
/* Calls the allocator's trim unless `enabled` is 0. */
tl_trim_result tl_trim(int enabled);

const char *tl_platform_name(void);  /* "native" or "wasm" */
const char *tl_allocator_name(void); /* "glibc", "dlmalloc" or "emmalloc" */
/* The page size of the footprint figure: the OS page natively, the 64 KiB wasm page. */
uint64_t tl_page_bytes(void);

#endif
