/* Many small chunks (below glibc's 128 KiB mmap threshold), one live chunk pinned above them,
 * all others freed, then trim: free() cannot lower brk past the pinned chunk, but malloc_trim
 * also releases whole free pages inside the heap. With keep_every N, every Nth chunk stays live
 * too, so live blocks pin memory between the free runs: the memory map tells the free space on
 * pages that hold live data (fragmentation, kept even natively) from whole free pages
 * (retention: what trim can give back natively). */
#include <stdio.h>
#include <stdlib.h>

#include "engine/chunks.h"
#include "engine/touch.h"
#include "scenarios.h"

enum { P_CHUNKS, P_CHUNK_KIB, P_KEEP_EVERY };

static const tl_param_def fragmented_params[] = {
    {"chunks", "count", "small chunks allocated, then freed", TL_PARAM_INT, 2560, 16, 32768, NULL},
    {"chunk_kib", "KiB", "size of each chunk (under 128 KiB)", TL_PARAM_INT, 4, 1, 127, NULL},
    {"keep_every", "count", "every Nth chunk stays live (0: none, only the pinned one)",
     TL_PARAM_INT, 0, 0, 32768, NULL},
};

typedef struct fragmented_state {
    tl_chunks chunks;
    unsigned char *pinned;
    int pin_done;
} fragmented_state;

_Static_assert(sizeof(fragmented_state) <= TL_STATE_MAX, "fragmented state fits");

static uint32_t fragmented_max_steps(const tl_params *params, const void *input) {
    (void)input;
    return 2 * tl_chunks_batches(params->value[P_CHUNKS], params->value[P_CHUNK_KIB] * TL_KIB) + 1;
}

static int fragmented_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    fragmented_state *s = state;
    (void)input;
    s->pinned = NULL;
    s->pin_done = 0;
    int status = tl_chunks_init(&s->chunks, params->value[P_CHUNKS],
                                params->value[P_CHUNK_KIB] * TL_KIB, err);
    s->chunks.keep_every = params->value[P_KEEP_EVERY];
    return status;
}

static tl_step_result pin_chunk(fragmented_state *s, tl_step_desc *desc, tl_error *err) {
    s->pinned = malloc((size_t)s->chunks.size);
    if (s->pinned == NULL) {
        tl_fail(err, TL_ERR_OOM, "malloc of the pinned chunk failed: out of memory");
        return TL_STEP_FAILED;
    }
    tl_touch_pages(s->pinned, (size_t)s->chunks.size);
    s->pin_done = 1;
    desc->phase = TL_PHASE_ALLOCATE;
    snprintf(desc->label, sizeof desc->label, "pin one live chunk above them");
    return TL_STEP_MORE;
}

static tl_step_result fragmented_step(void *state, tl_step_desc *desc, tl_error *err) {
    fragmented_state *s = state;
    tl_step_result status = tl_chunks_allocate_batch(&s->chunks, "", desc, err);
    if (status != TL_STEP_DONE)
        return status;
    if (!s->pin_done)
        return pin_chunk(s, desc, err);
    return tl_chunks_free_batch(&s->chunks, "", desc);
}

static void fragmented_release(void *state) {
    fragmented_state *s = state;
    tl_chunks_release(&s->chunks);
    free(s->pinned);
    s->pinned = NULL;
}

static void fragmented_each_block(const void *state, tl_block_visit visit, void *context) {
    const fragmented_state *s = state;
    tl_chunks_each(&s->chunks, visit, context);
    if (s->pinned != NULL)
        visit(context, s->pinned, s->chunks.size);
}

const tl_scenario tl_scenario_fragmented = {
    "fragmented",
    "small chunks, one live chunk pinned above them, the rest freed, then trim",
    {fragmented_params, sizeof fragmented_params / sizeof fragmented_params[0]},
    fragmented_max_steps,
    fragmented_begin,
    fragmented_step,
    fragmented_release,
    NULL,
    fragmented_each_block,
};
