/* Test 3 of the reference measurement (docs/reference-measurement.md): repeated cycles of one block
 * allocated, touched and freed; trim at the end. */
#include <stdio.h>

#include "engine/block.h"
#include "scenarios.h"

enum { P_CYCLES, P_BLOCK_MIB };

static const tl_param_def cycles_params[] = {
    {"cycles", "count", "allocate/touch/free cycles", TL_PARAM_INT, 5, 1, 100, NULL},
    {"block_mib", "MiB", "size of the block in each cycle", TL_PARAM_INT, 10, 1, 1024, NULL},
};

typedef struct cycles_state {
    tl_block block;
    uint64_t cycles;
    uint64_t current; /* 1-based cycle in progress */
} cycles_state;

_Static_assert(sizeof(cycles_state) <= TL_STATE_MAX, "cycles state fits");

static uint32_t cycles_max_steps(const tl_params *params, const void *input) {
    (void)input;
    return (uint32_t)params->value[P_CYCLES] * tl_block_steps(params->value[P_BLOCK_MIB] * TL_MIB);
}

static int cycles_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    cycles_state *s = state;
    (void)input;
    (void)err;
    s->cycles = params->value[P_CYCLES];
    s->current = 1;
    tl_block_init(&s->block, params->value[P_BLOCK_MIB] * TL_MIB, TL_FILL_TOUCH_PAGES);
    return TL_OK;
}

static tl_step_result cycles_step(void *state, tl_step_desc *desc, tl_error *err) {
    cycles_state *s = state;
    char prefix[32];
    for (;;) {
        snprintf(prefix, sizeof prefix, "cycle %llu/%llu: ", (unsigned long long)s->current,
                 (unsigned long long)s->cycles);
        tl_step_result status = tl_block_step(&s->block, prefix, desc, err);
        if (status != TL_STEP_DONE || s->current == s->cycles)
            return status;
        s->current++;
        tl_block_init(&s->block, s->block.size, TL_FILL_TOUCH_PAGES);
    }
}

static void cycles_release(void *state) {
    cycles_state *s = state;
    tl_block_release(&s->block);
}

static void cycles_each_block(const void *state, tl_block_visit visit, void *context) {
    const cycles_state *s = state;
    tl_block_each(&s->block, visit, context);
}

const tl_scenario tl_scenario_cycles = {
    "cycles",
    "Test 3 of the reference measurement: cycles of one block allocated, touched and freed; trim "
    "at the end",
    {cycles_params, sizeof cycles_params / sizeof cycles_params[0]},
    cycles_max_steps,
    cycles_begin,
    cycles_step,
    cycles_release,
    NULL,
    cycles_each_block,
};
