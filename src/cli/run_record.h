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

/* What a program run (`trimlab measure`) ran: the "program" object of docs/results-format.md. */
typedef struct tl_program_figures {
    const char *name;       /* as given on the command line */
    char *const *arguments; /* after the name; NULL-terminated */
} tl_program_figures;

/* One event after a run's last step (the "after" list of docs/results-format.md): what the
 * embedder measured once the run ended, the instance was dropped, collected, and so on. */
typedef struct tl_after_event {
    const char *event;       /* "run_end", "dropped", "collected", ... (tl_json_after_events) */
    double elapsed_ms;       /* since the run's last step */
    uint64_t resident_bytes; /* TL_NOT_READ: the mapping no longer exists (null) */
    uint64_t host_rss_bytes;
} tl_after_event;

/* One memory map of a run (the "maps" list of docs/results-format.md): its pages' classes as
 * memory_map.h's run-length text, taken at one of its moments. */
typedef struct tl_map_snapshot {
    const char *at; /* a tl_map_moment_names entry */
    uint32_t step;  /* the sample it shows */
    uint64_t page_bytes;
    uint64_t held_bytes;    /* what the run's blocks asked for then */
    uint64_t outside_bytes; /* of those, outside the map (natively: blocks glibc mmapped) */
    const char *classes;
} tl_map_snapshot;

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
    const tl_host *host;           /* where it ran; NULL: not written (the wrapper adds it) */
    const tl_after_event *after;   /* after_count events, or NULL: given one at a time */
    uint32_t after_count;
    const tl_program_figures *program; /* a program run's program; NULL for a scenario */
    const tl_map_snapshot *maps;       /* map_count maps, or NULL: given one at a time */
    uint32_t map_count;
} tl_run_record;

#endif
