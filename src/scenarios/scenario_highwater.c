/* Grows well past the 64 MiB a WebAssembly module starts with, frees everything, then trim:
 * natively free() already returns most of it; WebAssembly stays at its high-water mark. */
#include "engine/chunks.h"
#include "scenarios.h"

enum { P_TOTAL_MIB, P_CHUNK_KIB };

static const tl_param_def highwater_params[] = {
    {"total_mib", "MiB", "bytes allocated before everything is freed", TL_PARAM_INT, 200, 1, 2048,
     NULL},
    {"chunk_kib", "KiB", "size of each chunk", TL_PARAM_INT, 64, 4, 1024, NULL},
};

static uint64_t chunk_count(const tl_params *params) {
    uint64_t chunk = params->value[P_CHUNK_KIB] * TL_KIB;
    return (params->value[P_TOTAL_MIB] * TL_MIB + chunk - 1) / chunk;
}

static uint32_t highwater_max_steps(const tl_params *params, const void *input) {
    (void)input;
    return 2 * tl_chunks_batches(chunk_count(params), params->value[P_CHUNK_KIB] * TL_KIB);
}

static int highwater_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    (void)input;
    return tl_chunks_init(state, chunk_count(params), params->value[P_CHUNK_KIB] * TL_KIB, err);
}

static tl_step_result highwater_step(void *state, tl_step_desc *desc, tl_error *err) {
    tl_step_result status = tl_chunks_allocate_batch(state, desc, err);
    if (status != TL_STEP_DONE)
        return status;
    return tl_chunks_free_batch(state, desc);
}

static void highwater_release(void *state) {
    tl_chunks_release(state);
}

_Static_assert(sizeof(tl_chunks) <= TL_STATE_MAX, "highwater state fits");

const tl_scenario tl_scenario_highwater = {
    "highwater",
    "grows far past 64 MiB in small chunks, frees everything, then trim",
    {highwater_params, sizeof highwater_params / sizeof highwater_params[0]},
    highwater_max_steps,
    highwater_begin,
    highwater_step,
    highwater_release,
    NULL,
};
