#include "chunks.h"

#include <stdio.h>
#include <stdlib.h>

#include "block.h"
#include "touch.h"

static uint64_t per_batch(uint64_t size) {
    return size >= TL_STEP_BYTES ? 1 : TL_STEP_BYTES / size;
}

uint32_t tl_chunks_batches(uint64_t count, uint64_t size) {
    return (uint32_t)((count + per_batch(size) - 1) / per_batch(size));
}

int tl_chunks_init(tl_chunks *chunks, uint64_t count, uint64_t size, tl_error *err) {
    chunks->ptrs = calloc((size_t)count, sizeof *chunks->ptrs);
    chunks->count = count;
    chunks->size = size;
    chunks->allocated = chunks->freed = chunks->keep_every = 0;
    if (chunks->ptrs == NULL)
        return tl_fail(err, TL_ERR_OOM, "no memory for a table of %llu chunk pointers",
                       (unsigned long long)count);
    return TL_OK;
}

static uint64_t batch_end(const tl_chunks *chunks, uint64_t first) {
    uint64_t end = first + per_batch(chunks->size);
    return end < chunks->count ? end : chunks->count;
}

tl_step_result tl_chunks_allocate_batch(tl_chunks *chunks, const char *prefix, tl_step_desc *desc,
                                        tl_error *err) {
    uint64_t first = chunks->allocated, end = batch_end(chunks, first);
    if (first == chunks->count)
        return TL_STEP_DONE;
    for (uint64_t i = first; i < end; i++) {
        unsigned char *chunk = malloc((size_t)chunks->size);
        if (chunk == NULL) {
            char held[32];
            tl_format_mib(chunks->allocated * chunks->size, held, sizeof held);
            tl_fail(err, TL_ERR_OOM,
                    "%smalloc of %llu bytes failed at chunk %llu of %llu with %s held: out of "
                    "memory",
                    prefix, (unsigned long long)chunks->size, (unsigned long long)i + 1,
                    (unsigned long long)chunks->count, held);
            return TL_STEP_FAILED;
        }
        tl_touch_pages(chunk, (size_t)chunks->size);
        chunks->ptrs[i] = chunk;
        chunks->allocated = i + 1;
    }
    desc->phase = TL_PHASE_ALLOCATE;
    snprintf(desc->label, sizeof desc->label, "%smalloc+touch chunks %llu-%llu of %llu", prefix,
             (unsigned long long)first + 1, (unsigned long long)end,
             (unsigned long long)chunks->count);
    return TL_STEP_MORE;
}

static int kept(const tl_chunks *chunks, uint64_t i) {
    return chunks->keep_every != 0 && (i + 1) % chunks->keep_every == 0;
}

tl_step_result tl_chunks_free_batch(tl_chunks *chunks, const char *prefix, tl_step_desc *desc) {
    uint64_t first = chunks->freed, end = batch_end(chunks, first);
    if (first == chunks->allocated)
        return TL_STEP_DONE;
    if (end > chunks->allocated)
        end = chunks->allocated;
    for (uint64_t i = first; i < end; i++) {
        if (kept(chunks, i))
            continue;
        free(chunks->ptrs[i]);
        chunks->ptrs[i] = NULL;
    }
    chunks->freed = end;
    desc->phase = TL_PHASE_FREE;
    char keeping[48] = "";
    if (chunks->keep_every > 1)
        snprintf(keeping, sizeof keeping, ", every %lluth kept",
                 (unsigned long long)chunks->keep_every);
    else if (chunks->keep_every == 1)
        snprintf(keeping, sizeof keeping, ", all kept");
    snprintf(desc->label, sizeof desc->label, "%sfree chunks %llu-%llu of %llu%s", prefix,
             (unsigned long long)first + 1, (unsigned long long)end,
             (unsigned long long)chunks->count, keeping);
    return TL_STEP_MORE;
}

void tl_chunks_each(const tl_chunks *chunks, tl_block_visit visit, void *context) {
    if (chunks->ptrs == NULL)
        return;
    for (uint64_t i = 0; i < chunks->allocated; i++)
        if (chunks->ptrs[i] != NULL)
            visit(context, chunks->ptrs[i], chunks->size);
    visit(context, chunks->ptrs, chunks->count * sizeof *chunks->ptrs);
}

void tl_chunks_release(tl_chunks *chunks) {
    /* Freed chunks are NULL in the table: free(NULL) does nothing. */
    if (chunks->ptrs != NULL)
        for (uint64_t i = 0; i < chunks->allocated; i++)
            free(chunks->ptrs[i]);
    free(chunks->ptrs);
    chunks->ptrs = NULL;
    chunks->allocated = chunks->freed = 0;
}
