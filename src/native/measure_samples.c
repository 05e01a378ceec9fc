#include "measure_samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_measure_samples_init(tl_measure_samples *s, uint32_t capacity) {
    s->capacity = capacity < 2 ? 2 : capacity & ~1u;
    s->count = 0;
    s->samples = malloc((size_t)s->capacity * sizeof *s->samples);
    return s->samples ? 0 : -1;
}

void tl_measure_samples_free(tl_measure_samples *s) {
    free(s->samples);
    s->samples = NULL;
    s->count = 0;
}

/* Keeps readings 0, 2, 4, ...: the first stays, and the room freed takes the next. */
static void thin(tl_measure_samples *s) {
    for (uint32_t i = 1; 2 * i < s->count; i++)
        s->samples[i] = s->samples[2 * i];
    s->count = (s->count + 1) / 2;
}

int tl_measure_samples_add(tl_measure_samples *s, double elapsed_ms, uint64_t footprint_bytes,
                           uint64_t rss_anon_bytes) {
    int thinned = s->count == s->capacity;
    if (thinned)
        thin(s);
    tl_sample *sample = &s->samples[s->count++];
    memset(sample, 0, sizeof *sample);
    snprintf(sample->label, sizeof sample->label, "t=%.1f ms", elapsed_ms);
    /* The same reading under the names every native run has (platform.c's tl_probe_memory). */
    sample->memory = (tl_memory){footprint_bytes, rss_anon_bytes, 0, TL_NOT_READ, TL_NOT_READ,
                                 rss_anon_bytes,  footprint_bytes};
    return thinned;
}

void tl_measure_samples_finish(tl_measure_samples *s, tl_summary *summary) {
    memset(summary, 0, sizeof *summary);
    for (uint32_t i = 0; i < s->count; i++) {
        tl_sample *sample = &s->samples[i];
        sample->step = i;
        sample->phase = i == 0              ? TL_PHASE_BASELINE
                        : i + 1 == s->count ? TL_PHASE_FINAL
                                            : TL_PHASE_ALLOCATE;
        if (sample->memory.footprint_bytes > summary->peak_footprint_bytes)
            summary->peak_footprint_bytes = sample->memory.footprint_bytes;
    }
    if (s->count == 0)
        return;
    summary->baseline_footprint_bytes = s->samples[0].memory.footprint_bytes;
    summary->final_footprint_bytes = s->samples[s->count - 1].memory.footprint_bytes;
    /* No trim step: before and after it are the end, so nothing reads as released by trim. */
    summary->before_trim_bytes = summary->after_trim_bytes = summary->final_footprint_bytes;
}
