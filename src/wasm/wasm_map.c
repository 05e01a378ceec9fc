/* The memory map's part of the C API (wasm_api.h): the allocator's view of every page of linear
 * memory, and the moments a run's maps are taken at. */
#include "engine/memory_map.h"
#include "engine/platform_map.h"
#include "wasm_api.h"
#include "wasm_shared.h"

static unsigned char map_classes[TL_WASM_MAP_PAGES];
static double held_bytes;

double tl_wasm_map_ptr(void) {
    return (double)(uintptr_t)map_classes;
}

int tl_wasm_map(void) {
    tl_map_extent extent;
    tl_error_clear(tl_api_error());
    if (tl_map_extent_here(&extent, tl_api_error()) != TL_OK)
        return -1;
    if (extent.pages > TL_WASM_MAP_PAGES)
        extent.pages = TL_WASM_MAP_PAGES; /* linear memory never passes its 512 MiB ceiling */
    tl_map_base(&extent, map_classes);
    tl_map_blocks blocks = tl_map_mark_engine(&extent, map_classes, tl_api_engine());
    held_bytes = (double)blocks.held_bytes;
    return (int)extent.pages;
}

double tl_wasm_map_held_bytes(void) {
    return held_bytes;
}

const unsigned char *tl_api_map_classes(void) {
    return map_classes;
}
