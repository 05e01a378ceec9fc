/* One finished run as the CLI reports it: what ran, its samples, and how it ended. */
#ifndef TL_RUN_RECORD_H
#define TL_RUN_RECORD_H

#include "engine/engine.h"

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
} tl_run_record;

#endif
