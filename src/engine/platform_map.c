#include "platform_map.h"

#include "platform.h"

#ifdef __EMSCRIPTEN__

#include <emscripten/heap.h>

/* Where wasm-ld ends the data and the stack and the heap begins (Emscripten's sbrk starts here). */
extern unsigned char __heap_base;

int tl_map_extent_here(tl_map_extent *extent, tl_error *err) {
    (void)err;
    extent->start = 0;
    extent->page_bytes = tl_page_bytes();
    extent->pages = (uint64_t)emscripten_get_heap_size() / extent->page_bytes;
    extent->static_end = (uint64_t)(uintptr_t)&__heap_base;
    extent->high_water = tl_sbrk_high_water();
    return TL_OK;
}

int tl_map_residency_here(const tl_map_extent *extent, unsigned char *classes, tl_error *err) {
    (void)extent;
    (void)classes;
    (void)err;
    return 0;
}

#else /* native Linux, glibc */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The [heap] line of /proc/self/maps: 1 with its start, 0 when there is none. */
static int heap_start(uint64_t *start, tl_error *err) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    if (maps == NULL) {
        tl_fail(err, TL_ERR_STATE, "cannot read /proc/self/maps for the heap's start");
        return -1;
    }
    while (!found && fgets(line, sizeof line, maps) != NULL) {
        unsigned long long first, end;
        if (strstr(line, "[heap]") != NULL && sscanf(line, "%llx-%llx", &first, &end) == 2) {
            *start = first;
            found = 1;
        }
    }
    fclose(maps);
    return found;
}

int tl_map_extent_here(tl_map_extent *extent, tl_error *err) {
    uint64_t start = 0, top = tl_sbrk_high_water();
    int found = heap_start(&start, err);
    if (found < 0)
        return err->code;
    extent->page_bytes = tl_page_bytes();
    extent->start = found ? start : top;
    extent->pages = found ? (top - start + extent->page_bytes - 1) / extent->page_bytes : 0;
    extent->static_end = extent->start;
    extent->high_water = top;
    return TL_OK;
}

#define PAGEMAP_BATCH 4096
#define PAGEMAP_PRESENT (UINT64_C(1) << 63)

int tl_map_residency_here(const tl_map_extent *extent, unsigned char *classes, tl_error *err) {
    static uint64_t entries[PAGEMAP_BATCH];
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tl_fail(err, TL_ERR_STATE, "cannot read /proc/self/pagemap");
        return -1;
    }
    uint64_t first = extent->start / extent->page_bytes;
    for (uint64_t done = 0; done < extent->pages;) {
        uint64_t count =
            extent->pages - done < PAGEMAP_BATCH ? extent->pages - done : PAGEMAP_BATCH;
        ssize_t got = pread(fd, entries, (size_t)count * sizeof *entries,
                            (off_t)((first + done) * sizeof *entries));
        if (got <= 0)
            break;
        for (uint64_t i = 0; i < (uint64_t)got / sizeof *entries; i++)
            if (classes[done + i] == TL_PAGE_FREE && (entries[i] & PAGEMAP_PRESENT))
                classes[done + i] = TL_PAGE_CACHED;
        done += (uint64_t)got / sizeof *entries;
    }
    close(fd);
    return 1;
}

#endif
