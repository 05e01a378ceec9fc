/* One block's life in steps: malloc, fill TL_STEP_BYTES at a time, free. Shared by the
 * scenarios made of single large blocks (simple, vector, cycles). */
#ifndef TL_BLOCK_H
#define TL_BLOCK_H

#include <stdint.h>

#include "scenario.h"

enum tl_fill { TL_FILL_TOUCH_PAGES, TL_FILL_SLOTS };

typedef struct tl_block {
    unsigned char *data;
    uint64_t size;
    uint64_t filled;
    enum tl_fill fill;
    int freed;
} tl_block;

void tl_block_init(tl_block *block, uint64_t size, enum tl_fill fill);
/* One step of the block's life; labels start with `prefix`. TL_STEP_DONE once it was freed,
 * TL_STEP_FAILED with err when its malloc fails. */
tl_step_result tl_block_step(tl_block *block, const char *prefix, tl_step_desc *desc,
                             tl_error *err);
void tl_block_release(tl_block *block);
/* The block, while it is allocated, to `visit`. */
void tl_block_each(const tl_block *block, tl_block_visit visit, void *context);
/* Steps one block takes: malloc, the fill steps, free. */
uint32_t tl_block_steps(uint64_t size);
/* "50.00 MiB" */
void tl_format_mib(uint64_t bytes, char *buf, unsigned size);

#endif
