/* Grows well past the 64 MiB a WebAssembly module starts with, frees everything, then trim:
 * natively free() already returns most of it; WebAssembly stays at its high-water mark. With
 * batch_mib below total_mib the same total is allocated and freed in batches, one after the other,
 * so the high-water mark, and what WebAssembly keeps, is one batch. */
#include <stdio.h>

#include "engine/chunks.h"
#include "scenarios.h"

enum { P_TOTAL_MIB, P_CHUNK_KIB, P_BATCH_MIB };

#define HIGHWATER_TOTAL_MAX 2048

static const tl_param_def highwater_params[] = {
    {"total_mib", "MiB", "bytes allocated before everything is freed", TL_PARAM_INT, 200, 1,
     HIGHWATER_TOTAL_MAX, NULL},
    {"chunk_kib", "KiB", "size of each chunk", TL_PARAM_INT, 64, 4, 1024, NULL},
    /* The default is total_mib's maximum: one batch whatever the total. */
    {"batch_mib", "MiB", "batch size: the total allocated and freed batch by batch", TL_PARAM_INT,
     HIGHWATER_TOTAL_MAX, 1, HIGHWATER_TOTAL_MAX, NULL},
};

typedef struct highwater_state {
    tl_chunks chunks;      /* the batch in progress */
    uint64_t total_chunks; /* of the whole run */
    uint64_t batch_chunks; /* of every batch but perhaps the last */
    uint64_t done_chunks;  /* allocated and freed by the batches before */
    uint64_t batch, batches;
} highwater_state;

_Static_assert(sizeof(highwater_state) <= TL_STATE_MAX, "highwater state fits");

static uint64_t ceil_div(uint64_t a, uint64_t b) {
    return (a + b - 1) / b;
}

static uint64_t chunk_bytes(const tl_params *params) {
    return params->value[P_CHUNK_KIB] * TL_KIB;
}

static uint64_t total_chunks(const tl_params *params) {
    return ceil_div(params->value[P_TOTAL_MIB] * TL_MIB, chunk_bytes(params));
}

/* Whole chunks that fit in batch_mib (at least one: a chunk is at most 1 MiB); a batch at or
 * above the total is the total, so the default runs exactly as before batches existed. */
static uint64_t batch_chunks(const tl_params *params) {
    if (params->value[P_BATCH_MIB] >= params->value[P_TOTAL_MIB])
        return total_chunks(params);
    return params->value[P_BATCH_MIB] * TL_MIB / chunk_bytes(params);
}

static uint32_t highwater_max_steps(const tl_params *params, const void *input) {
    uint64_t per_batch = batch_chunks(params);
    (void)input;
    return (uint32_t)ceil_div(total_chunks(params), per_batch) * 2 *
           tl_chunks_batches(per_batch, chunk_bytes(params));
}

static int start_batch(highwater_state *s, tl_error *err) {
    uint64_t left = s->total_chunks - s->done_chunks;
    s->batch++;
    return tl_chunks_init(&s->chunks, left < s->batch_chunks ? left : s->batch_chunks,
                          s->chunks.size, err);
}

static int highwater_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    highwater_state *s = state;
    (void)input;
    s->total_chunks = total_chunks(params);
    s->batch_chunks = batch_chunks(params);
    s->done_chunks = s->batch = 0;
    s->batches = ceil_div(s->total_chunks, s->batch_chunks);
    s->chunks.ptrs = NULL;
    s->chunks.size = chunk_bytes(params);
    return start_batch(s, err);
}

/* One batch's allocate and free steps, labelled with the batch when there are several;
 * TL_STEP_DONE once it is all freed. */
static tl_step_result batch_step(highwater_state *s, tl_step_desc *desc, tl_error *err) {
    char prefix[48] = "";
    if (s->batches > 1)
        snprintf(prefix, sizeof prefix, "batch %llu/%llu: ", (unsigned long long)s->batch,
                 (unsigned long long)s->batches);
    tl_step_result status = tl_chunks_allocate_batch(&s->chunks, prefix, desc, err);
    if (status != TL_STEP_DONE)
        return status;
    return tl_chunks_free_batch(&s->chunks, prefix, desc);
}

static tl_step_result highwater_step(void *state, tl_step_desc *desc, tl_error *err) {
    highwater_state *s = state;
    for (;;) {
        tl_step_result status = batch_step(s, desc, err);
        if (status != TL_STEP_DONE || s->batch == s->batches)
            return status;
        s->done_chunks += s->chunks.count;
        tl_chunks_release(&s->chunks);
        if (start_batch(s, err) != TL_OK)
            return TL_STEP_FAILED;
    }
}

static void highwater_release(void *state) {
    highwater_state *s = state;
    tl_chunks_release(&s->chunks);
}

static void highwater_each_block(const void *state, tl_block_visit visit, void *context) {
    const highwater_state *s = state;
    tl_chunks_each(&s->chunks, visit, context);
}

const tl_scenario tl_scenario_highwater = {
    "highwater",
    "grows far past 64 MiB in small chunks (in batches of batch_mib), frees everything, then trim",
    {highwater_params, sizeof highwater_params / sizeof highwater_params[0]},
    highwater_max_steps,
    highwater_begin,
    highwater_step,
    highwater_release,
    NULL,
    highwater_each_block,
};
