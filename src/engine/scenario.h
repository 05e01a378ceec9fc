/* What every scenario provides: its parameters and a step function doing bounded work. */
#ifndef TL_SCENARIO_H
#define TL_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "tl_error.h"

#define TL_MIB (UINT64_C(1) << 20)
#define TL_KIB (UINT64_C(1) << 10)
/* Upper bound on what one step allocates, touches or frees, so a live chart moves smoothly. */
#define TL_STEP_BYTES (4 * TL_MIB)
#define TL_LABEL_MAX 80
#define TL_STATE_MAX 512

enum tl_phase {
    TL_PHASE_BASELINE,
    TL_PHASE_ALLOCATE,
    TL_PHASE_FILL,
    TL_PHASE_FREE,
    TL_PHASE_TRIM,
    TL_PHASE_FINAL,
};

typedef struct tl_step_desc {
    enum tl_phase phase;
    char label[TL_LABEL_MAX];
} tl_step_desc;

enum tl_step_status { TL_STEP_DONE = 0, TL_STEP_MORE = 1 };

typedef struct tl_scenario {
    const char *name;
    const char *description;
    tl_param_set params;
    /* Upper bound on the scenario's own steps, so callers can size sample storage up front. */
    uint32_t (*max_steps)(const tl_params *params);
    /* Prepares state (at most TL_STATE_MAX bytes); allocates nothing large. */
    int (*begin)(void *state, const tl_params *params, tl_error *err);
    /* One bounded piece of work: TL_STEP_MORE, TL_STEP_DONE (nothing done), or an error code. */
    int (*step)(void *state, tl_step_desc *desc, tl_error *err);
    /* Frees everything the scenario still holds; safe after any step or error. */
    void (*release)(void *state);
    /* Optional (NULL: none): the tl_block_bytes of everything the scenario holds, kept as it
     * allocates and frees, so that the engine can sample its steps without walking the heap
     * (tl_probe_memory_known). Safe after release. */
    uint64_t (*held_bytes)(const void *state);
} tl_scenario;

const char *tl_phase_name(enum tl_phase phase);

#endif
