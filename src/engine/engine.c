#include "engine.h"

#include <stdio.h>
#include <string.h>

uint32_t tl_engine_sample_capacity(const tl_scenario *scenario, const tl_params *params,
                                   const void *input) {
    return scenario->max_steps(params, input) + TL_ENGINE_EXTRA_SAMPLES;
}

int tl_engine_begin(tl_engine *engine, const tl_scenario *scenario, const tl_params *params,
                    void *input, int trim_enabled) {
    if (engine->stage != TL_STAGE_IDLE && engine->stage != TL_STAGE_DONE)
        return tl_fail(&engine->error, TL_ERR_STATE, "a run of %s is in progress: end it first",
                       engine->scenario->name);
    if (engine->stage == TL_STAGE_DONE)
        tl_engine_end(engine);
    memset(engine, 0, sizeof *engine);
    engine->scenario = scenario;
    engine->params = *params;
    engine->input = input;
    engine->trim_enabled = trim_enabled;
    int status = scenario->begin(engine->state, &engine->params, input, &engine->error);
    if (status != TL_OK) {
        scenario->release(engine->state);
        return status;
    }
    engine->stage = TL_STAGE_BASELINE;
    return TL_OK;
}

/* A sample's memory figures. Baseline, trim, final and a failed step walk the heap. A step of a
 * scenario that keeps count of what it holds (held_bytes) takes the in-use figure of the last walk
 * moved by what it allocated and freed since: where the platform can follow that (dlmalloc), no
 * walk of every chunk at every step. */
static void probe(tl_engine *engine, tl_memory *memory, int walk) {
    uint64_t (*held)(const void *state) = engine->scenario->held_bytes;
    if (held != NULL && !walk) {
        tl_probe_memory_known(memory,
                              engine->walked_in_use + held(engine->state) - engine->walked_held);
        return;
    }
    tl_probe_memory(memory);
    if (held != NULL) {
        engine->walked_in_use = memory->in_use_bytes;
        engine->walked_held = held(engine->state);
    }
}

static void record(tl_engine *engine, tl_sample *sample, enum tl_phase phase, const char *label,
                   int walk) {
    tl_summary *summary = &engine->summary;
    sample->step = engine->next_step++;
    sample->phase = phase;
    snprintf(sample->label, sizeof sample->label, "%s", label);
    probe(engine, &sample->memory, walk);
    if (sample->memory.footprint_bytes > summary->peak_footprint_bytes)
        summary->peak_footprint_bytes = sample->memory.footprint_bytes;
    if (sample->memory.in_use_bytes > summary->peak_in_use_bytes)
        summary->peak_in_use_bytes = sample->memory.in_use_bytes;
    summary->final_footprint_bytes = sample->memory.footprint_bytes;
}

/* A failed step (out of memory, a bad trace): free what the scenario holds, keep the samples so
 * far, end the run. The scenario's code and message stay in engine->error. */
static void stop_failed(tl_engine *engine, tl_sample *sample) {
    engine->scenario->release(engine->state);
    engine->outcome = engine->error.code;
    record(engine, sample, TL_PHASE_FINAL,
           engine->error.code == TL_ERR_OOM ? "out of memory: freed what the run held"
                                            : "failed: freed what the run held",
           1);
    engine->summary.before_trim_bytes = engine->summary.after_trim_bytes =
        sample->memory.footprint_bytes;
    engine->stage = TL_STAGE_DONE;
}

static void step_scenario(tl_engine *engine, tl_sample *sample) {
    tl_step_desc desc = {TL_PHASE_ALLOCATE, ""};
    switch (engine->scenario->step(engine->state, &desc, &engine->error)) {
    case TL_STEP_MORE:
        record(engine, sample, desc.phase, desc.label, 0);
        return;
    case TL_STEP_FAILED:
        stop_failed(engine, sample);
        return;
    case TL_STEP_DONE:
        engine->stage = TL_STAGE_TRIM;
        tl_engine_step(engine, sample);
        return;
    }
}

static void step_trim(tl_engine *engine, tl_sample *sample) {
    tl_summary *summary = &engine->summary;
    summary->before_trim_bytes = tl_probe_footprint(NULL);
    summary->trim = tl_trim(engine->trim_enabled);
    record(engine, sample, TL_PHASE_TRIM,
           summary->trim.called ? "malloc_trim(0)" : "trim skipped (disabled)", 1);
    summary->after_trim_bytes = sample->memory.footprint_bytes;
    engine->stage = TL_STAGE_FINAL;
}

int tl_engine_step(tl_engine *engine, tl_sample *sample) {
    switch (engine->stage) {
    case TL_STAGE_BASELINE:
        record(engine, sample, TL_PHASE_BASELINE, "before the scenario", 1);
        engine->summary.baseline_footprint_bytes = sample->memory.footprint_bytes;
        engine->stage = TL_STAGE_SCENARIO;
        return 1;
    case TL_STAGE_SCENARIO:
        step_scenario(engine, sample);
        return 1;
    case TL_STAGE_TRIM:
        step_trim(engine, sample);
        return 1;
    case TL_STAGE_FINAL:
        record(engine, sample, TL_PHASE_FINAL, "end of run: live data still held", 1);
        engine->stage = TL_STAGE_DONE;
        return 1;
    default:
        return 0;
    }
}

void tl_engine_end(tl_engine *engine) {
    if (engine->stage != TL_STAGE_IDLE)
        engine->scenario->release(engine->state);
    engine->stage = TL_STAGE_IDLE;
}

int tl_engine_done(const tl_engine *engine) {
    return engine->stage == TL_STAGE_DONE;
}
