/* How the reports name this platform's memory figures: natively the resident set and its
 * anonymous part, in WebAssembly linear memory and the end of the heap (sbrk). The table and the
 * results JSON take their words from here, so each is written once for both platforms. */
#ifndef TL_FIGURES_H
#define TL_FIGURES_H

#include <stdint.h>

#include "engine/platform.h"

typedef struct tl_figures {
    const char *footprint_title; /* the table's column of footprint_bytes, and its width */
    int footprint_width;
    const char *second_title; /* the table's column of the second figure */
    const char *second_key;   /* the second figure's name in a results document's samples */
    const char *trim_note;    /* what malloc_trim's return value is not */
    int names_allocator;      /* the table's head names the platform and the allocator */
    /* The table has the embedder's columns: the module's resident memory and the host's RSS
     * (natively they are the table's RSS and anon columns already). */
    int embedder_columns;
    uint64_t (*second)(const tl_memory *memory);
} tl_figures;

const tl_figures *tl_figures_here(void);

#endif
