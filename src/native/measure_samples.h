/* The readings `trimlab measure` keeps of a running program, bounded however long it runs: when
 * full, every other reading is dropped (the first and the latest stay) and the caller reads half
 * as often from then on. */
#ifndef TL_MEASURE_SAMPLES_H
#define TL_MEASURE_SAMPLES_H

#include <stdint.h>

#include "engine/engine.h"

typedef struct tl_measure_samples {
    tl_sample *samples;
    uint32_t count, capacity; /* capacity: even, at least 2 */
} tl_measure_samples;

/* 0, or -1 when the room cannot be allocated. */
int tl_measure_samples_init(tl_measure_samples *s, uint32_t capacity);
void tl_measure_samples_free(tl_measure_samples *s);

/* Keeps a reading (footprint, RssAnon) taken `elapsed_ms` after the program started, labelled by
 * that time. Returns 1 when it had to thin the readings kept (read half as often from now), else
 * 0. */
int tl_measure_samples_add(tl_measure_samples *s, double elapsed_ms, uint64_t footprint_bytes,
                           uint64_t rss_anon_bytes);

/* Numbers the steps, gives the phases (the first reading baseline, the last final, the others
 * allocate: the program's own work) and fills `summary`: no trim, nothing of the allocator's. */
void tl_measure_samples_finish(tl_measure_samples *s, tl_summary *summary);

#endif
