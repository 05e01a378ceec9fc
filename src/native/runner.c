#include "runner.h"

#include <stdlib.h>
#include <time.h>

#include "cli/map_report.h"
#include "cli/report_table.h"
#include "cli/results_json.h"
#include "run_maps.h"
#include "shared/message.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The steps of a run into `samples`; with `maps`, a map at each. Returns the engine's status. */
static int run_steps(tl_engine *engine, tl_sample *samples, uint32_t capacity, uint32_t *count,
                     tl_run_maps *maps) {
    while (*count < capacity && tl_engine_step(engine, &samples[*count])) {
        if (maps != NULL && tl_run_maps_sample(maps, engine, &samples[*count], &engine->error))
            return engine->error.code;
        ++*count;
    }
    return TL_OK;
}

int tl_run_once(const tl_cli_run *run, int map, FILE *json, FILE *table) {
    static tl_engine engine;
    static tl_run_maps maps;
    uint32_t capacity = tl_engine_sample_capacity(run->scenario, &run->params, NULL);
    /* Allocated before the scenario starts so that no sample storage lands among its chunks. */
    tl_sample *samples = calloc(capacity, sizeof *samples);
    uint32_t count = 0;
    if (samples == NULL) {
        tl_say("no memory for %u samples", capacity);
        return TL_ERR_OOM;
    }
    tl_run_maps_init(&maps);
    double start = now_ms();
    int status = tl_engine_begin(&engine, run->scenario, &run->params, NULL, run->trim_enabled);
    if (status == TL_OK)
        status = run_steps(&engine, samples, capacity, &count, map ? &maps : NULL);
    double elapsed = now_ms() - start;
    tl_run_record record = {run->scenario,
                            &run->params,
                            run->trim_enabled,
                            samples,
                            count,
                            &engine.summary,
                            status == TL_OK ? engine.outcome : status,
                            engine.error.message,
                            elapsed,
                            NULL,
                            tl_platform_host(),
                            NULL,
                            0,
                            NULL,
                            maps.taken,
                            maps.count};
    tl_engine_end(&engine);
    tl_json_write_run(json, &record);
    if (table) {
        tl_print_run_table(table, &record);
        for (uint32_t i = 0; i < maps.count; i++)
            tl_print_map(table, &maps.taken[i]);
    }
    tl_run_maps_free(&maps);
    free(samples);
    return record.outcome;
}
