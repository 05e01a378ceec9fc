#include "run_maps.h"

#include <string.h>
#include <sys/mman.h>

#include "engine/platform_map.h"

static void *map_bytes(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The text lives in an mmapped block of its length + 1 + the size header before it. */
static void free_text(const char *text) {
    if (text != NULL) {
        size_t *block = (size_t *)(void *)(uintptr_t)text - 1;
        munmap(block, *block);
    }
}

static char *copy_text(const unsigned char *classes, uint64_t pages) {
    size_t length = tl_map_encode(classes, pages, NULL, 0);
    size_t size = sizeof(size_t) + length + 1;
    size_t *block = map_bytes(size);
    if (block == NULL)
        return NULL;
    *block = size;
    char *text = (char *)(block + 1);
    tl_map_encode(classes, pages, text, length + 1);
    return text;
}

void tl_run_maps_init(tl_run_maps *maps) {
    memset(maps, 0, sizeof *maps);
}

static int take(tl_map_snapshot *map, const tl_engine *engine, uint32_t step, tl_error *err) {
    tl_map_extent extent;
    if (tl_map_extent_here(&extent, err) != TL_OK)
        return err->code;
    size_t size = extent.pages ? (size_t)extent.pages : 1;
    unsigned char *classes = map_bytes(size);
    if (classes == NULL)
        return tl_fail(err, TL_ERR_OOM, "no memory for a map of %llu pages",
                       (unsigned long long)extent.pages);
    tl_map_base(&extent, classes);
    tl_map_blocks blocks = tl_map_mark_engine(&extent, classes, engine);
    int status = tl_map_residency_here(&extent, classes, err) < 0 ? err->code : TL_OK;
    free_text(map->classes);
    map->classes = status == TL_OK ? copy_text(classes, extent.pages) : NULL;
    munmap(classes, size);
    if (status == TL_OK && map->classes == NULL)
        status = tl_fail(err, TL_ERR_OOM, "no memory for a map's text");
    map->step = step;
    map->page_bytes = extent.page_bytes;
    map->held_bytes = blocks.held_bytes;
    map->outside_bytes = blocks.outside_bytes;
    return status;
}

static void keep(tl_run_maps *maps, enum tl_map_moment moment, tl_map_snapshot *from) {
    tl_map_snapshot *to = &maps->taken[maps->count++];
    *to = *from;
    to->at = tl_map_moment_names[moment];
    from->classes = NULL; /* now the kept map's */
}

int tl_run_maps_sample(tl_run_maps *maps, const tl_engine *engine, const tl_sample *sample,
                       tl_error *err) {
    tl_map_snapshot swap = maps->previous;
    maps->previous = maps->current;
    maps->current = swap;
    if (take(&maps->current, engine, sample->step, err) != TL_OK)
        return err->code;
    unsigned moments = tl_map_moments_next(&maps->moments, sample->phase);
    for (int m = 0; m < TL_MAP_MOMENTS; m++)
        if (moments & (1u << m))
            keep(maps, (enum tl_map_moment)m,
                 (TL_MAP_PREVIOUS_MOMENTS & (1u << m)) ? &maps->previous : &maps->current);
    return TL_OK;
}

void tl_run_maps_free(tl_run_maps *maps) {
    free_text(maps->previous.classes);
    free_text(maps->current.classes);
    for (uint32_t i = 0; i < maps->count; i++)
        free_text(maps->taken[i].classes);
    tl_run_maps_init(maps);
}
