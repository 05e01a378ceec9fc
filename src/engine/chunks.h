/* Many equal chunks allocated and freed in batches of at most TL_STEP_BYTES per step. Shared by
 * the scenarios made of small chunks (fragmented, highwater). */
#ifndef TL_CHUNKS_H
#define TL_CHUNKS_H

#include <stdint.h>

#include "scenario.h"

typedef struct tl_chunks {
    unsigned char **ptrs;
    uint64_t count;
    uint64_t size;
    uint64_t allocated;  /* chunks [0, allocated) were allocated */
    uint64_t freed;      /* chunks [0, freed) were freed again, but those kept */
    uint64_t keep_every; /* 0: none kept; N: every Nth chunk stays live until released */
} tl_chunks;

/* Allocates the pointer table only; no chunk is kept (set keep_every after). */
int tl_chunks_init(tl_chunks *chunks, uint64_t count, uint64_t size, tl_error *err);
/* Allocates and touches the next batch; TL_STEP_DONE (doing nothing) once all are allocated,
 * TL_STEP_FAILED with err when a malloc fails. Labels and messages start with `prefix`. */
tl_step_result tl_chunks_allocate_batch(tl_chunks *chunks, const char *prefix, tl_step_desc *desc,
                                        tl_error *err);
/* Frees the next batch, oldest first; TL_STEP_DONE (doing nothing) once all are freed. */
tl_step_result tl_chunks_free_batch(tl_chunks *chunks, const char *prefix, tl_step_desc *desc);
/* The chunks held and the pointer table, to `visit`. */
void tl_chunks_each(const tl_chunks *chunks, tl_block_visit visit, void *context);
/* Frees every chunk still held and the pointer table. */
void tl_chunks_release(tl_chunks *chunks);
/* Steps to allocate (or to free) all of them. */
uint32_t tl_chunks_batches(uint64_t count, uint64_t size);

#endif
