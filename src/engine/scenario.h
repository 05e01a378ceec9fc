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

/* What one step of a scenario did. Not an error code: a step that fails returns TL_STEP_FAILED
 * with the code and message in its tl_error. A type of its own, so that the compiler refuses a
 * step that returns, or compares with, an enum tl_status (-Wenum-conversion, -Wenum-compare). */
typedef enum tl_step_result {
    TL_STEP_MORE,  /* did a piece of work, described in its tl_step_desc */
    TL_STEP_DONE,  /* nothing left to do (nothing was done) */
    TL_STEP_FAILED /* stopped: the tl_error says why (TL_ERR_OOM, TL_ERR_BAD_TRACE, ...) */
} tl_step_result;

/* Told of one block a scenario holds: its address and the bytes it asked for. */
typedef void (*tl_block_visit)(void *context, const void *block, uint64_t bytes);

typedef struct tl_scenario {
    const char *name;
    const char *description;
    tl_param_set params;
    /* Upper bound on the scenario's own steps, so callers can size sample storage up front;
     * `input` as begin gets it. */
    uint32_t (*max_steps)(const tl_params *params, const void *input);
    /* Prepares state (at most TL_STATE_MAX bytes); allocates nothing large. `input` is what the
     * caller gave tl_engine_begin and keeps while the run lasts: NULL for the built-in scenarios
     * (they ignore it), the trace source (a tl_replay) for the replay. */
    int (*begin)(void *state, const tl_params *params, void *input, tl_error *err);
    /* One bounded piece of work. */
    tl_step_result (*step)(void *state, tl_step_desc *desc, tl_error *err);
    /* Frees everything the scenario still holds; safe after any step or error. */
    void (*release)(void *state);
    /* Optional (NULL: none): the tl_block_bytes of everything the scenario holds, kept as it
     * allocates and frees, so that the engine can sample its steps without walking the heap
     * (tl_probe_memory_known). Safe after release. */
    uint64_t (*held_bytes)(const void *state);
    /* Every block the scenario holds now, its own tables included, each given to `visit` once:
     * the live class of the memory map (memory_map.h). Safe after release (none). */
    void (*each_block)(const void *state, tl_block_visit visit, void *context);
} tl_scenario;

const char *tl_phase_name(enum tl_phase phase);

#endif
