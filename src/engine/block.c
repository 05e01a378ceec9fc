#include "block.h"

#include <stdio.h>
#include <stdlib.h>

#include "touch.h"

void tl_block_init(tl_block *block, uint64_t size, enum tl_fill fill) {
    block->data = NULL;
    block->size = size;
    block->filled = 0;
    block->fill = fill;
    block->freed = 0;
}

uint32_t tl_block_steps(uint64_t size) {
    return (uint32_t)(2 + (size + TL_STEP_BYTES - 1) / TL_STEP_BYTES);
}

void tl_format_mib(uint64_t bytes, char *buf, unsigned size) {
    snprintf(buf, size, "%.2f MiB", (double)bytes / (double)TL_MIB);
}

static void fill_next(tl_block *block) {
    uint64_t length = block->size - block->filled;
    if (length > TL_STEP_BYTES)
        length = TL_STEP_BYTES;
    if (block->fill == TL_FILL_SLOTS)
        tl_fill_slots((uint64_t *)(void *)(block->data + block->filled),
                      (size_t)(block->filled / sizeof(uint64_t)),
                      (size_t)(length / sizeof(uint64_t)));
    else
        tl_touch_pages(block->data + block->filled, (size_t)length);
    block->filled += length;
}

tl_step_result tl_block_step(tl_block *block, const char *prefix, tl_step_desc *desc,
                             tl_error *err) {
    char total[32], done[32];
    tl_format_mib(block->size, total, sizeof total);
    if (block->freed)
        return TL_STEP_DONE;
    if (block->data == NULL) {
        block->data = malloc((size_t)block->size);
        if (block->data == NULL) {
            tl_fail(err, TL_ERR_OOM, "%smalloc of %s failed: out of memory", prefix, total);
            return TL_STEP_FAILED;
        }
        desc->phase = TL_PHASE_ALLOCATE;
        snprintf(desc->label, sizeof desc->label, "%smalloc %s", prefix, total);
        return TL_STEP_MORE;
    }
    if (block->filled < block->size) {
        fill_next(block);
        tl_format_mib(block->filled, done, sizeof done);
        desc->phase = TL_PHASE_FILL;
        snprintf(desc->label, sizeof desc->label, "%s%s %s of %s", prefix,
                 block->fill == TL_FILL_SLOTS ? "fill" : "touch", done, total);
        return TL_STEP_MORE;
    }
    tl_block_release(block);
    desc->phase = TL_PHASE_FREE;
    snprintf(desc->label, sizeof desc->label, "%sfree %s", prefix, total);
    return TL_STEP_MORE;
}

void tl_block_release(tl_block *block) {
    free(block->data);
    block->data = NULL;
    block->freed = 1;
}

void tl_block_each(const tl_block *block, tl_block_visit visit, void *context) {
    if (block->data != NULL)
        visit(context, block->data, block->size);
}
