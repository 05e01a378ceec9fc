#include "memory_map.h"

#include <stdio.h>
#include <string.h>

const char tl_page_class_letters[TL_PAGE_CLASSES + 1] = "lcfas";
const char *const tl_page_class_names[TL_PAGE_CLASSES] = {"live", "cached", "free", "above",
                                                          "static"};
const char *const tl_map_moment_names[TL_MAP_MOMENTS + 1] = {"work", "free", "trim", NULL};

void tl_map_base(const tl_map_extent *extent, unsigned char *classes) {
    for (uint64_t i = 0; i < extent->pages; i++) {
        uint64_t first = extent->start + i * extent->page_bytes;
        uint64_t end = first + extent->page_bytes;
        classes[i] = end <= extent->static_end     ? TL_PAGE_STATIC
                     : first >= extent->high_water ? TL_PAGE_ABOVE
                                                   : TL_PAGE_FREE;
    }
}

uint64_t tl_map_mark(const tl_map_extent *extent, unsigned char *classes, uint64_t address,
                     uint64_t bytes) {
    uint64_t map_end = extent->start + extent->pages * extent->page_bytes;
    uint64_t first = address > extent->start ? address : extent->start;
    uint64_t end = address + bytes < map_end ? address + bytes : map_end;
    if (bytes == 0 || first >= end)
        return bytes;
    for (uint64_t page = (first - extent->start) / extent->page_bytes;
         page <= (end - 1 - extent->start) / extent->page_bytes; page++)
        classes[page] = TL_PAGE_LIVE;
    return bytes - (end - first);
}

typedef struct mark_context {
    const tl_map_extent *extent;
    unsigned char *classes;
    tl_map_blocks found;
} mark_context;

static void mark_block(void *context, const void *block, uint64_t bytes) {
    mark_context *mark = context;
    mark->found.blocks++;
    mark->found.held_bytes += bytes;
    mark->found.outside_bytes +=
        tl_map_mark(mark->extent, mark->classes, (uint64_t)(uintptr_t)block, bytes);
}

tl_map_blocks tl_map_mark_engine(const tl_map_extent *extent, unsigned char *classes,
                                 const tl_engine *engine) {
    mark_context mark = {extent, classes, {0, 0, 0}};
    if (engine->stage != TL_STAGE_IDLE && engine->scenario->each_block != NULL)
        engine->scenario->each_block(engine->state, mark_block, &mark);
    return mark.found;
}

void tl_map_count(const unsigned char *classes, uint64_t pages, uint64_t counts[TL_PAGE_CLASSES]) {
    memset(counts, 0, TL_PAGE_CLASSES * sizeof *counts);
    for (uint64_t i = 0; i < pages; i++)
        counts[classes[i] < TL_PAGE_CLASSES ? classes[i] : TL_PAGE_FREE]++;
}

static unsigned char known(unsigned char class) {
    return class < TL_PAGE_CLASSES ? class : TL_PAGE_FREE;
}

size_t tl_map_encode(const unsigned char *classes, uint64_t pages, char *out, size_t size) {
    size_t length = 0;
    char run[32];
    if (size > 0)
        out[0] = '\0';
    for (uint64_t i = 0; i < pages;) {
        uint64_t j = i + 1;
        while (j < pages && known(classes[j]) == known(classes[i]))
            j++;
        int n = snprintf(run, sizeof run, "%llu%c", (unsigned long long)(j - i),
                         tl_page_class_letters[known(classes[i])]);
        if (length + (size_t)n < size)
            memcpy(out + length, run, (size_t)n + 1);
        length += (size_t)n;
        i = j;
    }
    return length;
}

int tl_map_decode_counts(const char *text, uint64_t counts[TL_PAGE_CLASSES]) {
    memset(counts, 0, TL_PAGE_CLASSES * sizeof *counts);
    for (const char *p = text; *p;) {
        uint64_t count = 0;
        const char *digits = p;
        while (*p >= '0' && *p <= '9' && p - digits < 12)
            count = count * 10 + (uint64_t)(*p++ - '0');
        const char *letter = *p ? strchr(tl_page_class_letters, *p) : NULL;
        if (p == digits || count == 0 || letter == NULL)
            return -1;
        counts[letter - tl_page_class_letters] += count;
        p++;
    }
    return 0;
}

tl_map_kept tl_map_kept_of(const uint64_t counts[TL_PAGE_CLASSES], uint64_t page_bytes,
                           uint64_t held_inside_bytes) {
    uint64_t live = counts[TL_PAGE_LIVE] * page_bytes;
    tl_map_kept kept = {held_inside_bytes, live > held_inside_bytes ? live - held_inside_bytes : 0,
                        counts[TL_PAGE_CACHED] * page_bytes};
    return kept;
}

unsigned tl_map_moments_next(tl_map_moments *moments, enum tl_phase phase) {
    unsigned found = 0;
    if (moments->started && !moments->work_seen && phase == TL_PHASE_FREE) {
        found |= 1u << TL_MAP_WORK;
        moments->work_seen = 1;
    }
    if (phase == TL_PHASE_TRIM) {
        if (moments->started && moments->previous != TL_PHASE_TRIM)
            found |= 1u << TL_MAP_FREE;
        found |= 1u << TL_MAP_TRIM;
    }
    moments->started = 1;
    moments->previous = phase;
    return found;
}
