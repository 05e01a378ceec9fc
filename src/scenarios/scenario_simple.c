/* Test 1 of the reference measurement (docs/reference-measurement.md): one large block, touched,
 * freed, then trim. */
#include "engine/block.h"
#include "scenarios.h"

enum { P_BLOCK_MIB };

static const tl_param_def simple_params[] = {
    {"block_mib", "MiB", "size of the one block", TL_PARAM_INT, 50, 1, 1024, NULL},
};

static uint32_t simple_max_steps(const tl_params *params, const void *input) {
    (void)input;
    return tl_block_steps(params->value[P_BLOCK_MIB] * TL_MIB);
}

static int simple_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    (void)input;
    (void)err;
    tl_block_init(state, params->value[P_BLOCK_MIB] * TL_MIB, TL_FILL_TOUCH_PAGES);
    return TL_OK;
}

static tl_step_result simple_step(void *state, tl_step_desc *desc, tl_error *err) {
    return tl_block_step(state, "", desc, err);
}

static void simple_release(void *state) {
    tl_block_release(state);
}

_Static_assert(sizeof(tl_block) <= TL_STATE_MAX, "simple state fits");

static void simple_each_block(const void *state, tl_block_visit visit, void *context) {
    tl_block_each(state, visit, context);
}

const tl_scenario tl_scenario_simple = {
    "simple",
    "Test 1 of the reference measurement: one large block, touched page by page, freed, then trim",
    {simple_params, sizeof simple_params / sizeof simple_params[0]},
    simple_max_steps,
    simple_begin,
    simple_step,
    simple_release,
    NULL,
    simple_each_block,
};
