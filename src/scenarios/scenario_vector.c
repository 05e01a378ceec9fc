/* Test 2 of the reference measurement (docs/reference-measurement.md): a robin_set-like vector:
 * reserve the slots, fill them, destroy, then trim. */
#include <stdint.h>

#include "engine/block.h"
#include "scenarios.h"

enum { P_SLOTS };

static const tl_param_def vector_params[] = {
    {"slots", "count", "8-byte slots reserved and filled", TL_PARAM_INT, 2000000, 1, 67108864,
     NULL},
};

static uint64_t vector_bytes(const tl_params *params) {
    return params->value[P_SLOTS] * sizeof(uint64_t);
}

static uint32_t vector_max_steps(const tl_params *params, const void *input) {
    (void)input;
    return tl_block_steps(vector_bytes(params));
}

static int vector_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    (void)input;
    (void)err;
    tl_block_init(state, vector_bytes(params), TL_FILL_SLOTS);
    return TL_OK;
}

static tl_step_result vector_step(void *state, tl_step_desc *desc, tl_error *err) {
    return tl_block_step(state, "vector: ", desc, err);
}

static void vector_release(void *state) {
    tl_block_release(state);
}

static void vector_each_block(const void *state, tl_block_visit visit, void *context) {
    tl_block_each(state, visit, context);
}

const tl_scenario tl_scenario_vector = {
    "vector",
    "Test 2 of the reference measurement: reserve 8-byte slots like a robin_set, fill them, "
    "destroy, then trim",
    {vector_params, sizeof vector_params / sizeof vector_params[0]},
    vector_max_steps,
    vector_begin,
    vector_step,
    vector_release,
    NULL,
    vector_each_block,
};
