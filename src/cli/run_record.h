/* One finished run as the CLI reports it: what ran, its samples, and how it ended. */
#ifndef TL_RUN_RECORD_H
#define TL_RUN_RECORD_H

#include "engine/engine.h"

/* What a replay's run says of its trace (the "trace" object of docs/results-format.md). */
typedef struct tl_trace_figures {
    const char *program;
    uint64_t event_count; /* the header's */
    uint64_t events_replayed;
    int complete;
    uint64_t peak_requested_bytes;
    uint64_t replay_overhead_bytes;
} tl_trace_figures;

typedef struct tl_run_record {
    const tl_scenario *scenario;
    const tl_params *params;
    int trim_enabled;
    const tl_sample *samples; /* NULL: not kept here */
    uint32_t sample_count;
    const tl_summary *summary;
    int outcome;       /* TL_OK, TL_ERR_OOM, TL_ERR_BAD_TRACE or TL_ERR_RUN_FAILED */
    const char *error; /* the message when outcome is not TL_OK */
    double elapsed_ms;
    const tl_trace_figures *trace; /* a replay's trace; NULL for a scenario */
} tl_run_record;

#endif
