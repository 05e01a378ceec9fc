#include "figures.h"

#include <string.h>

static uint64_t rss_anon(const tl_memory *memory) {
    return memory->rss_anon_bytes;
}

static uint64_t sbrk_end(const tl_memory *memory) {
    return memory->sbrk_bytes;
}

static const tl_figures native = {"RSS MiB",       9, "anon MiB", "rss_anon_bytes",
                                  "an RSS figure", 0, 0,          rss_anon};
static const tl_figures wasm = {"memory MiB",      10, "sbrk MiB", "sbrk_bytes",
                                "a memory figure", 1,  1,          sbrk_end};

const tl_figures *tl_figures_here(void) {
    return strcmp(tl_platform_name(), "wasm") == 0 ? &wasm : &native;
}
