/* Runs one scenario step by step: baseline, the scenario's own steps, trim, final.
 * Every call to tl_engine_step does bounded work and produces one sample. */
#ifndef TL_ENGINE_H
#define TL_ENGINE_H

#include <stdint.h>

#include "platform.h"
#include "scenario.h"

/* Samples the engine adds around a scenario's own steps: baseline, trim, final. */
#define TL_ENGINE_EXTRA_SAMPLES 3

typedef struct tl_sample {
    uint32_t step;
    enum tl_phase phase;
    char label[TL_LABEL_MAX];
    tl_memory memory;
} tl_sample;

typedef struct tl_summary {
    uint64_t baseline_footprint_bytes;
    uint64_t peak_footprint_bytes;
    uint64_t peak_in_use_bytes;
    uint64_t before_trim_bytes;
    uint64_t after_trim_bytes;
    uint64_t final_footprint_bytes;
    tl_trim_result trim;
} tl_summary;

enum tl_stage {
    TL_STAGE_IDLE,
    TL_STAGE_BASELINE,
    TL_STAGE_SCENARIO,
    TL_STAGE_TRIM,
    TL_STAGE_FINAL,
    TL_STAGE_DONE
};

typedef struct tl_engine {
    const tl_scenario *scenario;
    tl_params params;
    void *input; /* as given to tl_engine_begin: NULL, or the replay's trace source */
    int trim_enabled;
    enum tl_stage stage;
    uint32_t next_step;
    int outcome; /* TL_OK, or the code of the step that failed (TL_ERR_OOM, TL_ERR_BAD_TRACE) */
    tl_error error;
    tl_summary summary;
    /* At the last heap walk, for a scenario with held_bytes: the in-use figure, and what the
     * scenario held then. */
    uint64_t walked_in_use, walked_held;
    _Alignas(16) unsigned char state[TL_STATE_MAX];
} tl_engine;

/* Room for every sample a run of `scenario` with `params` and `input` can produce. */
uint32_t tl_engine_sample_capacity(const tl_scenario *scenario, const tl_params *params,
                                   const void *input);
/* Starts a run; the engine must be idle or done (tl_engine_end releases a run in progress).
 * `input` goes to the scenario's begin (scenario.h): NULL, or the replay's trace source, which the
 * caller keeps (and feeds) until tl_engine_end. */
int tl_engine_begin(tl_engine *engine, const tl_scenario *scenario, const tl_params *params,
                    void *input, int trim_enabled);
/* 1 with *sample filled, 0 when the run is over (no sample). Out of memory is not an error here:
 * the run ends with outcome TL_ERR_OOM after a last sample once the scenario freed what it held. */
int tl_engine_step(tl_engine *engine, tl_sample *sample);
/* Frees whatever the scenario still holds and makes the engine idle. */
void tl_engine_end(tl_engine *engine);
int tl_engine_done(const tl_engine *engine);

#endif
