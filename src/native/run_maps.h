/* A native run's memory maps (memory_map.h), taken in its child process: a map at every sample,
 * kept as text until the next, so that the moments a map shows the sample before (after the
 * work, after free) can be kept once the next sample says so. Buffers are mmapped, so that the
 * maps take nothing from the heap they show. */
#ifndef TL_RUN_MAPS_H
#define TL_RUN_MAPS_H

#include "cli/run_record.h"
#include "engine/memory_map.h"

typedef struct tl_run_maps {
    tl_map_moments moments;
    tl_map_snapshot previous, current;
    tl_map_snapshot taken[TL_MAP_MOMENTS];
    uint32_t count;
} tl_run_maps;

void tl_run_maps_init(tl_run_maps *maps);
/* The map of `sample`, just taken by `engine`, and the moments it completes. */
int tl_run_maps_sample(tl_run_maps *maps, const tl_engine *engine, const tl_sample *sample,
                       tl_error *err);
void tl_run_maps_free(tl_run_maps *maps);

#endif
