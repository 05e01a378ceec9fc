/* The replay of an allocation trace as an engine scenario, and the same pass without allocating
 * anything (trace-info, and the check that runs before a replay).
 *
 * Every event is replayed with the size and order the program used: malloc, calloc (zeroed),
 * realloc, free, posix_memalign, each allocation touched page by page so the footprint reflects
 * it. The replay keeps its own account of the bytes the program had requested and not yet freed
 * ("live requested bytes"), so its peak is the trace's exactly whatever the allocator adds.
 *
 * tl_scenario_replay is not in the registry of built-in scenarios (scenarios.c): it needs an
 * input, its trace source: the tl_replay given to tl_engine_begin (and to
 * tl_engine_sample_capacity). Its owner initialises it (tl_replay_init), feeds it before every step
 * and keeps it until tl_engine_end; the scenario's begin opens it and its release closes it. */
#ifndef TL_SCENARIO_REPLAY_H
#define TL_SCENARIO_REPLAY_H

#include <stdint.h>

#include "engine/addr_map.h"
#include "engine/scenario.h"
#include "engine/trace_reader.h"

/* The input buffer: trace bytes not replayed yet. One step's events always fit in it. */
#define TL_REPLAY_INPUT_BYTES (UINT64_C(1) << 20)
#define TL_REPLAY_EVENTS_PER_STEP_MAX 32768
#define TL_REPLAY_EVENTS_PER_STEP_DEFAULT 1000
/* Steps of a run, whatever the trace's sizes: sample storage for a run is allocated up front, and
 * this bounds it (about 13 MB natively). A step ends on TL_STEP_BYTES only while the run has steps
 * to spare for the events left, so large blocks cannot raise the count. */
#define TL_REPLAY_STEPS_MAX 100000
/* The program's own mappings have an address map of their own (they are unmapped, not freed),
 * sized for this many and doubled when more are live: programs keep few. */
#define TL_REPLAY_MAPPING_BLOCKS 16

_Static_assert(TL_REPLAY_EVENTS_PER_STEP_MAX *TL_TRACE_EVENT_MAX <= TL_REPLAY_INPUT_BYTES,
               "one step's events fit in the input buffer");

enum { TL_REPLAY_P_EVENTS_PER_STEP };

/* What the trace did, counted while reading it; the same figures whether or not it allocates. */
typedef struct tl_trace_stats {
    uint64_t events;
    uint64_t calls[TL_TRACE_OP_LAST + 1];  /* by op */
    uint64_t failed[TL_TRACE_OP_LAST + 1]; /* calls that returned NULL: not replayed */
    uint64_t zero_sized;                   /* successful allocations of 0 bytes */
    uint64_t live_bytes, peak_live_bytes, peak_event;
    uint64_t live_blocks, max_live_blocks;
    uint64_t largest_size, largest_event;
    uint64_t allocated_bytes; /* sum of successful requests (realloc: the new size) */
    uint64_t freed_bytes;     /* sum of the sizes of blocks freed (realloc: the old size) */
} tl_trace_stats;

typedef struct tl_replay {
    tl_trace_reader reader;
    tl_trace_input input;
    tl_addr_map map;
    tl_addr_map mappings; /* the program's own anonymous mappings (MMAP, MUNMAP) */
    tl_trace_stats stats;
    int allocate;             /* 0: only check and count (nothing is allocated for the events) */
    uint64_t map_blocks;      /* live blocks the map is sized for when it opens */
    uint64_t expected_events; /* events the caller expects: step bound and labels */
    /* Requested bytes allocated plus freed, when a check counted them (UINT64_MAX: unknown):
     * bounds the steps that end on TL_STEP_BYTES, for sample storage sized up front. */
    uint64_t expected_moved_bytes;
    uint64_t events_per_step;
    uint64_t steps;          /* steps replayed so far */
    uint64_t block_bytes;    /* tl_block_bytes of the live blocks: the in-use figure they make */
    int finished;            /* the reader reached the end */
    uint64_t overhead_bytes; /* map and input buffer as opened, resident before the baseline */
} tl_replay;

/* Starts from a reader that read the header; the map is sized from the header's
 * max_live_blocks (a check's at most 4096, growing) unless the caller sets map_blocks before
 * opening. */
void tl_replay_init(tl_replay *replay, const tl_trace_reader *reader, int allocate);
/* Allocates the input buffer and the address map, both made resident. */
int tl_replay_open(tl_replay *replay, tl_error *err);
/* Frees every block still live, the map and the input buffer. Safe to call twice. */
void tl_replay_close(tl_replay *replay);
/* The bytes of the address maps a replay opens for `live_blocks` blocks live at once: the blocks'
 * map and the mappings' map. */
uint64_t tl_replay_map_bytes(uint64_t live_blocks);

/* Bytes the owner should append at tl_trace_input_tail now: the room left, while fewer bytes than
 * one step's worst case are buffered and the input has not ended; else 0. */
uint64_t tl_replay_wants_input(tl_replay *replay);
/* Appends bytes (the rest of a first chunk after the header); at most the room left. */
uint64_t tl_replay_append(tl_replay *replay, const unsigned char *data, uint64_t length);

/* Step bookkeeping: the events done and the requested bytes allocated and freed. */
typedef struct tl_replay_tally {
    uint64_t events, allocated, freed;
} tl_replay_tally;

/* Replays buffered events until `max_events` are done or the requested bytes allocated plus
 * freed reach `max_bytes`. Returns TL_TRACE_EVENT (a limit reached), TL_TRACE_NEED_INPUT,
 * TL_TRACE_END, or TL_TRACE_ERROR with err (TL_ERR_BAD_TRACE, TL_ERR_OOM). */
int tl_replay_advance(tl_replay *replay, uint64_t max_events, uint64_t max_bytes,
                      tl_replay_tally *tally, tl_error *err);

/* Refuses an events_per_step that would make more than TL_REPLAY_STEPS_MAX steps. */
int tl_replay_check_steps(uint64_t events, uint64_t events_per_step, tl_error *err);

/* a + b, or UINT64_MAX where that does not fit: byte totals of a hostile trace cannot wrap. */
uint64_t tl_add_saturated(uint64_t a, uint64_t b);

extern const tl_scenario tl_scenario_replay;

#endif
